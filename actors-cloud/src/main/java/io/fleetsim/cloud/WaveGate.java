package io.fleetsim.cloud;

/**
 * The rollout conditions of one wave, as a pure function of its counts (the way hawkBit keeps each
 * rollout condition in a small class of its own): what the campaign does next.
 *
 * <p>In this order: the failure gate trips as soon as enough of the wave failed, without waiting
 * for the soak (a bad image should stop the rollout as early as possible); once the soak is over,
 * the success gate advances to the next wave; after the last wave the campaign completes only when
 * every vehicle it targeted has a terminal outcome, so a completed campaign has counted everyone; a
 * wave whose vehicles all settled below the success threshold pauses instead of waiting forever.
 * Shares are of the wave's vehicles whose assignment the Director accepted.
 */
final class WaveGate {

  private WaveGate() {}

  enum Decision {
    /** Nothing to do yet. */
    WAIT,
    /** The failure gate tripped and the policy says pause. */
    PAUSE_FAILURES,
    /** The failure gate tripped and the policy says abort. */
    ABORT_FAILURES,
    /** The success gate holds after the soak: start the next wave. */
    NEXT_WAVE,
    /** The last wave passed and every targeted vehicle has an outcome. */
    COMPLETE,
    /** The wave settled below the success threshold. */
    PAUSE_BELOW_SUCCESS
  }

  /**
   * @param wave the current wave's counts
   * @param lastWave whether it is the last wave
   * @param soakDone whether the wave's soak time has passed
   * @param allSettled whether every vehicle of every wave has a terminal outcome
   */
  static Decision decide(
      RolloutPolicy policy,
      CampaignProgress.Wave wave,
      boolean lastWave,
      boolean soakDone,
      boolean allSettled) {
    int accepted = wave.accepted();
    if (policy.failureTripped(wave.failures(), accepted)) {
      return policy.onFailure() == RolloutPolicy.OnFailure.ABORT
          ? Decision.ABORT_FAILURES
          : Decision.PAUSE_FAILURES;
    }
    if (!soakDone) {
      return Decision.WAIT;
    }
    if (policy.successReached(wave.succeeded(), accepted)) {
      if (!lastWave) {
        return Decision.NEXT_WAVE;
      }
      return allSettled ? Decision.COMPLETE : Decision.WAIT;
    }
    return wave.settled() == wave.size() ? Decision.PAUSE_BELOW_SUCCESS : Decision.WAIT;
  }

  /** The reason a paused or aborted campaign shows, with the figures that led to it. */
  static String reason(Decision d, RolloutPolicy p, int waveIndex, CampaignProgress.Wave w) {
    return switch (d) {
      case PAUSE_FAILURES, ABORT_FAILURES ->
          String.format(
              "failureThreshold: wave %d reached %.1f %% failed (%d of %d), threshold %s %%",
              waveIndex + 1,
              w.failures() * 100.0 / w.accepted(),
              w.failures(),
              w.accepted(),
              RolloutPolicy.fmt(p.failureThreshold()));
      case PAUSE_BELOW_SUCCESS ->
          String.format(
              "successThreshold: wave %d settled at %d of %d succeeded, threshold %s %%",
              waveIndex + 1, w.succeeded(), w.accepted(), RolloutPolicy.fmt(p.successThreshold()));
      default -> null;
    };
  }

  /** Why a campaign paused by its failure gate does not resume without force. */
  static String stillTripped(RolloutPolicy p, int waveIndex, CampaignProgress.Wave w) {
    return String.format(
        "failureThreshold: wave %d is still at %.1f %% failed (threshold %s %%);"
            + " retry-failed, abort, or resume with force",
        waveIndex + 1,
        w.failures() * 100.0 / w.accepted(),
        RolloutPolicy.fmt(p.failureThreshold()));
  }

  /**
   * The event the gate's decision on a running campaign's current wave leads to, at {@code now};
   * null while it waits.
   */
  static Campaign.Event event(Campaign.State s, java.time.Instant now) {
    RolloutPolicy p = s.spec().policy();
    CampaignProgress.Wave w = s.wave(s.currentWave());
    boolean last = s.currentWave() + 1 >= s.waveCount();
    Decision d = decide(p, w, last, s.soakDone(), s.allSettled());
    String why = reason(d, p, s.currentWave(), w);
    return switch (d) {
      case WAIT -> null;
      case PAUSE_FAILURES, PAUSE_BELOW_SUCCESS -> new Campaign.Paused(why, now);
      case ABORT_FAILURES -> new Campaign.Aborted(why, now);
      case NEXT_WAVE -> new Campaign.WaveStarted(s.currentWave() + 1, now);
      case COMPLETE -> new Campaign.Completed(now);
    };
  }
}
