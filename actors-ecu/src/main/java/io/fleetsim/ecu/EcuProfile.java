package io.fleetsim.ecu;

import io.fleetsim.cluster.CborSerializable;
import java.util.List;
import java.util.Objects;

/**
 * What an ECU is and holds when it leaves the factory (or joins the simulated fleet); {@code
 * region} is its vehicle's, which fault rules may select by (null when not known).
 */
public record EcuProfile(
    EcuType type,
    String hardwareId,
    String ecuSerial,
    Transport transport,
    long flashBytesPerSecond,
    List<String> directorTargetsKeys,
    int directorThreshold,
    Bank installed,
    String region)
    implements CborSerializable {

  public EcuProfile {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(transport, "transport");
    if (hardwareId == null || hardwareId.isBlank() || ecuSerial == null || ecuSerial.isBlank()) {
      throw new IllegalArgumentException("hardware id and ECU serial are required");
    }
    if (flashBytesPerSecond <= 0) {
      throw new IllegalArgumentException("flash speed must be positive");
    }
    directorTargetsKeys = List.copyOf(directorTargetsKeys);
    if (directorThreshold < 1 || directorThreshold > directorTargetsKeys.size()) {
      throw new IllegalArgumentException("director threshold must be within 1..number of keys");
    }
    if (installed == null || !installed.valid()) {
      throw new IllegalArgumentException("an ECU is provisioned with a valid installed image");
    }
  }
}
