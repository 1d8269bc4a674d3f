package io.fleetsim.cloud;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-wave gates, as hawkBit and AWS IoT Jobs model them: a wave advances once its soak time has
 * passed and at least {@code successThreshold} % of it succeeded; as soon as {@code
 * failureThreshold} % of it failed (failed or rolled back) the campaign pauses or aborts. Both
 * shares are of the wave's vehicles whose assignment the Director accepted, so an early failure in
 * a large wave does not trip the gate on its own. {@code timeLimit} is the simulated time each
 * vehicle has, from its assignment, to report a terminal outcome (like AWS IoT Jobs' in-progress
 * timeout): past it the assignment ends TIMED_OUT, so every campaign ends.
 */
public record RolloutPolicy(
    double successThreshold,
    double failureThreshold,
    Duration soak,
    OnFailure onFailure,
    boolean requireParked,
    boolean requireConsent,
    Duration timeLimit) {

  /** The per-vehicle time limit unless a policy says otherwise. */
  public static final Duration DEFAULT_TIME_LIMIT = Duration.ofHours(24);

  public enum OnFailure {
    PAUSE,
    ABORT
  }

  public static RolloutPolicy of(double success, double failure, Duration soak) {
    return new RolloutPolicy(
        success, failure, soak, OnFailure.PAUSE, true, false, DEFAULT_TIME_LIMIT);
  }

  public RolloutPolicy onFailure(OnFailure action) {
    return new RolloutPolicy(
        successThreshold, failureThreshold, soak, action, requireParked, requireConsent, timeLimit);
  }

  public RolloutPolicy constraints(boolean parked, boolean consent) {
    return new RolloutPolicy(
        successThreshold, failureThreshold, soak, onFailure, parked, consent, timeLimit);
  }

  public RolloutPolicy withTimeLimit(Duration limit) {
    return new RolloutPolicy(
        successThreshold, failureThreshold, soak, onFailure, requireParked, requireConsent, limit);
  }

  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (!(successThreshold >= 0 && successThreshold <= 100)) {
      problems.add("successThreshold: must be within 0..100, was " + fmt(successThreshold));
    }
    if (!(failureThreshold >= 0 && failureThreshold <= 100)) {
      problems.add("failureThreshold: must be within 0..100, was " + fmt(failureThreshold));
    }
    if (soak == null || soak.isNegative()) {
      problems.add("soak: must be zero or positive, was " + soak);
    }
    if (timeLimit == null || timeLimit.isNegative() || timeLimit.isZero()) {
      problems.add("timeLimit: must be positive, was " + timeLimit);
    }
    if (onFailure == null) {
      problems.add("onFailure: must be PAUSE or ABORT");
    }
    return problems;
  }

  /** Whether {@code failed} of {@code accepted} trips the failure gate. */
  public boolean failureTripped(int failed, int accepted) {
    return failed > 0 && accepted > 0 && failed * 100.0 >= failureThreshold * accepted;
  }

  public boolean successReached(int succeeded, int accepted) {
    return accepted > 0 && succeeded * 100.0 >= successThreshold * accepted;
  }

  static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
