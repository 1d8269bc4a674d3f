package io.fleetsim.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.Attack;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FaultKindTest {

  @Test
  void parsesWhatAUserWrites() {
    assertEquals(FaultKind.BAD_SIGNATURE, FaultKind.parse("bad-signature"));
    assertEquals(FaultKind.ROLLBACK, FaultKind.parse(" Rollback "));
    assertEquals(FaultKind.SLOW_RETRIEVAL, FaultKind.parse("SLOW_RETRIEVAL"));
  }

  @Test
  void anUnknownKindNamesItselfAndEveryKnownKind() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FaultKind.parse("meteor-strike"));
    assertTrue(e.getMessage().contains("'meteor-strike'"), e.getMessage());
    for (FaultKind k : FaultKind.values()) {
      String written = k.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
      assertTrue(e.getMessage().contains(written), written + " in: " + e.getMessage());
    }
  }

  @Test
  void attacksNameTheCheckExpectedToCatchThem() {
    assertEquals(Optional.of(Attack.BAD_SIGNATURE.name()), FaultKind.BAD_SIGNATURE.expectedCheck());
    assertEquals(Optional.of(Attack.UNKNOWN_KEY.name()), FaultKind.UNTRUSTED_KEY.expectedCheck());
    assertEquals(Optional.of(FaultKind.TIMEOUT), FaultKind.DROP_REQUEST.expectedCheck());
    assertTrue(FaultKind.FREEZE.isAttack());
  }

  @Test
  void faultsAVehicleRidesOutAreNotAttacks() {
    for (FaultKind k :
        new FaultKind[] {
          FaultKind.LATENCY, FaultKind.LOSS, FaultKind.PARTITION, FaultKind.BANDWIDTH
        }) {
      assertFalse(k.isAttack(), k.name());
      assertEquals(Optional.empty(), k.expectedCheck());
    }
  }

  @Test
  void aCorruptionIsCaughtByAnyCheckButIsNoAttack() {
    assertEquals(Optional.of(FaultKind.ANY), FaultKind.CORRUPT.expectedCheck());
    assertFalse(FaultKind.CORRUPT.isAttack());
    assertTrue(FaultKind.CORRUPT.isCaught());
    assertTrue(FaultKind.CORRUPT.caughtBy("MALFORMED"));
    assertTrue(FaultKind.CORRUPT.caughtBy(FaultKind.TIMEOUT));
    assertTrue(FaultKind.BAD_SIGNATURE.caughtBy("BAD_SIGNATURE"));
    assertFalse(FaultKind.BAD_SIGNATURE.caughtBy("MIX_AND_MATCH"));
    assertFalse(FaultKind.DUPLICATE.isCaught());
    assertEquals(Optional.of(FaultKind.TIMEOUT), FaultKind.PARTIAL_BUNDLE.expectedCheck());
    assertEquals(Optional.of(FaultKind.TIMEOUT), FaultKind.REPOSITORY_DOS.expectedCheck());
    assertTrue(FaultKind.REPOSITORY_DOS.isAttack());
  }

  @Test
  void eachKindActsAtAPoint() {
    assertEquals(Point.LINK, FaultKind.LATENCY.point());
    assertEquals(Point.ECU, FaultKind.BOOT_CRASH.point());
    assertEquals(Point.ECU, FaultKind.BOOT_HANG.point());
    assertEquals(Point.ECU, FaultKind.BOOT_SELF_TEST_FAIL.point());
    assertEquals(Point.ECU, FaultKind.FLASH_WRITE_ERROR.point());
    assertEquals(Point.BUS, FaultKind.CAN_FRAME_LOSS.point());
    assertEquals(Point.BUS, FaultKind.BUS_OFF.point());
    assertEquals(Point.BUS, FaultKind.BUS_TAMPERED_IMAGE.point());
  }

  @Test
  void anImageTamperedOnTheBusIsAnAttackTheImageHashCatches() {
    assertEquals(
        Optional.of(Attack.ARBITRARY_SOFTWARE.name()),
        FaultKind.BUS_TAMPERED_IMAGE.expectedCheck());
    for (FaultKind k :
        new FaultKind[] {
          FaultKind.BOOT_HANG,
          FaultKind.BOOT_SELF_TEST_FAIL,
          FaultKind.FLASH_WRITE_ERROR,
          FaultKind.CAN_FRAME_LOSS,
          FaultKind.BUS_OFF
        }) {
      assertFalse(k.isAttack(), k.name());
    }
  }
}
