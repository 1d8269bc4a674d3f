package io.fleetsim.vehicle;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Map;

/** The vehicle agent's settings, under {@code fleetsim.vehicle} (see reference.conf). */
public record VehicleSettings(
    Duration pollInterval,
    Duration pollJitter,
    Duration consentDelay,
    Duration askTimeout,
    Duration phaseTimeout,
    Map<String, NetworkProfile> profiles) {

  public static VehicleSettings fromConfig(Config root) {
    Config c = root.getConfig("fleetsim.vehicle");
    return new VehicleSettings(
        c.getDuration("poll-interval"),
        c.getDuration("poll-jitter"),
        c.getDuration("consent-delay"),
        c.getDuration("ask-timeout"),
        c.getDuration("phase-timeout"),
        NetworkProfile.allFromConfig(root));
  }
}
