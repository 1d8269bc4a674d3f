package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The first poll falls anywhere in one interval, later ones within the interval ± the jitter. */
class VehicleSettingsTest {

  static final VehicleSettings SETTINGS =
      new VehicleSettings(
          Duration.ofMinutes(10),
          Duration.ofMinutes(1),
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          Duration.ofMinutes(15),
          3,
          Duration.ofMinutes(1),
          Map.of());

  @Test
  void theFirstPollFallsWithinOneInterval() {
    Random rng = new Random(7);
    for (int i = 0; i < 1000; i++) {
      Duration d = SETTINGS.nextPoll(true, rng);
      assertTrue(!d.isNegative() && d.compareTo(Duration.ofMinutes(10)) < 0, d.toString());
    }
  }

  @Test
  void laterPollsAreTheIntervalPlusOrMinusTheJitter() {
    Random rng = new Random(7);
    for (int i = 0; i < 1000; i++) {
      Duration d = SETTINGS.nextPoll(false, rng);
      assertTrue(
          d.compareTo(Duration.ofMinutes(9)) >= 0 && d.compareTo(Duration.ofMinutes(11)) <= 0,
          d.toString());
    }
  }
}
