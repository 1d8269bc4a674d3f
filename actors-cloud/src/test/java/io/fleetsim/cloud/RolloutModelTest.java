package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolloutModelTest {

  static List<FleetVehicle> fleet(int n, String... regions) {
    List<FleetVehicle> vs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      vs.add(
          new FleetVehicle(
              String.format("VIN%05d", i),
              regions.length == 0 ? "Munich" : regions[i % regions.length],
              i % 2 == 0 ? "blue" : "green",
              i % 3 == 0 ? Set.of("beta") : Set.of(),
              List.of(new FleetVehicle.Ecu("E" + i, "engine", i % 4 == 0 ? "hw-b" : "hw-a", "1.0")),
              "IDLE",
              Instant.EPOCH));
    }
    return vs;
  }

  @Test
  void cumulativePercentagesOverAThousandVehicles() {
    List<List<String>> waves = WavePlan.percentages(1, 10, 50, 100).split(fleet(1000));
    assertEquals(List.of(10, 90, 400, 500), waves.stream().map(List::size).toList());
    assertEquals(1000, waves.stream().mapToInt(List::size).sum());
  }

  @Test
  void aOnePercentCanaryOfFewVehiclesIsStillOneVehicleAndEmptyWavesAreDropped() {
    List<List<String>> waves = WavePlan.percentages(1, 2, 100).split(fleet(50));
    assertEquals(List.of(1, 49), waves.stream().map(List::size).toList());
  }

  @Test
  void canaryOfFixedSizeThenPercentages() {
    List<List<String>> waves = WavePlan.canaryThen(5, 50, 100).split(fleet(200));
    assertEquals(List.of(5, 95, 100), waves.stream().map(List::size).toList());
  }

  @Test
  void regionOrderMakesOneWavePerRegion() {
    List<List<String>> waves =
        WavePlan.regions("Munich", "Berlin").split(fleet(10, "Berlin", "Munich"));
    assertEquals(2, waves.size());
    assertTrue(waves.get(0).contains("VIN00001"), "Munich first");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WavePlan.regions("Munich").split(fleet(4, "Berlin", "Munich")));
    assertTrue(e.getMessage().startsWith("waves.regions: do not add up"), e.getMessage());
  }

  @Test
  void wavesThatDoNotAddUpAreRefused() {
    assertEquals(
        List.of("waves.percentages: do not add up to 100 % (last cumulative share was 50.0)"),
        WavePlan.percentages(10, 50).problems());
    assertTrue(
        WavePlan.percentages(50, 10, 100)
            .problems()
            .get(0)
            .startsWith("waves.percentages: must increase"));
    assertTrue(
        WavePlan.percentages(0, 100)
            .problems()
            .get(0)
            .startsWith("waves.percentages: each must be"));
    assertFalse(WavePlan.regions().problems().isEmpty());
    assertFalse(WavePlan.regions("A", "A").problems().isEmpty());
  }

  @Test
  void thresholdsOutsideZeroToHundredAreNamed() {
    RolloutPolicy p = RolloutPolicy.of(95, 140, Duration.ofHours(1));
    assertEquals(List.of("failureThreshold: must be within 0..100, was 140"), p.problems());
    assertEquals(
        List.of("successThreshold: must be within 0..100, was -1"),
        RolloutPolicy.of(-1, 5, Duration.ZERO).problems());
    assertEquals(
        List.of("soak: must be zero or positive, was PT-1S"),
        RolloutPolicy.of(95, 5, Duration.ofSeconds(-1)).problems());
  }

  @Test
  void gates() {
    RolloutPolicy p = RolloutPolicy.of(95, 5, Duration.ZERO);
    assertTrue(p.failureTripped(6, 90), "6.7 % >= 5 %");
    assertFalse(p.failureTripped(4, 90), "4.4 % < 5 %");
    assertFalse(p.failureTripped(0, 90), "no failure never trips, even at 0 %");
    assertFalse(RolloutPolicy.of(95, 0, Duration.ZERO).failureTripped(0, 10));
    assertTrue(RolloutPolicy.of(95, 0, Duration.ZERO).failureTripped(1, 10));
    assertTrue(p.successReached(86, 90));
    assertFalse(p.successReached(85, 90));
  }

  @Test
  void filterMatchesEveryField() {
    List<FleetVehicle> vs = fleet(12, "Munich", "Berlin");
    TargetFilter f =
        TargetFilter.ecuType("engine")
            .inRegions("Munich")
            .inEnvironment("blue")
            .withHardwareIds("hw-a")
            .withTags("beta")
            .withCurrentVersions("1.0");
    // Munich = even, blue = even, beta = multiple of 3, hw-a = not multiple of 4: 6 only.
    assertEquals(
        List.of("VIN00006"), vs.stream().filter(f::matches).map(FleetVehicle::vin).toList());
    assertEquals(0, vs.stream().filter(TargetFilter.ecuType("brake")::matches).count());
    assertEquals(
        List.of(
            "filter.ecuType: must not be empty",
            "filter.environment: must be blue or green, was red"),
        TargetFilter.ecuType("").inEnvironment("red").problems());
  }
}
