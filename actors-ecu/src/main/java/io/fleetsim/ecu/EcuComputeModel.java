package io.fleetsim.ecu;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What an ECU's processor costs in simulated time for the checks of a download, per {@link
 * EcuType}: a time per Ed25519 signature verification and a SHA-256 hashing rate. The checks
 * themselves run for real (the host CPU's time is not simulated time); this model says how long the
 * ECU would have needed, and the {@link Ecu} answers the request after exactly that long.
 *
 * <ul>
 *   <li>RequestDownload: partial verification of the director's targets checks signatures until the
 *       threshold is met, so it costs {@code directorThreshold} verifications ({@link
 *       #requestDownloadTime}). A resumed download (the transfer already open) verifies nothing and
 *       is answered at once.
 *   <li>RequestTransferExit: one SHA-256 pass over the whole image at the hashing rate ({@link
 *       #transferExitTime}), whether the hash then matches or not; an exit refused because bytes
 *       are missing hashes nothing and is answered at once.
 * </ul>
 *
 * <p>Every duration is a whole number of milliseconds, rounded up, which is what the clock waits
 * for it ({@code SimClock.delayMillis}), so modelled durations can be summed to the exact simulated
 * time of an update. Settings: {@code fleetsim.ecu.compute} (defaults for Cortex-M class engine and
 * chassis ECUs, faster application processors for infotainment, telematics, ADAS and gateway).
 * {@link CanBus#modelledTransferTime} adds these to the wire, flash and boot times.
 *
 * <p>The ECU sends no UDS "response pending" (NRC 0x78) meanwhile: a check longer than the bus's
 * {@code response-timeout} is asked for again (the answer then goes to the latest request), and one
 * longer than all its retries together fails the transfer.
 */
public final class EcuComputeModel {

  /**
   * One processor: {@code signatureVerifyTime} per Ed25519 verification, {@code hashBytesPerSecond}
   * of SHA-256.
   */
  public record Cost(Duration signatureVerifyTime, long hashBytesPerSecond) {
    public static final Cost FREE = new Cost(Duration.ZERO, Long.MAX_VALUE);

    public Cost {
      Objects.requireNonNull(signatureVerifyTime, "signatureVerifyTime");
      if (signatureVerifyTime.isNegative()) {
        throw new IllegalArgumentException("signature verify time must not be negative");
      }
      if (hashBytesPerSecond <= 0) {
        throw new IllegalArgumentException("hash rate must be positive: " + hashBytesPerSecond);
      }
    }

    /** {@code signatures} verifications, rounded up to the whole millisecond. */
    public Duration signatureTime(int signatures) {
      if (signatures < 0) {
        throw new IllegalArgumentException("negative signature count: " + signatures);
      }
      return ceilMillis(signatureVerifyTime.multipliedBy(signatures));
    }

    /** Hashing {@code bytes}, rounded up to the whole millisecond. */
    public Duration hashTime(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("negative byte count: " + bytes);
      }
      if (hashBytesPerSecond == Long.MAX_VALUE || bytes == 0) {
        return Duration.ZERO;
      }
      // ceil(bytes * 1000 / rate) without overflow for any image size
      long whole = bytes / hashBytesPerSecond;
      long rest = bytes % hashBytesPerSecond;
      long restMillis =
          hashBytesPerSecond > Long.MAX_VALUE / 1000
              ? (long) Math.ceil(rest * 1000.0 / hashBytesPerSecond)
              : -Math.floorDiv(-rest * 1000L, hashBytesPerSecond);
      return Duration.ofSeconds(whole).plusMillis(restMillis);
    }
  }

  private static final EcuComputeModel NONE = new EcuComputeModel(Cost.FREE, Map.of());

  private final Cost defaults;
  private final Map<EcuType, Cost> byType;

  /** A model with {@code defaults} for every type not in {@code byType}. */
  public EcuComputeModel(Cost defaults, Map<EcuType, Cost> byType) {
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    this.byType = byType.isEmpty() ? Map.of() : new EnumMap<>(byType);
  }

  /** Checks cost no simulated time (the model switched off). */
  public static EcuComputeModel none() {
    return NONE;
  }

  /** {@code fleetsim.ecu.compute}; {@link #none()} when {@code enabled = off}. */
  public static EcuComputeModel fromConfig(Config config) {
    Config c = config.getConfig("fleetsim.ecu.compute");
    if (!c.getBoolean("enabled")) {
      return NONE;
    }
    Config base = c.getConfig("default");
    Cost defaults = cost(base);
    Map<EcuType, Cost> byType = new EnumMap<>(EcuType.class);
    Config types = c.getConfig("by-type");
    for (String key : types.root().keySet()) {
      EcuType type;
      try {
        type = EcuType.valueOf(key.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "fleetsim.ecu.compute.by-type." + key + " names no ECU type", e);
      }
      byType.put(type, cost(types.getConfig(key).withFallback(base)));
    }
    return new EcuComputeModel(defaults, byType);
  }

  private static Cost cost(Config c) {
    return new Cost(c.getDuration("signature-verify-time"), c.getBytes("hash-rate"));
  }

  /** The processor of an ECU of {@code type}. */
  public Cost cost(EcuType type) {
    return byType.getOrDefault(type, defaults);
  }

  /**
   * Modelled time of the verification behind an accepted or refused RequestDownload: {@code
   * directorThreshold} signature verifications on the ECU's processor.
   */
  public Duration requestDownloadTime(EcuProfile profile) {
    return cost(profile.type()).signatureTime(profile.directorThreshold());
  }

  /** Modelled time of the image check behind RequestTransferExit: hashing {@code imageBytes}. */
  public Duration transferExitTime(EcuProfile profile, long imageBytes) {
    return cost(profile.type()).hashTime(imageBytes);
  }

  /**
   * Everything the ECU's checks add to one install that goes through: {@link #requestDownloadTime}
   * plus {@link #transferExitTime}.
   */
  public Duration verificationTime(EcuProfile profile, long imageBytes) {
    return requestDownloadTime(profile).plus(transferExitTime(profile, imageBytes));
  }

  private static Duration ceilMillis(Duration d) {
    Duration whole = Duration.ofMillis(d.toMillis());
    return whole.equals(d) ? whole : whole.plusMillis(1);
  }

  @Override
  public String toString() {
    return "EcuComputeModel(default " + defaults + ", by type " + byType + ")";
  }
}
