package io.fleetsim.ecu;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code fleetsim.ecu} section of the configuration. */
record EcuSettings(
    double bootFailureRate, Duration bootTime, Duration watchdogTimeout, int maxBootAttempts) {

  static EcuSettings fromConfig(Config config) {
    Config c = config.getConfig("fleetsim.ecu");
    return new EcuSettings(
        c.getDouble("boot-failure-rate"),
        c.getDuration("boot-time"),
        c.getDuration("watchdog-timeout"),
        c.getInt("max-boot-attempts"));
  }
}
