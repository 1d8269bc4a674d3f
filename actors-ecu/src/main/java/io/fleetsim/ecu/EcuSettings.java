package io.fleetsim.ecu;

import com.typesafe.config.Config;
import io.fleetsim.cluster.SimClock;
import java.time.Duration;

/** The {@code fleetsim.ecu} section of the configuration. */
record EcuSettings(
    double bootFailureRate,
    Duration bootTime,
    Duration watchdogTimeout,
    int maxBootAttempts,
    Duration watchdogWallMargin) {

  static EcuSettings fromConfig(Config config) {
    Config c = config.getConfig("fleetsim.ecu");
    return new EcuSettings(
        c.getDouble("boot-failure-rate"),
        c.getDuration("boot-time"),
        c.getDuration("watchdog-timeout"),
        c.getInt("max-boot-attempts"),
        c.getDuration("watchdog-wall-margin"));
  }

  /**
   * When the watchdog fires, in wall time: the simulated timeout, but never sooner than the boot
   * time plus a wall-clock margin. At a high time scale on a busy machine a healthy boot's
   * confirmation can arrive tens of wall milliseconds late, which would otherwise look like minutes
   * of simulated hang; a real hang never confirms and is still caught.
   */
  Duration watchdogWall(SimClock clock) {
    Duration simulated = clock.toWall(watchdogTimeout);
    Duration floor = clock.toWall(bootTime).plus(watchdogWallMargin);
    return simulated.compareTo(floor) >= 0 ? simulated : floor;
  }
}
