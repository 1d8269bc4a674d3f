package io.fleetsim.ecu;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Point;
import io.fleetsim.faults.Subject;

/**
 * The faults module's interception point on an ECU's boot. A rule acting on the ECU at the boot's
 * simulated instant decides how a share {@code rate} (default 1) of the ECUs it selects boot a new
 * image, as a real failure the Ecu then meets (see {@link BootProcess}):
 *
 * <ul>
 *   <li>{@link FaultKind#BOOT_CRASH}: the boot process throws ({@link BootModel.Outcome#CRASH});
 *   <li>{@link FaultKind#BOOT_HANG}: it never confirms, so the watchdog fires ({@link
 *       BootModel.Outcome#HANG});
 *   <li>{@link FaultKind#BOOT_SELF_TEST_FAIL}: it reports a failed self-test ({@link
 *       BootModel.Outcome#SELF_TEST_FAIL}).
 * </ul>
 *
 * <p>Each way ends in a rollback to the old bank. The others boot as their own {@link BootModel}
 * says. Which ECUs fail is drawn from (scenario seed, rule, ECU, image): the same on every attempt
 * and every run, so that a retried boot of a bad image fails again. With several rules acting, the
 * first in id order whose draw fails the boot decides.
 */
final class FaultedBoots {

  private FaultedBoots() {}

  static BootModel.Outcome boot(
      Faults faults,
      String vin,
      String ecuId,
      EcuType type,
      String imageSha256,
      int attempt,
      long nowEpochMillis,
      BootModel otherwise) {
    Subject ecu = new Subject(vin, null, type.name(), null);
    for (FaultRule rule : faults.acting(Point.ECU, ecu, nowEpochMillis)) {
      BootModel.Outcome outcome = outcomeOf(rule.kind());
      if (outcome != null && fails(faults.scenarioSeed(), rule, vin, ecuId, imageSha256)) {
        faults.ledger().injected(rule, vin);
        return outcome;
      }
    }
    return otherwise.boot(ecuId, imageSha256, attempt);
  }

  /** The boot outcome a kind forces, null for a kind that does not act on boots. */
  static BootModel.Outcome outcomeOf(FaultKind kind) {
    return switch (kind) {
      case BOOT_CRASH -> BootModel.Outcome.CRASH;
      case BOOT_HANG -> BootModel.Outcome.HANG;
      case BOOT_SELF_TEST_FAIL -> BootModel.Outcome.SELF_TEST_FAIL;
      default -> null;
    };
  }

  /**
   * Whether {@code rule} picks this ECU and image, a share {@code rate} (default 1) of them: a draw
   * from (scenario seed, rule, ECU, image), so the same on every attempt, run and node.
   */
  static boolean fails(long seed, FaultRule rule, String vin, String ecuId, String imageSha256) {
    return draw(seed, rule, vin + "/" + ecuId, imageSha256) < rule.param("rate", 1);
  }

  private static double draw(long seed, FaultRule rule, String ecu, String imageSha256) {
    long h =
        Seeds.splitMix64(
            Seeds.entitySeed(seed, "boot-fault:" + rule.id() + ":" + ecu)
                ^ Seeds.stableHash(imageSha256));
    return (h >>> 11) * 0x1.0p-53;
  }
}
