package io.fleetsim.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The draws and the hold of {@link FaultKind#REORDER}: a share {@code rate} of exchanges held back
 * {@code ms}, by default one more round trip of the exchange, drawn from (seed, rule, VIN, start,
 * rank) so that the same seed holds back the same exchanges.
 */
class ReorderTest {

  static final String VIN = "FSIMREORDER000001";
  static final Duration BASE = Duration.ofMillis(80);

  static FaultRule reorder(String id, Map<String, Double> params) {
    return new FaultRule(id, FaultKind.REORDER, Selector.all(), params, Window.from(Instant.EPOCH));
  }

  static LinkFaults.Shaped shape(FaultRule rule, long seed, long start, int rank) {
    return LinkFaults.shape(List.of(rule), seed, VIN, start, rank, 100, false, BASE, true);
  }

  @Test
  void aReorderIsALinkFaultAVehicleRidesOut() {
    assertEquals(Point.LINK, FaultKind.REORDER.point());
    assertEquals(Optional.empty(), FaultKind.REORDER.expectedCheck());
    assertFalse(FaultKind.REORDER.isAttack());
    assertFalse(FaultKind.REORDER.isCaught());
    assertEquals(FaultKind.REORDER, FaultKind.parse("reorder"));
    List<FaultKind> kinds = List.of(FaultKind.values());
    assertEquals(kinds.indexOf(FaultKind.DUPLICATE) + 1, kinds.indexOf(FaultKind.REORDER));
  }

  @Test
  void atRateOneEveryAnswerIsHeldOneMoreRoundTripByDefault() {
    FaultRule always = reorder("always", Map.of("rate", 1.0));
    for (int i = 0; i < 50; i++) {
      LinkFaults.Shaped s = shape(always, 42, 1000 + i * 7L, i % 3);
      assertTrue(s.delivered());
      assertTrue(s.reordered());
      assertFalse(s.duplicated());
      assertEquals(BASE, s.duration(), "the exchange itself takes no longer");
      assertEquals(BASE, s.heldBack(), "held one more round trip of the exchange");
      assertEquals(BASE.multipliedBy(2), s.arrival());
      assertEquals(List.of(always), s.applied());
    }
  }

  @Test
  void atRateZeroNothingIsHeld() {
    FaultRule never = reorder("never", Map.of("rate", 0.0));
    FaultRule unset = reorder("unset", Map.of());
    for (int i = 0; i < 50; i++) {
      for (FaultRule r : List.of(never, unset)) {
        LinkFaults.Shaped s = shape(r, 42, 1000 + i * 7L, 0);
        assertFalse(s.reordered(), r.id());
        assertEquals(Duration.ZERO, s.heldBack());
        assertEquals(BASE, s.arrival());
        assertEquals(List.of(), s.applied());
      }
    }
  }

  @Test
  void msSetsTheHoldAndALostExchangeHasNothingToHold() {
    FaultRule long3h = reorder("long", Map.of("rate", 1.0, "ms", 3 * 3_600_000.0));
    LinkFaults.Shaped s = shape(long3h, 42, 1000, 0);
    assertEquals(Duration.ofHours(3), s.heldBack());
    assertEquals(BASE.plusHours(3), s.arrival());
    LinkFaults.Shaped lost =
        LinkFaults.shape(List.of(long3h), 42, VIN, 1000, 0, 100, false, BASE, false);
    assertFalse(lost.delivered());
    assertFalse(lost.reordered());
    // the default hold follows the exchange as the other faults leave it (latency added first)
    FaultRule slow =
        new FaultRule(
            "slow",
            FaultKind.LATENCY,
            Selector.all(),
            Map.of("ms", 20.0),
            Window.from(Instant.EPOCH));
    LinkFaults.Shaped both =
        LinkFaults.shape(
            List.of(reorder("r", Map.of("rate", 1.0)), slow),
            42,
            VIN,
            1000,
            0,
            100,
            false,
            BASE,
            true);
    assertEquals(Duration.ofMillis(100), both.duration());
    assertEquals(Duration.ofMillis(100), both.heldBack());
  }

  @Test
  void aPartialRateHoldsASeededShareTheSameForTheSameSeed() {
    FaultRule half = reorder("half", Map.of("rate", 0.5));
    int held = 0;
    int differs = 0;
    for (int i = 0; i < 200; i++) {
      long start = 5_000 + i * 13L;
      boolean first = shape(half, 42, start, i % 2).reordered();
      assertEquals(first, shape(half, 42, start, i % 2).reordered(), "same seed, same draw");
      held += first ? 1 : 0;
      differs += first != shape(half, 43, start, i % 2).reordered() ? 1 : 0;
    }
    assertTrue(held > 70 && held < 130, held + " of 200");
    assertTrue(differs > 50, "another seed holds others back: " + differs);
    // the rank among exchanges starting at one instant is drawn for as well
    int rankDiffers = 0;
    for (int i = 0; i < 200; i++) {
      long start = 9_000 + i * 17L;
      rankDiffers +=
          shape(half, 42, start, 0).reordered() != shape(half, 42, start, 1).reordered() ? 1 : 0;
    }
    assertTrue(rankDiffers > 50, rankDiffers + " of 200");
  }

  @Test
  void aReorderAndADuplicateOfOneExchangeAreDrawnApart() {
    FaultRule r = reorder("r", Map.of("rate", 1.0));
    FaultRule d =
        new FaultRule(
            "d",
            FaultKind.DUPLICATE,
            Selector.all(),
            Map.of("rate", 1.0),
            Window.from(Instant.EPOCH));
    LinkFaults.Shaped s = LinkFaults.shape(List.of(d, r), 42, VIN, 1000, 0, 100, false, BASE, true);
    assertTrue(s.duplicated());
    assertTrue(s.reordered());
    assertEquals(List.of(d, r), s.applied());
  }
}
