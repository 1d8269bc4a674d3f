package io.fleetsim.vehicle;

import com.typesafe.config.Config;
import io.fleetsim.cluster.Seeds;
import java.time.Duration;
import java.util.Map;

/** The vehicle agent's settings, under {@code fleetsim.vehicle} (see reference.conf). */
public record VehicleSettings(
    Duration pollInterval,
    Duration pollJitter,
    Duration consentDelay,
    Duration askTimeout,
    Duration phaseTimeout,
    int downloadAttempts,
    Duration downloadRetryAfter,
    Map<String, NetworkProfile> profiles,
    boolean skipForeseenPolls,
    DriveProfile drive) {

  public VehicleSettings {
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("fleetsim.vehicle.poll-interval must be positive");
    }
    if (pollJitter.isNegative() || pollJitter.multipliedBy(2).compareTo(pollInterval) >= 0) {
      throw new IllegalArgumentException(
          "fleetsim.vehicle.poll-jitter must be at least 0 and less than half the poll-interval ("
              + pollInterval
              + "), was "
              + pollJitter);
    }
  }

  /**
   * The simulated time from {@code nowMillis} to the vehicle's next poll. A vehicle's polls fall on
   * a schedule of its own: poll {@code n} at {@code offset + n * interval + jitter(n)}, the offset
   * uniform in one interval (a fleet does not poll together) and the jitter uniform in ± {@code
   * poll-jitter}, both drawn from the vehicle's seed and {@code n} alone. The schedule is a pure
   * function of (seed, VIN, poll number), so it is the same whether the vehicle stayed in memory,
   * was passivated or restarted. The next poll is the first strictly after now.
   */
  Duration untilNextPoll(long vehicleSeed, long nowMillis) {
    long interval = pollInterval.toMillis();
    long offset = Math.floorMod(Seeds.splitMix64(vehicleSeed), interval);
    long n = Math.floorDiv(nowMillis - offset, interval);
    for (long k = n - 1; ; k++) {
      long at = pollAt(vehicleSeed, offset, interval, k);
      if (at > nowMillis) {
        return Duration.ofMillis(at - nowMillis);
      }
    }
  }

  private long pollAt(long seed, long offset, long interval, long n) {
    long jitter = pollJitter.toMillis();
    if (jitter == 0) {
      return offset + n * interval;
    }
    double u = Seeds.unit(Seeds.splitMix64(seed ^ Seeds.splitMix64(n)));
    return offset + n * interval + Math.round((u * 2 - 1) * jitter);
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
        NetworkProfile.allFromConfig(root),
        c.getBoolean("skip-foreseen-polls"),
        DriveProfile.fromConfig(root));
  }
}
