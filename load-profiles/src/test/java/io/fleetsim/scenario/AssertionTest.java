package io.fleetsim.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Each condition at, below and above its bound; between at both ends; a missing figure. */
class AssertionTest {

  static Assertion rate(Condition c, double bound) {
    return new Assertion("campaign:canary", Statistic.SUCCESS_RATE, c, bound, bound, "" + bound);
  }

  static Figures measured(double v) {
    return (scope, statistic) ->
        scope.equals("campaign:canary") && statistic.equals("successRate")
            ? OptionalDouble.of(v)
            : OptionalDouble.empty();
  }

  static boolean holds(Assertion a, double v) {
    return a.evaluate(measured(v)).passed();
  }

  @Test
  void ltHoldsOnlyBelow() {
    Assertion a = rate(Condition.LT, 0.5);
    assertTrue(holds(a, 0.4));
    assertFalse(holds(a, 0.5));
    assertFalse(holds(a, 0.6));
  }

  @Test
  void lteHoldsBelowAndAt() {
    Assertion a = rate(Condition.LTE, 0.5);
    assertTrue(holds(a, 0.4));
    assertTrue(holds(a, 0.5));
    assertFalse(holds(a, 0.6));
  }

  @Test
  void gtHoldsOnlyAbove() {
    Assertion a = rate(Condition.GT, 0.5);
    assertFalse(holds(a, 0.4));
    assertFalse(holds(a, 0.5));
    assertTrue(holds(a, 0.6));
  }

  @Test
  void gteHoldsAtAndAbove() {
    Assertion a = rate(Condition.GTE, 0.5);
    assertFalse(holds(a, 0.4));
    assertTrue(holds(a, 0.5));
    assertTrue(holds(a, 0.6));
  }

  @Test
  void betweenIncludesBothEnds() {
    Assertion a =
        new Assertion(
            "campaign:canary", Statistic.SUCCESS_RATE, Condition.BETWEEN, 0.2, 0.8, "0.2 and 0.8");
    assertFalse(holds(a, 0.1));
    assertTrue(holds(a, 0.2));
    assertTrue(holds(a, 0.5));
    assertTrue(holds(a, 0.8));
    assertFalse(holds(a, 0.9));
  }

  @Test
  void aResultReadsAsTheAssertionAndWhatWasMeasured() {
    Assertion a = rate(Condition.GTE, 0.98);
    assertEquals(
        "campaign:canary successRate gte 0.98: measured 1.000 ✓", a.evaluate(measured(1)).text());
    Assertion.Result failed = a.evaluate(measured(0.9));
    assertEquals("campaign:canary successRate gte 0.98: measured 0.900 ✗", failed.text());
    assertEquals(OptionalDouble.of(0.9), failed.measured());
  }

  @Test
  void aMissingFigureFailsTheAssertionAndSaysSo() {
    Assertion a = new Assertion("wave:canary:3", Statistic.ROLLBACKS, Condition.LTE, 0, 0, "0");
    Assertion.Result r = a.evaluate(measured(0));
    assertFalse(r.passed());
    assertTrue(r.measured().isEmpty());
    assertEquals(
        "wave:canary:3 rollbacks lte 0: no figure for wave:canary:3 rollbacks ✗", r.text());
  }

  @Test
  void timeBoundsWrittenAsDurationsAreSeconds() throws InvalidScenario {
    Scenario s = ScenarioFile.parse("small.conf", ScenarioFileTest.SMALL);
    Assertion p99 = s.assertions().get(1); // wave:first:2 updateTimeP99 lt 15m
    Figures f =
        (scope, statistic) ->
            OptionalDouble.of(Map.of("updateTimeP99", 899.0).getOrDefault(statistic, 0.0));
    assertTrue(p99.evaluate(f).passed());
    assertEquals("wave:first:2 updateTimeP99 lt 15m: measured 899.000 s ✓", p99.evaluate(f).text());
    assertFalse(p99.evaluate((scope, statistic) -> OptionalDouble.of(900)).passed());
  }

  @Test
  void theExitCodeIsZeroWhenAllHoldAndTwoWhenOneFails() {
    Assertion.Result pass = rate(Condition.GTE, 0.5).evaluate(measured(0.6));
    Assertion.Result fail = rate(Condition.GTE, 0.5).evaluate(measured(0.4));
    assertEquals(0, Assertions.exitCode(List.of()));
    assertEquals(0, Assertions.exitCode(List.of(pass, pass)));
    assertEquals(2, Assertions.exitCode(List.of(pass, fail)));
  }

  @Test
  void aScenariosAssertionsAreEvaluatedInFileOrder() throws InvalidScenario {
    Scenario s = ScenarioFile.parse("small.conf", ScenarioFileTest.SMALL);
    List<Assertion.Result> results =
        Assertions.evaluate(
            s,
            (scope, statistic) ->
                switch (statistic) {
                  case "successRate" -> OptionalDouble.of(0.99);
                  case "updateTimeP99" -> OptionalDouble.of(600);
                  default -> OptionalDouble.empty();
                });
    assertEquals(
        List.of(
            "campaign:first successRate gte 0.98: measured 0.990 ✓",
            "wave:first:2 updateTimeP99 lt 15m: measured 600.000 s ✓",
            "run failureCount between 0 and 3: no figure for run failureCount ✗"),
        results.stream().map(Assertion.Result::text).toList());
    assertEquals(2, Assertions.exitCode(results));
  }
}
