package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetsim.cloud.WaveGate.Decision;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rollout conditions at and around each boundary, the way hawkBit tests its success and error
 * conditions: 95 % to advance, 5 % failures to stop, of the wave's accepted vehicles.
 */
class WaveGateTest {
  static final RolloutPolicy POLICY = RolloutPolicy.of(95, 5, Duration.ofMinutes(15));

  static CampaignProgress.Wave wave(int size, int pending, int inProgress, Object... ended) {
    Map<UpdateOutcome, Integer> m = new EnumMap<>(UpdateOutcome.class);
    for (int i = 0; i < ended.length; i += 2) {
      m.put((UpdateOutcome) ended[i], (Integer) ended[i + 1]);
    }
    return new CampaignProgress.Wave(0, size, pending, inProgress, m);
  }

  static Decision decide(CampaignProgress.Wave w, boolean last, boolean soaked, boolean all) {
    return WaveGate.decide(POLICY, w, last, soaked, all);
  }

  @Test
  void theFailureGateTripsAtItsThresholdWithoutWaitingForTheSoak() {
    // 100 vehicles: 4 failed is 4 % (below), 5 is exactly 5 % (trips).
    assertEquals(
        Decision.WAIT, decide(wave(100, 0, 96, UpdateOutcome.FAILED, 4), false, false, false));
    assertEquals(
        Decision.PAUSE_FAILURES,
        decide(wave(100, 0, 95, UpdateOutcome.FAILED, 5), false, false, false));
    // Every kind of failure counts: rollback, rejection, time-out.
    assertEquals(
        Decision.PAUSE_FAILURES,
        decide(
            wave(
                100,
                0,
                95,
                UpdateOutcome.ROLLED_BACK,
                2,
                UpdateOutcome.REJECTED,
                2,
                UpdateOutcome.TIMED_OUT,
                1),
            false,
            false,
            false));
    assertEquals(
        Decision.ABORT_FAILURES,
        WaveGate.decide(
            POLICY.onFailure(RolloutPolicy.OnFailure.ABORT),
            wave(100, 0, 95, UpdateOutcome.FAILED, 5),
            false,
            false,
            false));
  }

  @Test
  void refusedAssignmentsAreNotPartOfTheShares() {
    // 10 of 100 refused: 90 accepted; 4 failed is 4.4 % (below 5 %), 5 is 5.6 % (trips).
    assertEquals(
        Decision.WAIT,
        decide(
            wave(100, 0, 86, UpdateOutcome.REFUSED, 10, UpdateOutcome.FAILED, 4),
            false,
            false,
            false));
    assertEquals(
        Decision.PAUSE_FAILURES,
        decide(
            wave(100, 0, 85, UpdateOutcome.REFUSED, 10, UpdateOutcome.FAILED, 5),
            false,
            false,
            false));
    // 86 of 90 succeeded is 95.6 %: enough to advance once soaked.
    assertEquals(
        Decision.NEXT_WAVE,
        decide(
            wave(100, 0, 4, UpdateOutcome.REFUSED, 10, UpdateOutcome.SUCCEEDED, 86),
            false,
            true,
            false));
  }

  @Test
  void theSuccessGateWaitsForTheSoakAndHoldsAtItsThreshold() {
    // 95 of 100 is exactly 95 %.
    CampaignProgress.Wave at = wave(100, 0, 5, UpdateOutcome.SUCCEEDED, 95);
    assertEquals(Decision.WAIT, decide(at, false, false, false));
    assertEquals(Decision.NEXT_WAVE, decide(at, false, true, false));
    // 94 of 100 is below: wait while vehicles are still updating.
    assertEquals(
        Decision.WAIT, decide(wave(100, 0, 6, UpdateOutcome.SUCCEEDED, 94), false, true, false));
  }

  @Test
  void theLastWaveCompletesOnlyWhenEveryVehicleIsCounted() {
    CampaignProgress.Wave passed = wave(100, 0, 2, UpdateOutcome.SUCCEEDED, 98);
    assertEquals(Decision.WAIT, decide(passed, true, true, false));
    assertEquals(
        Decision.COMPLETE,
        decide(
            wave(100, 0, 0, UpdateOutcome.SUCCEEDED, 98, UpdateOutcome.TIMED_OUT, 2),
            true,
            true,
            true));
  }

  @Test
  void aWaveThatSettledBelowTheThresholdPausesInsteadOfWaitingForever() {
    // Only possible when the two thresholds leave a gap: 95 % to advance, 10 % to stop.
    RolloutPolicy gap = RolloutPolicy.of(95, 10, Duration.ofMinutes(15));
    // 97 accepted: 90 succeeded (92.8 %), 7 failed (7.2 %), everyone settled.
    CampaignProgress.Wave settled =
        wave(
            100,
            0,
            0,
            UpdateOutcome.SUCCEEDED,
            90,
            UpdateOutcome.FAILED,
            7,
            UpdateOutcome.REFUSED,
            3);
    assertEquals(Decision.WAIT, WaveGate.decide(gap, settled, false, false, false));
    Decision d = WaveGate.decide(gap, settled, false, true, false);
    assertEquals(Decision.PAUSE_BELOW_SUCCESS, d);
    assertEquals(
        "successThreshold: wave 2 settled at 90 of 97 succeeded, threshold 95 %",
        WaveGate.reason(d, gap, 1, settled));
    // One vehicle still updating: it might still succeed, so the wave waits.
    CampaignProgress.Wave almost =
        wave(
            100,
            0,
            1,
            UpdateOutcome.SUCCEEDED,
            90,
            UpdateOutcome.FAILED,
            6,
            UpdateOutcome.REFUSED,
            3);
    assertEquals(Decision.WAIT, WaveGate.decide(gap, almost, false, true, false));
  }

  @Test
  void anEmptyOrFullyRefusedWaveNeverTripsOrAdvances() {
    CampaignProgress.Wave refused = wave(5, 0, 0, UpdateOutcome.REFUSED, 5);
    assertEquals(Decision.PAUSE_BELOW_SUCCESS, decide(refused, false, true, false));
    assertEquals(Decision.WAIT, decide(wave(5, 5, 0), false, true, false));
  }
}
