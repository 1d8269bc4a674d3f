package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.vehicle.Vehicle;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FleetGeneratorTest {

  /** Stand-ins for what the ImageRepository returns; the generator only copies their facts. */
  static Map<EcuType, FirmwareImage> baseImages() {
    Map<EcuType, FirmwareImage> images = new EnumMap<>(EcuType.class);
    for (FleetGenerator.EcuModel m : FleetGenerator.ECUS) {
      String type = m.type().name();
      images.put(
          m.type(),
          new FirmwareImage(
              "images",
              FirmwareImage.targetName(type, "1.0.0"),
              type,
              "1.0.0",
              1,
              m.hardwareIds(),
              m.baseImageBytes(),
              "ab".repeat(32),
              null,
              null,
              0));
    }
    return images;
  }

  @Test
  void theSameSeedBuildsTheSameFleet() {
    List<Vehicle.Spec> a = new FleetGenerator(42).fleet(500, baseImages());
    List<Vehicle.Spec> b = new FleetGenerator(42).fleet(500, baseImages());
    assertEquals(a, b);
  }

  @Test
  void anotherSeedBuildsAnotherFleet() {
    List<Vehicle.Spec> a = new FleetGenerator(42).fleet(200, baseImages());
    List<Vehicle.Spec> b = new FleetGenerator(43).fleet(200, baseImages());
    assertNotEquals(a, b);
    long sameRegion =
        java.util.stream.IntStream.range(0, 200)
            .filter(i -> a.get(i).region().equals(b.get(i).region()))
            .count();
    // Eight regions: about one vehicle in eight keeps its region by chance, not all of them.
    assertTrue(sameRegion < 60, "regions barely changed with the seed: " + sameRegion);
  }

  @Test
  void aVehicleDoesNotDependOnTheFleetSize() {
    FleetGenerator g = new FleetGenerator(7);
    assertEquals(g.fleet(10, baseImages()).get(7), g.fleet(1000, baseImages()).get(7));
    assertEquals(g.vehicle(7, baseImages()), g.fleet(10, baseImages()).get(7));
  }

  @Test
  void vinsLookRealAndAreUnique() {
    List<Vehicle.Spec> fleet = new FleetGenerator(42).fleet(2000, baseImages());
    Set<String> vins = new HashSet<>();
    for (Vehicle.Spec v : fleet) {
      assertEquals(17, v.vin().length(), v.vin());
      assertTrue(v.vin().matches("FSIM[A-Z]{2}R\\d{10}"), v.vin());
      assertTrue(vins.add(v.vin()), "duplicate " + v.vin());
      String code =
          FleetGenerator.REGIONS.stream()
              .filter(r -> r.name().equals(v.region()))
              .findFirst()
              .orElseThrow()
              .code();
      assertEquals(code, v.vin().substring(4, 6), "region code of " + v.vin());
    }
  }

  @Test
  void everyVehicleHasAnEngineAdasAndInfotainmentEcuOnItsBaseImage() {
    Map<EcuType, FirmwareImage> images = baseImages();
    Set<String> serials = new HashSet<>();
    for (Vehicle.Spec v : new FleetGenerator(42).fleet(1000, images)) {
      assertEquals(
          List.of(EcuType.ENGINE, EcuType.ADAS, EcuType.INFOTAINMENT),
          v.ecus().stream().map(Vehicle.EcuSpec::type).toList());
      for (Vehicle.EcuSpec e : v.ecus()) {
        FleetGenerator.EcuModel model =
            FleetGenerator.ECUS.stream().filter(m -> m.type() == e.type()).findFirst().get();
        assertTrue(model.hardwareIds().contains(e.hardwareId()), e.hardwareId());
        assertEquals(
            model.transports().get(model.hardwareIds().indexOf(e.hardwareId())), e.transport());
        assertTrue(serials.add(e.serial()), "duplicate serial " + e.serial());
        FirmwareImage base = images.get(e.type());
        assertEquals(base.targetName(), e.installed().version());
        assertEquals(base.sha256(), e.installed().sha256());
        assertEquals(base.length(), e.installed().length());
        assertTrue(e.installed().valid());
      }
      assertEquals(Transport.CLASSIC_CAN, v.ecus().get(0).transport());
      assertEquals(Transport.DOIP, v.ecus().get(2).transport());
    }
  }

  @Test
  void theFleetIsMixed() {
    List<Vehicle.Spec> fleet = new FleetGenerator(42).fleet(1000, baseImages());
    Map<String, Long> regions = count(fleet, Vehicle.Spec::region);
    Map<String, Long> networks = count(fleet, Vehicle.Spec::networkProfile);
    Map<String, Long> environments = count(fleet, Vehicle.Spec::environment);
    Map<String, Long> adasVariants = count(fleet, v -> v.ecus().get(1).hardwareId());
    assertEquals(FleetGenerator.REGIONS.size(), regions.size(), regions.toString());
    assertTrue(regions.values().stream().allMatch(n -> n > 60), regions.toString());
    assertEquals(Set.of("5g", "lte", "rural"), networks.keySet());
    // 40 / 45 / 15 % by construction; a wide band keeps the test about the mix, not the dice.
    assertTrue(networks.get("rural") > 100 && networks.get("rural") < 200, networks.toString());
    assertEquals(Set.of("blue", "green"), environments.keySet());
    assertEquals(3, adasVariants.size(), adasVariants.toString());
  }

  @Test
  void badInputIsRefused() {
    FleetGenerator g = new FleetGenerator(1);
    assertThrows(IllegalArgumentException.class, () -> g.fleet(-1, baseImages()));
    assertThrows(IllegalArgumentException.class, () -> g.vehicle(-3, baseImages()));
    Map<EcuType, FirmwareImage> missingAdas = new EnumMap<>(baseImages());
    missingAdas.remove(EcuType.ADAS);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> g.vehicle(0, missingAdas));
    assertTrue(e.getMessage().contains("ADAS"), e.getMessage());
    assertEquals(List.of(), g.fleet(0, baseImages()));
  }

  private static Map<String, Long> count(
      List<Vehicle.Spec> fleet, java.util.function.Function<Vehicle.Spec, String> key) {
    return fleet.stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
  }
}
