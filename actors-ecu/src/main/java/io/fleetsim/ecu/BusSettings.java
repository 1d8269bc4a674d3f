package io.fleetsim.ecu;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Locale;

/** The {@code fleetsim.can-bus} section of the configuration, as the CanBus entity uses it. */
record BusSettings(
    int blocksPerGroup,
    double frameLossRate,
    Transport defaultTransport,
    Duration responseTimeout,
    int maxRetries,
    int rememberedResults) {

  static BusSettings fromConfig(Config config) {
    Config c = config.getConfig("fleetsim.can-bus");
    return new BusSettings(
        c.getInt("blocks-per-group"),
        c.getDouble("frame-loss-rate"),
        Transport.valueOf(c.getString("default-transport").toUpperCase(Locale.ROOT)),
        c.getDuration("response-timeout"),
        c.getInt("max-retries"),
        c.getInt("remembered-results"));
  }
}
