package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A vehicle's polls: a schedule of its own, a function of its seed and the poll number, one poll
 * per interval within the interval ± the jitter.
 */
class VehicleSettingsTest {

  static final long MINUTE = 60_000;

  static VehicleSettings settings(Duration interval, Duration jitter) {
    return new VehicleSettings(
        interval,
        jitter,
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        Duration.ofMinutes(15),
        3,
        Duration.ofMinutes(1),
        Map.of(),
        true,
        DriveProfile.ALWAYS_PARKED);
  }

  static final VehicleSettings SETTINGS = settings(Duration.ofMinutes(10), Duration.ofMinutes(1));

  /** The poll instants from {@code from}, following the schedule poll after poll. */
  static List<Long> polls(VehicleSettings s, long seed, long from, int n) {
    List<Long> at = new ArrayList<>();
    long now = from;
    for (int i = 0; i < n; i++) {
      now += s.untilNextPoll(seed, now).toMillis();
      at.add(now);
    }
    return at;
  }

  @Test
  void theFirstPollFallsWithinOneIntervalAndLaterOnesTheIntervalApartPlusOrMinusTwiceTheJitter() {
    for (long seed = 0; seed < 200; seed++) {
      List<Long> at = polls(SETTINGS, seed, 5_000_000, 20);
      long first = at.get(0) - 5_000_000;
      assertTrue(first > 0 && first <= 11 * MINUTE, "first after " + first);
      for (int i = 1; i < at.size(); i++) {
        long gap = at.get(i) - at.get(i - 1);
        assertTrue(gap >= 8 * MINUTE && gap <= 12 * MINUTE, "gap " + gap);
      }
    }
  }

  @Test
  void theScheduleIsAFunctionOfTheSeedAloneWhereverOneStartsFollowingIt() {
    List<Long> all = polls(SETTINGS, 42, 0, 30);
    // starting to follow it anywhere between two polls finds the same next polls
    for (int i = 0; i + 5 < all.size(); i++) {
      long between = all.get(i) + (all.get(i + 1) - all.get(i)) / 3;
      assertEquals(all.subList(i + 1, i + 6), polls(SETTINGS, 42, between, 5));
      assertEquals(all.subList(i + 1, i + 6), polls(SETTINGS, 42, all.get(i), 5));
    }
    assertNotEquals(all, polls(SETTINGS, 43, 0, 30));
  }

  @Test
  void withoutJitterThePollsAreExactlyOneIntervalApart() {
    List<Long> at = polls(settings(Duration.ofHours(24), Duration.ZERO), 9, 0, 5);
    for (int i = 1; i < at.size(); i++) {
      assertEquals(24 * 60 * MINUTE, at.get(i) - at.get(i - 1));
    }
  }

  @Test
  void aJitterOfHalfTheIntervalOrMoreIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> settings(Duration.ofMinutes(10), Duration.ofMinutes(5)));
    assertTrue(e.getMessage().contains("poll-jitter"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> settings(Duration.ZERO, Duration.ZERO));
  }
}
