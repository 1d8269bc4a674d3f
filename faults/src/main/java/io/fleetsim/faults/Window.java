package io.fleetsim.faults;

import io.fleetsim.cluster.CborSerializable;
import java.time.Duration;
import java.time.Instant;

/**
 * When a rule acts, in simulated time: from {@code startMillis} (inclusive) to {@code endMillis}
 * (exclusive): simulated instants as epoch milliseconds ({@code SimClock.now().toEpochMilli()}, not
 * the clock's milliseconds since its own epoch); {@link Long#MAX_VALUE} as the end means until the
 * rule is removed.
 */
public record Window(long startMillis, long endMillis) implements CborSerializable {
  public static final long OPEN = Long.MAX_VALUE;

  public Window {
    if (endMillis <= startMillis) {
      throw new IllegalArgumentException(
          "a fault window ends after it starts: start " + startMillis + ", end " + endMillis);
    }
  }

  /** From {@code start} until the rule is removed. */
  public static Window from(Instant start) {
    return new Window(start.toEpochMilli(), OPEN);
  }

  /** From {@code start} for {@code duration}. */
  public static Window of(Instant start, Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("a fault window lasts longer than zero, got " + duration);
    }
    return new Window(start.toEpochMilli(), start.toEpochMilli() + duration.toMillis());
  }

  /** Whether the rule acts at {@code nowMillis}: an end is exclusive, so windows can abut. */
  public boolean contains(long nowMillis) {
    return nowMillis >= startMillis && nowMillis < endMillis;
  }
}
