package io.fleetsim.vehicle;

import io.fleetsim.ecu.CanBus;
import io.fleetsim.ecu.Transport;
import io.fleetsim.vehicle.VehicleState.PlannedInstall;
import io.fleetsim.vehicle.VehicleState.Update;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The images of an update on their way to the ECUs over the {@link CanBus}: one {@code
 * StartTransfer} per ECU without a result, under a transfer id that stays the same across restarts
 * (update id + ECU id), so the bus resumes a transfer it knows instead of starting it twice; and
 * which of the bus's answers belong to the update and are news to it.
 */
final class EcuTransfers {

  private EcuTransfers() {}

  /** The transfers to (re)start: every install of the update that has no result yet. */
  static List<CanBus.StartTransfer> toStart(
      Vehicle.State s,
      ActorRef<CanBus.TransferResult> results,
      ActorRef<CanBus.TransferProgress> progress) {
    Update u = s.update();
    List<CanBus.StartTransfer> out = new ArrayList<>();
    for (PlannedInstall i : u.plan().installs()) {
      if (!u.results().containsKey(i.ecuId())) {
        out.add(
            new CanBus.StartTransfer(
                u.transferId(i.ecuId()),
                s.spec().vin(),
                i.ecuId(),
                transport(s.spec(), i.ecuId()),
                i.sha256(),
                i.length(),
                u.plan().directorTargets(),
                results,
                progress,
                s.spec().region(),
                i.campaignId()));
      }
    }
    return out;
  }

  /** The transport of the spec's ECU {@code ecuId}. */
  private static Transport transport(Vehicle.Spec spec, String ecuId) {
    return spec.ecus().stream()
        .filter(e -> e.ecuId().equals(ecuId))
        .findFirst()
        .orElseThrow()
        .transport();
  }

  /** The progress completes a transfer of this update that is not yet known to be complete. */
  static boolean completes(Update u, CanBus.TransferProgress p) {
    return p.bytesAcknowledged() >= p.length()
        && !u.transferred().contains(p.ecuId())
        && p.transferId().equals(u.transferId(p.ecuId()));
  }

  /** The result is of a transfer of this update and the first for its ECU. */
  static boolean isNewResult(Update u, CanBus.TransferResult r) {
    return r.transferId().equals(u.transferId(r.ecuId())) && !u.results().containsKey(r.ecuId());
  }
}
