package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NetworkLinkTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static NetworkProfile ideal(long bitsPerSecond) {
    return new NetworkProfile(
        "ideal",
        Duration.ofMillis(50),
        Duration.ZERO,
        bitsPerSecond,
        0.0,
        Duration.ZERO,
        Duration.ZERO);
  }

  @Test
  void transferTimeIsLatencyPlusSerialisation() {
    NetworkLink link = new NetworkLink(ideal(8_000_000), new Random(1));
    // 1 MB at 8 Mbit/s = 1 s, plus 50 ms round trip.
    NetworkLink.Exchange e = link.exchange(1_000_000, T0);
    assertTrue(e.delivered());
    assertEquals(1, e.attempts());
    assertEquals(Duration.ofMillis(1050), e.duration());
  }

  @Test
  void lossCostsRetriesAndTime() {
    NetworkProfile lossy =
        new NetworkProfile(
            "lossy",
            Duration.ofMillis(50),
            Duration.ZERO,
            8_000_000,
            0.5,
            Duration.ZERO,
            Duration.ZERO);
    NetworkLink link = new NetworkLink(lossy, new Random(7));
    long retried = 0;
    Duration worst = Duration.ZERO;
    for (int i = 0; i < 1000; i++) {
      NetworkLink.Exchange e = link.exchange(1000, T0);
      if (e.attempts() > 1) {
        retried++;
      }
      if (e.duration().compareTo(worst) > 0) {
        worst = e.duration();
      }
    }
    assertTrue(retried > 400 && retried < 600, "about half the exchanges need a retry: " + retried);
    assertTrue(worst.compareTo(Duration.ofMillis(400)) > 0, "retries cost timeouts: " + worst);
  }

  @Test
  void outageWindowsDelayTheStartAndPauseTransfers() {
    NetworkProfile flaky =
        new NetworkProfile(
            "flaky",
            Duration.ZERO,
            Duration.ZERO,
            8_000,
            0.0,
            Duration.ofMinutes(10),
            Duration.ofMinutes(2));
    NetworkLink link = new NetworkLink(flaky, new Random(3));
    // Find a moment when the link is down: the exchange must wait until it is up.
    Instant down = T0;
    while (link.isUp(down)) {
      down = down.plusSeconds(10);
    }
    Duration wait = link.untilUp(down);
    assertTrue(wait.compareTo(Duration.ZERO) > 0 && wait.compareTo(Duration.ofMinutes(2)) <= 0);
    // 8 kbit/s: 900 bytes take 0.9 s; starting while down adds the wait.
    NetworkLink.Exchange e = link.exchange(900, down);
    assertEquals(wait.plusMillis(900), e.duration());

    // A 9-minute transfer starting just after a window must cross the next window: +2 minutes.
    Instant up = down.plus(wait);
    NetworkLink.Exchange longOne = link.exchange(9 * 60 * 1000, up);
    assertEquals(Duration.ofMinutes(11), longOne.duration());
  }

  @Test
  void profilesComeFromConfiguration() {
    Map<String, NetworkProfile> profiles = NetworkProfile.allFromConfig(ConfigFactory.load());
    assertTrue(
        profiles.keySet().containsAll(java.util.List.of("5g", "lte", "rural")),
        profiles.toString());
    NetworkProfile rural = profiles.get("rural");
    assertEquals(2_000_000, rural.bandwidthBitsPerSecond());
    assertTrue(rural.hasOutages());
    assertFalse(profiles.get("5g").hasOutages());
  }

  @Test
  void badProfilesAreRefusedWithTheField() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new NetworkProfile(
                    "x", Duration.ZERO, Duration.ZERO, 1000, 1.5, Duration.ZERO, Duration.ZERO));
    assertTrue(e.getMessage().contains("loss"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new NetworkProfile(
                    "x",
                    Duration.ZERO,
                    Duration.ZERO,
                    1000,
                    0,
                    Duration.ofMinutes(1),
                    Duration.ofMinutes(2)));
    assertTrue(e.getMessage().contains("outage-length"), e.getMessage());
  }
}
