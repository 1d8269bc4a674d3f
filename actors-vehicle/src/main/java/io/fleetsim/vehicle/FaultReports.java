package io.fleetsim.vehicle;

import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultLedger;
import io.fleetsim.faults.Faults;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What a vehicle tells the node's {@link FaultLedger} about the faults and attacks it met: each
 * refusal by the check that made it, each request that got no answer, and how each update ended.
 * Called after the events that record them are persisted, never while replaying them.
 */
final class FaultReports {

  private final String vin;
  private final Faults faults;
  private final FaultLedger ledger;

  FaultReports(ActorSystem<?> system, String vin) {
    this.vin = vin;
    this.faults = Faults.get(system);
    this.ledger = faults.ledger();
  }

  Faults registry() {
    return faults;
  }

  /** A check refused metadata with {@code attack} (reported now, or reported before). */
  void refused(String attack) {
    ledger.detected(vin, attack);
  }

  /** A request of a check or a download failed: no answer came in the link's time. */
  void requestFailed() {
    ledger.detected(vin, FaultKind.TIMEOUT);
  }

  /** The update {@code r} ended and was reported: by the check that refused it, or not at all. */
  void finished(Vehicle.UpdateRecord r) {
    if (r.attack() != null && !r.attack().isEmpty()) {
      ledger.detected(vin, r.attack());
    } else if (r.outcome() != UpdateOutcome.SUCCEEDED && r.detail().contains("timed out")) {
      ledger.detected(vin, FaultKind.TIMEOUT);
    }
    ledger.ended(vin, r.outcome() == UpdateOutcome.SUCCEEDED);
  }
}
