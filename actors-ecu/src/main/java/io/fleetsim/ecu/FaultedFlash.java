package io.fleetsim.ecu;

import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Point;
import io.fleetsim.faults.Subject;
import java.util.Optional;

/**
 * The faults module's interception point on an ECU's flash write: a {@link
 * FaultKind#FLASH_WRITE_ERROR} rule acting on the ECU when the write of a verified image ends makes
 * a share {@code rate} (default 1) of the ECUs it selects fail that write. The Ecu then takes the
 * path it already takes for a flash cut short by a restart ({@link Ecu.FlashInterrupted}): the
 * half-written bank is marked invalid, the install is reported FAILED and the old bank keeps
 * running. Which ECUs fail is drawn from (scenario seed, rule, ECU, image), as for boots.
 */
final class FaultedFlash {

  private FaultedFlash() {}

  /** The rule that fails this write, counted as injected; empty when the write succeeds. */
  static Optional<FaultRule> writeFails(
      Faults faults,
      String vin,
      String ecuId,
      EcuType type,
      String imageSha256,
      long nowEpochMillis) {
    Subject ecu = new Subject(vin, null, type.name(), null);
    for (FaultRule rule : faults.acting(Point.ECU, ecu, nowEpochMillis)) {
      if (rule.kind() == FaultKind.FLASH_WRITE_ERROR
          && FaultedBoots.fails(faults.scenarioSeed(), rule, vin, ecuId, imageSha256)) {
        faults.ledger().injected(rule, vin);
        return Optional.of(rule);
      }
    }
    return Optional.empty();
  }
}
