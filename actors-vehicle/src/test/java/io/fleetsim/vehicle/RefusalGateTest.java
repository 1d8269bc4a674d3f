package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetsim.vehicle.RefusalGate.Step;
import org.junit.jupiter.api.Test;

/** A refusal is reported once a second check confirms it, and once per refused state. */
class RefusalGateTest {

  @Test
  void aRefusalIsReportedWhenTheNextCheckRefusesTheSame() {
    RefusalGate gate = new RefusalGate();
    assertEquals(Step.CHECK_AGAIN, gate.refused("a/1", null));
    assertEquals(Step.REPORT, gate.refused("a/1", null));
  }

  @Test
  void aDifferentRefusalOnTheSecondCheckIsCheckedAgainFirst() {
    RefusalGate gate = new RefusalGate();
    assertEquals(Step.CHECK_AGAIN, gate.refused("a/1", null));
    assertEquals(Step.CHECK_AGAIN, gate.refused("a/2", null));
    assertEquals(Step.REPORT, gate.refused("a/2", null));
  }

  @Test
  void refusalsThatKeepDifferingWaitForTheNextPollWhichCanConfirmTheLast() {
    RefusalGate gate = new RefusalGate();
    assertEquals(Step.CHECK_AGAIN, gate.refused("a/1", null));
    assertEquals(Step.CHECK_AGAIN, gate.refused("a/2", null));
    assertEquals(Step.CHECK_AGAIN, gate.refused("a/3", null));
    assertEquals(Step.WAIT, gate.refused("a/4", null));
    // The next poll: the same as last time confirms it; something else starts over.
    assertEquals(Step.REPORT, gate.refused("a/4", null));
    assertEquals(Step.CHECK_AGAIN, gate.refused("a/5", null));
  }

  @Test
  void aCheckThatVerifiesInBetweenLeavesNothingConfirmed() {
    RefusalGate gate = new RefusalGate();
    assertEquals(Step.CHECK_AGAIN, gate.refused("a/1", null));
    gate.verified();
    assertEquals(Step.CHECK_AGAIN, gate.refused("a/1", null));
  }

  @Test
  void theRefusalReportedLastIsNotReportedAgain() {
    RefusalGate gate = new RefusalGate();
    assertEquals(Step.REPORTED_ALREADY, gate.refused("a/1", "a/1"));
    assertEquals(Step.REPORTED_ALREADY, gate.refused("a/1", "a/1"));
    // Once another refusal was reported, this one is news again.
    assertEquals(Step.CHECK_AGAIN, gate.refused("a/1", "a/2"));
  }
}
