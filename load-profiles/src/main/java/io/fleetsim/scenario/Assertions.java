package io.fleetsim.scenario;

import java.util.List;

/** A run's assertions taken together, as CI reads them. */
public final class Assertions {

  /** Exit status when every assertion holds. */
  public static final int ALL_HOLD = 0;

  /** Exit status when at least one assertion fails (as Gatling's). */
  public static final int ONE_FAILS = 2;

  private Assertions() {}

  /** Every assertion of {@code scenario} evaluated against {@code figures}, in file order. */
  public static List<Assertion.Result> evaluate(Scenario scenario, Figures figures) {
    return scenario.assertions().stream().map(a -> a.evaluate(figures)).toList();
  }

  /** 0 when all hold (or there are none), 2 when one fails. */
  public static int exitCode(List<Assertion.Result> results) {
    return results.stream().allMatch(Assertion.Result::passed) ? ALL_HOLD : ONE_FAILS;
  }
}
