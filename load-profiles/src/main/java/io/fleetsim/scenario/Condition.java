package io.fleetsim.scenario;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How a measured value is compared with an assertion's bound(s); {@code between} is inclusive. */
public enum Condition {
  LT,
  LTE,
  GT,
  GTE,
  BETWEEN;

  /** Whether {@code measured} holds against {@code low} (and {@code high}, for between). */
  public boolean holds(double measured, double low, double high) {
    return switch (this) {
      case LT -> measured < low;
      case LTE -> measured <= low;
      case GT -> measured > low;
      case GTE -> measured >= low;
      case BETWEEN -> measured >= low && measured <= high;
    };
  }

  /** The name a scenario file writes: {@code lt}, {@code between}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Condition> of(String key) {
    return Arrays.stream(values()).filter(c -> c.key().equals(key)).findFirst();
  }

  public static String known() {
    return String.join(", ", Arrays.stream(values()).map(Condition::key).toList());
  }
}
