package io.fleetsim.ecu;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Point;
import io.fleetsim.faults.Subject;

/**
 * The faults module's interception point on an ECU's boot: a {@link FaultKind#BOOT_CRASH} rule
 * acting on the ECU makes a share {@code rate} of the ECUs it selects crash on every boot of a new
 * image, so that they roll back; the others boot as their own {@link BootModel} says. Which ECUs
 * fail is drawn from (scenario seed, rule, ECU, image): the same on every attempt and every run.
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
      if (rule.kind() == FaultKind.BOOT_CRASH
          && draw(faults.scenarioSeed(), rule, vin + "/" + ecuId, imageSha256)
              < rule.param("rate", 1)) {
        faults.ledger().injected(rule, vin);
        return BootModel.Outcome.CRASH;
      }
    }
    return otherwise.boot(ecuId, imageSha256, attempt);
  }

  private static double draw(long seed, FaultRule rule, String ecu, String imageSha256) {
    long h =
        Seeds.splitMix64(
            Seeds.entitySeed(seed, "boot-fault:" + rule.id() + ":" + ecu)
                ^ Seeds.stableHash(imageSha256));
    return (h >>> 11) * 0x1.0p-53;
  }
}
