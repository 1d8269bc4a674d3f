package io.fleetsim.ecu;

import java.util.Random;

/**
 * Decides how one boot of a freshly written bank ends. The Ecu turns the outcome into real actor
 * behaviour (a child that throws, never answers, or reports a failed self-test), so supervision and
 * the watchdog are exercised exactly as a fault-injection model would exercise them.
 */
@FunctionalInterface
public interface BootModel {

  /** How a boot ends. */
  enum Outcome {
    OK,
    /** The boot process throws: the Ecu sees {@code ChildFailed}. */
    CRASH,
    /** The boot process never confirms: the Ecu's watchdog fires. */
    HANG,
    /** The boot process reports a failed self-test and stops. */
    SELF_TEST_FAIL
  }

  Outcome boot(String ecuId, String imageSha256, int attempt);

  static BootModel alwaysOk() {
    return (ecuId, hash, attempt) -> Outcome.OK;
  }

  static BootModel always(Outcome outcome) {
    return (ecuId, hash, attempt) -> outcome;
  }

  /**
   * Fails with probability {@code failureRate}, the failure kind drawn evenly from the three, from
   * the entity's seeded generator so the same scenario seed fails the same boots.
   */
  static BootModel failureRate(double failureRate, Random rng) {
    if (!(failureRate >= 0 && failureRate <= 1)) {
      throw new IllegalArgumentException("boot failure rate must be in [0, 1]: " + failureRate);
    }
    Outcome[] failures = {Outcome.CRASH, Outcome.HANG, Outcome.SELF_TEST_FAIL};
    return (ecuId, hash, attempt) -> {
      if (failureRate == 0 || rng.nextDouble() >= failureRate) {
        return Outcome.OK;
      }
      return failures[rng.nextInt(failures.length)];
    };
  }
}
