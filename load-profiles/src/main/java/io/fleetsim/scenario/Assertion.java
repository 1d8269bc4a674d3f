package io.fleetsim.scenario;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * A check of the run's outcome, as Gatling asserts on a simulation: {@code statistic} over {@code
 * scope} must meet {@code condition}. Bounds of time statistics are seconds.
 *
 * @param scope {@code run}, {@code campaign:<id>}, {@code wave:<campaignId>:<n>} (n from 1) or
 *     {@code region:<name>}
 * @param low the bound, or the lower bound of {@code between}
 * @param high the upper bound of {@code between}; equal to {@code low} otherwise
 * @param bounds the bound(s) as the file wrote them ({@code 15m}, {@code 0.99}), for messages
 */
public record Assertion(
    String scope,
    Statistic statistic,
    Condition condition,
    double low,
    double high,
    String bounds) {

  /** The assertion as a reader writes it: {@code campaign:canary successRate gte 0.98}. */
  public String text() {
    return scope + " " + statistic.key() + " " + condition.key() + " " + bounds;
  }

  /** Whether the run's {@code figures} meet this assertion; a missing figure fails it. */
  public Result evaluate(Figures figures) {
    OptionalDouble measured = figures.value(scope, statistic.key());
    if (measured.isEmpty() || Double.isNaN(measured.getAsDouble())) {
      return new Result(
          this, OptionalDouble.empty(), false, "no figure for " + scope + " " + statistic.key());
    }
    double m = measured.getAsDouble();
    boolean holds = condition.holds(m, low, high);
    return new Result(this, measured, holds, "measured " + format(m));
  }

  private String format(double v) {
    if (statistic.isTime()) {
      return String.format(Locale.ROOT, "%.3f s", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /**
   * One assertion's outcome.
   *
   * @param measured empty when the run had no figure for it
   * @param detail {@code measured 1.000} or {@code no figure for ...}
   */
  public record Result(
      Assertion assertion, OptionalDouble measured, boolean passed, String detail) {

    /** {@code campaign:canary successRate gte 0.98: measured 1.000 ✓}. */
    public String text() {
      return assertion.text() + ": " + detail + " " + (passed ? "✓" : "✗");
    }

    @Override
    public String toString() {
      return text();
    }
  }
}
