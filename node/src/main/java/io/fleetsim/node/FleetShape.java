package io.fleetsim.node;

import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.vehicle.Vehicle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A fleet described by shares, as a scenario file describes it: regions, vehicle models with their
 * ECUs (type, hardware variant, bus), network profiles and environments, each drawn per vehicle
 * from (seed, index) so vehicle 7 is the same whatever the fleet's size. The ECUs of a type flash
 * and weigh what {@link FleetGenerator#ECUS} says for that type.
 */
record FleetShape(
    Map<String, Double> regions,
    List<Model> models,
    Map<String, Double> networks,
    Map<String, Double> environments) {

  /** One ECU of a model. */
  record Slot(EcuType type, String hardwareId, Transport transport) {}

  /** A vehicle model: its share of the fleet and its ECUs. */
  record Model(String name, double share, List<Slot> ecus) {
    Model {
      ecus = List.copyOf(ecus);
    }
  }

  FleetShape {
    regions = new LinkedHashMap<>(regions);
    models = List.copyOf(models);
    networks = new LinkedHashMap<>(networks);
    environments = new LinkedHashMap<>(environments);
  }

  /** The ECU slot every vehicle with an ECU of {@code type} has, over all models' variants. */
  FleetGenerator.EcuModel ecuModel(EcuType type) {
    Set<String> hardware = new LinkedHashSet<>();
    List<Transport> transports = new ArrayList<>();
    for (Model m : models) {
      for (Slot s : m.ecus()) {
        if (s.type() == type && hardware.add(s.hardwareId())) {
          transports.add(s.transport());
        }
      }
    }
    if (hardware.isEmpty()) {
      throw new IllegalArgumentException("no vehicle model has an ECU of type " + type);
    }
    FleetGenerator.EcuModel like =
        FleetGenerator.ECUS.stream().filter(e -> e.type() == type).findFirst().orElse(null);
    return new FleetGenerator.EcuModel(
        type,
        type.name().toLowerCase(Locale.ROOT),
        List.copyOf(hardware),
        List.copyOf(transports),
        like == null ? 256 * 1024 : like.flashBytesPerSecond(),
        like == null ? 256 * 1024 : like.baseImageBytes());
  }

  /** Every ECU type some model has, in the models' order. */
  List<FleetGenerator.EcuModel> ecuModels() {
    Set<EcuType> types = new LinkedHashSet<>();
    models.forEach(m -> m.ecus().forEach(s -> types.add(s.type())));
    return types.stream().map(this::ecuModel).toList();
  }

  /** Vehicle number {@code index} of the fleet of {@code seed}, running {@code baseImages}. */
  Vehicle.Spec vehicle(long seed, int index, Map<EcuType, FirmwareImage> baseImages) {
    Random rnd = Seeds.random(seed, "fleet/shaped/" + index);
    String region = pick(regions, rnd.nextDouble());
    String environment = pick(environments, rnd.nextDouble());
    String network = pick(networks, rnd.nextDouble());
    double u = rnd.nextDouble();
    Model model = models.get(models.size() - 1);
    double acc = 0;
    for (Model m : models) {
      acc += m.share();
      if (u < acc) {
        model = m;
        break;
      }
    }
    String code = region.replaceAll("[^A-Za-z]", "").toUpperCase(Locale.ROOT) + "XX";
    String vin = String.format("FSIM%sR%010d", code.substring(0, 2), index);
    List<Vehicle.EcuSpec> ecus = new ArrayList<>();
    for (Slot s : model.ecus()) {
      FleetGenerator.EcuModel m = ecuModel(s.type());
      FirmwareImage image = baseImages.get(s.type());
      ecus.add(
          new Vehicle.EcuSpec(
              m.ecuId(),
              s.type(),
              s.hardwareId(),
              vin + "-" + m.ecuId(),
              s.transport(),
              m.flashBytesPerSecond(),
              FleetGenerator.installedBank(image)));
    }
    return new Vehicle.Spec(vin, region, environment, Set.of(model.name()), network, ecus);
  }

  /** The key whose cumulative share first exceeds {@code u}; the last one otherwise. */
  private static String pick(Map<String, Double> shares, double u) {
    double acc = 0;
    String last = null;
    for (Map.Entry<String, Double> e : shares.entrySet()) {
      acc += e.getValue();
      last = e.getKey();
      if (u < acc) {
        return last;
      }
    }
    return last;
  }
}
