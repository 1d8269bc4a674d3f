package io.fleetsim.vehicle;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

/** The vehicle agent's settings, under {@code fleetsim.vehicle} (see reference.conf). */
public record VehicleSettings(
    Duration pollInterval,
    Duration pollJitter,
    Duration consentDelay,
    Duration askTimeout,
    Duration phaseTimeout,
    int downloadAttempts,
    Duration downloadRetryAfter,
    Map<String, NetworkProfile> profiles) {

  /**
   * When to poll next: the first poll after a start at a uniformly drawn point of one interval (a
   * fleet started together does not poll together), later ones after the interval ± the jitter.
   */
  Duration nextPoll(boolean first, Random rng) {
    double jitter = (rng.nextDouble() * 2 - 1) * pollJitter.toMillis();
    return first
        ? Duration.ofMillis((long) (rng.nextDouble() * pollInterval.toMillis()))
        : pollInterval.plusMillis((long) jitter);
  }

  public static VehicleSettings fromConfig(Config root) {
    Config c = root.getConfig("fleetsim.vehicle");
    return new VehicleSettings(
        c.getDuration("poll-interval"),
        c.getDuration("poll-jitter"),
        c.getDuration("consent-delay"),
        c.getDuration("ask-timeout"),
        c.getDuration("phase-timeout"),
        c.getInt("download-attempts"),
        c.getDuration("download-retry-after"),
        NetworkProfile.allFromConfig(root));
  }
}
