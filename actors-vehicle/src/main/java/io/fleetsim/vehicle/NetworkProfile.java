package io.fleetsim.vehicle;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a vehicle's cellular link behaves: latency and jitter per request, bandwidth, the chance that
 * a request is lost and must be retried, and recurring disconnection windows (tunnels, garages,
 * rural dead zones).
 *
 * @param outageEvery period of the disconnection windows; zero means the link never drops
 * @param outageLength how long each window lasts
 */
public record NetworkProfile(
    String name,
    Duration latency,
    Duration jitter,
    long bandwidthBitsPerSecond,
    double loss,
    Duration outageEvery,
    Duration outageLength) {

  public NetworkProfile {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("network profile: name must not be empty");
    }
    requireNonNegative(name, "latency", latency);
    requireNonNegative(name, "jitter", jitter);
    requireNonNegative(name, "outage-every", outageEvery);
    requireNonNegative(name, "outage-length", outageLength);
    if (bandwidthBitsPerSecond <= 0) {
      throw new IllegalArgumentException(
          "network profile " + name + ": bandwidth must be > 0, was " + bandwidthBitsPerSecond);
    }
    if (!(loss >= 0.0 && loss < 1.0)) {
      throw new IllegalArgumentException(
          "network profile " + name + ": loss must be within [0, 1), was " + loss);
    }
    if (!outageEvery.isZero() && outageLength.compareTo(outageEvery) >= 0) {
      throw new IllegalArgumentException(
          "network profile "
              + name
              + ": outage-length ("
              + outageLength
              + ") must be shorter than outage-every ("
              + outageEvery
              + ")");
    }
  }

  private static void requireNonNegative(String profile, String field, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(
          "network profile " + profile + ": " + field + " must be >= 0, was " + d);
    }
  }

  public boolean hasOutages() {
    return !outageEvery.isZero() && !outageLength.isZero();
  }

  /**
   * Reads one profile from a config block such as {@code fleetsim.vehicle.network-profiles.lte}.
   */
  public static NetworkProfile fromConfig(String name, Config c) {
    return new NetworkProfile(
        name,
        c.getDuration("latency"),
        c.getDuration("jitter"),
        Math.round(c.getDouble("bandwidth-mbit") * 1_000_000),
        c.getDouble("loss"),
        c.getDuration("outage-every"),
        c.getDuration("outage-length"));
  }

  /** All profiles under {@code fleetsim.vehicle.network-profiles}, in configuration order. */
  public static Map<String, NetworkProfile> allFromConfig(Config root) {
    Config profiles = root.getConfig("fleetsim.vehicle.network-profiles");
    Map<String, NetworkProfile> result = new LinkedHashMap<>();
    profiles.root().keySet().stream()
        .sorted()
        .forEach(name -> result.put(name, fromConfig(name, profiles.getConfig(name))));
    return result;
  }
}
