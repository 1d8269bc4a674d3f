package io.fleetsim.cloud;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One row of the fleet read model: the registration facts and current software of a vehicle as the
 * Director last saw them.
 */
public record FleetVehicle(
    String vin,
    String region,
    String environment,
    Set<String> tags,
    List<Ecu> ecus,
    String updateState,
    Instant lastReport) {

  public FleetVehicle {
    tags = Set.copyOf(tags);
    ecus = List.copyOf(ecus);
  }

  /** An ECU as the read model knows it. */
  public record Ecu(String serial, String ecuType, String hardwareId, String installedVersion) {}

  public Optional<Ecu> ecuOfType(String ecuType) {
    return ecus.stream().filter(e -> e.ecuType().equals(ecuType)).findFirst();
  }

  /** The ECUs with the versions {@code installed} reports by serial; the others as they are. */
  public List<Ecu> ecusWith(Map<String, String> installed) {
    List<Ecu> out = new ArrayList<>(ecus.size());
    for (Ecu e : ecus) {
      out.add(
          new Ecu(
              e.serial(),
              e.ecuType(),
              e.hardwareId(),
              installed.getOrDefault(e.serial(), e.installedVersion())));
    }
    return out;
  }

  public FleetVehicle withEcus(List<Ecu> newEcus, String newState, Instant at) {
    return new FleetVehicle(vin, region, environment, tags, newEcus, newState, at);
  }

  public FleetVehicle withState(String newState, Instant at) {
    return new FleetVehicle(vin, region, environment, tags, ecus, newState, at);
  }
}
