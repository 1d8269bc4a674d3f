package io.fleetsim.uptane.repository;

import io.fleetsim.uptane.metadata.Role;
import java.time.Duration;

/** How long each role's metadata stays valid after it is signed. */
public record Expiries(Duration root, Duration targets, Duration snapshot, Duration timestamp) {
  public Expiries {
    for (Duration d : new Duration[] {root, targets, snapshot, timestamp}) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("expiry durations must be positive");
      }
    }
  }

  /** The usual TUF spread: a year for root, down to a day for timestamp. */
  public static Expiries defaults() {
    return new Expiries(
        Duration.ofDays(365), Duration.ofDays(90), Duration.ofDays(7), Duration.ofDays(1));
  }

  public Duration forRole(Role role) {
    switch (role) {
      case ROOT:
        return root;
      case TARGETS:
        return targets;
      case SNAPSHOT:
        return snapshot;
      default:
        return timestamp;
    }
  }
}
