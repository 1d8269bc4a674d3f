package io.fleetsim.ecu;

import io.fleetsim.cluster.Seeds;
import java.util.Random;
import java.util.function.LongSupplier;

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
   * Fails with probability {@code failureRate}, the failure kind drawn evenly from the three. Each
   * boot draws from a generator of its own, seeded by the entity's seed, the image, the attempt and
   * the simulated instant of the boot ({@code nowMillis}): the same scenario seed fails the same
   * boots, and whether the ECU was passivated or restarted in between changes nothing.
   */
  static BootModel failureRate(double failureRate, long entitySeed, LongSupplier nowMillis) {
    if (!(failureRate >= 0 && failureRate <= 1)) {
      throw new IllegalArgumentException("boot failure rate must be in [0, 1]: " + failureRate);
    }
    Outcome[] failures = {Outcome.CRASH, Outcome.HANG, Outcome.SELF_TEST_FAIL};
    return (ecuId, hash, attempt) -> {
      if (failureRate == 0) {
        return Outcome.OK;
      }
      long key = entitySeed ^ Seeds.stableHash(hash + "#" + attempt);
      Random rng = new Random(Seeds.splitMix64(Seeds.splitMix64(key) ^ nowMillis.getAsLong()));
      if (rng.nextDouble() >= failureRate) {
        return Outcome.OK;
      }
      return failures[rng.nextInt(failures.length)];
    };
  }
}
