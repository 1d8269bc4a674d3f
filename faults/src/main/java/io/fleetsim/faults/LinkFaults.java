package io.fleetsim.faults;

import io.fleetsim.cluster.Seeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Network faults on a vehicle's link, applied to one exchange after the link's own model has timed
 * it: a partition or a loss makes it fail, latency and a bandwidth cap make it longer. Draws (loss,
 * jitter) come from (scenario seed, rule, VIN, the exchange's start and its rank among exchanges
 * starting at that instant), so the same seed gives the same figures whatever else happens.
 *
 * <ul>
 *   <li>{@link FaultKind#PARTITION}: nothing gets through.
 *   <li>{@link FaultKind#LOSS}: lost with probability {@code rate}.
 *   <li>{@link FaultKind#LATENCY}: {@code ms} more, plus a uniform draw of 0 to {@code jitterMs}.
 *   <li>{@link FaultKind#BANDWIDTH}: the bytes also take their time at {@code kbps}.
 *   <li>{@link FaultKind#SLOW_RETRIEVAL}: an image download's bytes take their time at {@code kbps}
 *       (default 1).
 *   <li>{@link FaultKind#DUPLICATE}: with probability {@code rate} the answer arrives twice, the
 *       copy one more round trip after the first.
 *   <li>{@link FaultKind#REORDER}: with probability {@code rate} the answer is held back {@code ms}
 *       (by default one more round trip of the exchange, its whole duration again), so that what
 *       the vehicle sends meanwhile can arrive before it.
 * </ul>
 */
public final class LinkFaults {

  private LinkFaults() {}

  /**
   * The exchange as the faults leave it, and the rules that changed it; {@code duplicated}: its
   * answer arrives a second time, {@code duration} after the first; {@code heldBack}: how long
   * after {@code duration} the answer arrives ({@link FaultKind#REORDER}), zero for not held.
   */
  public record Shaped(
      Duration duration,
      boolean delivered,
      boolean duplicated,
      Duration heldBack,
      List<FaultRule> applied) {

    public Shaped {
      heldBack = heldBack == null ? Duration.ZERO : heldBack;
    }

    /** An exchange whose answer is not held back. */
    public Shaped(
        Duration duration, boolean delivered, boolean duplicated, List<FaultRule> applied) {
      this(duration, delivered, duplicated, Duration.ZERO, applied);
    }

    /** Whether the answer is held back ({@link FaultKind#REORDER}). */
    public boolean reordered() {
      return heldBack.compareTo(Duration.ZERO) > 0;
    }

    /** When the answer arrives after the exchange starts: its duration and any hold. */
    public Duration arrival() {
      return duration.plus(heldBack);
    }
  }

  /**
   * Applies {@code acting} to an exchange of {@code bytes} by {@code vin} starting at {@code
   * startMillis} (the {@code rank}-th to start then), which the link alone would carry in {@code
   * duration} ({@code delivered} false when it lost it).
   */
  public static Shaped shape(
      List<FaultRule> acting,
      long scenarioSeed,
      String vin,
      long startMillis,
      int rank,
      long bytes,
      boolean imageDownload,
      Duration duration,
      boolean delivered) {
    if (acting.isEmpty() || !delivered) {
      return new Shaped(duration, delivered, false, List.of());
    }
    Duration d = duration;
    boolean duplicated = false;
    FaultRule reorder = null;
    List<FaultRule> applied = new ArrayList<>(1);
    for (FaultRule rule : acting) {
      switch (rule.kind()) {
        case PARTITION -> {
          applied.add(rule);
          return new Shaped(d, false, false, applied);
        }
        case LOSS -> {
          if (draw(scenarioSeed, rule, vin, startMillis, rank) < rule.param("rate", 0)) {
            applied.add(rule);
            return new Shaped(d, false, false, applied);
          }
        }
        case LATENCY -> {
          double jitter = rule.param("jitterMs", 0);
          long extra =
              (long) rule.param("ms", 0)
                  + (long) (jitter * draw(scenarioSeed, rule, vin, startMillis, rank));
          if (extra > 0) {
            d = d.plusMillis(extra);
            applied.add(rule);
          }
        }
        case BANDWIDTH -> {
          d = d.plus(atRate(bytes, rule.param("kbps", 0)));
          applied.add(rule);
        }
        case SLOW_RETRIEVAL -> {
          if (imageDownload) {
            d = d.plus(atRate(bytes, rule.param("kbps", 1)));
            applied.add(rule);
          }
        }
        case DUPLICATE -> {
          if (!duplicated
              && draw(scenarioSeed, rule, vin, startMillis, rank) < rule.param("rate", 0)) {
            duplicated = true;
            applied.add(rule);
          }
        }
        case REORDER -> {
          if (reorder == null
              && draw(scenarioSeed, rule, vin, startMillis, rank) < rule.param("rate", 0)) {
            reorder = rule;
            applied.add(rule);
          }
        }
        default -> {}
      }
    }
    return new Shaped(d, true, duplicated, heldBack(reorder, d), applied);
  }

  /**
   * How long {@code rule} (a reorder, or null) holds back an answer the link carries in {@code
   * duration}: {@code ms}, or by default one more round trip of the exchange, {@code duration}
   * again (at least a millisecond, so that it is held at all).
   */
  static Duration heldBack(FaultRule rule, Duration duration) {
    if (rule == null) {
      return Duration.ZERO;
    }
    long ms = (long) rule.param("ms", 0);
    Duration held = ms > 0 ? Duration.ofMillis(ms) : duration;
    return held.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : held;
  }

  /** How long {@code bytes} take at {@code kbps} kilobits per second (no cap below 0.001). */
  static Duration atRate(long bytes, double kbps) {
    if (kbps <= 0) {
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) (bytes * 8.0 / (Math.max(kbps, 0.001) * 1000) * 1e9));
  }

  private static double draw(long seed, FaultRule rule, String vin, long startMillis, int rank) {
    String key = "link-fault:" + rule.id() + ":" + vin;
    return Seeds.draw(seed, key, Seeds.splitMix64(startMillis * 31 + rank));
  }
}
