package io.fleetsim.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultRuleTest {

  private static final Window W = new Window(1_000, 2_000);

  private static FaultRule rule(String id, Map<String, Double> params) {
    return new FaultRule(id, FaultKind.LOSS, Selector.all(), params, W);
  }

  @Test
  void anIdIsOneTo64LettersDigitsDotsUnderscoresOrDashes() {
    assertEquals("loss-eu_1.a", rule("loss-eu_1.a", null).id());
    assertEquals(64, rule("a".repeat(64), null).id().length());
    for (String bad :
        new String[] {"", " ", "-leading-dash", "has space", "slash/", "a".repeat(65)}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> rule(bad, null), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> rule(null, null));
  }

  @Test
  void aRuleNeedsAKindASelectorAndAWindow() {
    assertThrows(
        IllegalArgumentException.class, () -> new FaultRule("r", null, Selector.all(), null, W));
    assertThrows(
        IllegalArgumentException.class, () -> new FaultRule("r", FaultKind.LOSS, null, null, W));
    assertThrows(
        IllegalArgumentException.class,
        () -> new FaultRule("r", FaultKind.LOSS, Selector.all(), null, null));
  }

  @Test
  void parametersAreNumbersAtLeastZero() {
    IllegalArgumentException negative =
        assertThrows(IllegalArgumentException.class, () -> rule("r", Map.of("ms", -1.0)));
    assertTrue(negative.getMessage().contains("ms"), negative.getMessage());
    assertThrows(IllegalArgumentException.class, () -> rule("r", Map.of("ms", Double.NaN)));
    Map<String, Double> missing = new HashMap<>();
    missing.put("ms", null);
    assertThrows(IllegalArgumentException.class, () -> rule("r", missing));
    assertEquals(0.0, rule("r", Map.of("ms", 0.0)).param("ms", 5));
  }

  @Test
  void aRateIsAShareBetween0And1() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> rule("r", Map.of("rate", 1.5)));
    assertTrue(e.getMessage().contains("1.5"), e.getMessage());
    assertEquals(1.0, rule("r", Map.of("rate", 1.0)).param("rate", 0));
  }

  @Test
  void aParameterNotSetFallsBack() {
    FaultRule r = rule("r", Map.of("ms", 250.0));
    assertEquals(250.0, r.param("ms", 0));
    assertEquals(7.0, r.param("jitterMs", 7));
    assertEquals(Map.of(), rule("r", null).params());
  }

  @Test
  void parametersAreCopied() {
    Map<String, Double> params = new HashMap<>(Map.of("ms", 1.0));
    FaultRule r = rule("r", params);
    params.put("ms", 2.0);
    assertEquals(1.0, r.param("ms", 0));
  }

  @Test
  void aRuleTouchesASubjectItSelectsWhileItsWindowIsOpen() {
    FaultRule r =
        new FaultRule("r", FaultKind.LOSS, Selector.vins(java.util.Set.of("VIN1")), null, W);
    Subject vin1 = Subject.vehicle("VIN1", null, null);
    assertTrue(r.touches(vin1, 1_000, 42));
    assertFalse(r.touches(vin1, 999, 42));
    assertFalse(r.touches(vin1, 2_000, 42));
    assertFalse(r.touches(Subject.vehicle("VIN2", null, null), 1_500, 42));
  }
}
