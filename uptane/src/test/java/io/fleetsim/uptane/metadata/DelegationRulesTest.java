package io.fleetsim.uptane.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which delegated role is trusted for which target path. */
class DelegationRulesTest {
  @Test
  void pathPatternsMatchSegmentBySegment() {
    assertTrue(DelegatedRole.matches("brake/*", "brake/fw.bin"));
    assertFalse(DelegatedRole.matches("brake/*", "brake/v3/fw.bin"));
    assertTrue(DelegatedRole.matches("*/fw-?.bin", "tcu/fw-3.bin"));
    assertFalse(DelegatedRole.matches("*/fw-?.bin", "tcu/fw-31.bin"));
    assertTrue(DelegatedRole.matches("*", "fw.bin"));
    assertFalse(DelegatedRole.matches("*", "a/fw.bin"));
    // Pattern characters of regular expressions are literal.
    assertTrue(DelegatedRole.matches("fw(1).bin", "fw(1).bin"));
    assertFalse(DelegatedRole.matches("fw.bin", "fwxbin"));
  }

  @Test
  void pathHashPrefixesCompareTheSha256OfThePath() {
    // sha256("brake/fw-3.0.bin") starts with d7e61d48.
    DelegatedRole bins = new DelegatedRole("bins", List.of(), 1, false, null, List.of("00", "d7e"));
    assertTrue(bins.isDelegatedPath("brake/fw-3.0.bin"));
    assertFalse(bins.isDelegatedPath("a.txt")); // 18b7cb09...
  }

  @Test
  void succinctHashBinsTakeTheLeadingBitsOfThePathHash() {
    assertEquals("bins-d7", new SuccinctRoles(List.of(), 1, 8, "bins").roleFor("brake/fw-3.0.bin"));
    assertEquals("bins-6", new SuccinctRoles(List.of(), 1, 3, "bins").roleFor("brake/fw-3.0.bin"));
    assertEquals("bins-18b", new SuccinctRoles(List.of(), 1, 12, "bins").roleFor("a.txt"));
    SuccinctRoles three = new SuccinctRoles(List.of(), 1, 3, "bins");
    assertTrue(three.isBin("bins-7"));
    assertFalse(three.isBin("bins-8"));
    assertFalse(three.isBin("bins-07"));
    assertFalse(three.isBin("other-1"));
  }

  @Test
  void aRoleNeedsPathsOrHashPrefixesNotBoth() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new DelegatedRole("r", List.of(), 1, false, List.of("*"), List.of("00")));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DelegatedRole("r", List.of(), 1, false, null, null));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Delegations(
                java.util.Map.of(),
                List.of(DelegatedRole.forPaths("snapshot", List.of(), 1, false, List.of("*"))),
                null));
  }
}
