package io.fleetsim.ecu;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Point;
import io.fleetsim.faults.Subject;
import java.util.List;
import java.util.Optional;

/**
 * The faults module's interception point on one vehicle's bus, for the faults of the bus as a
 * whole. A bus fault's subject is the vehicle, {@code Subject.vehicle(vin, region, null)}: the bus
 * knows neither the vehicle's region nor its campaign, so these rules select by VIN and share.
 * Rules are read at the simulated instant each frame group or message goes on the wire.
 *
 * <ul>
 *   <li>{@link FaultKind#CAN_FRAME_LOSS}: {@link #frameLoss} lays the rules over the bus's own
 *       {@link CanBus.FrameLossModel}: while a rule acts, a block group's frames are lost at its
 *       {@code rate} (the highest of the rules acting, capped at the timing model's 0.9), or at the
 *       bus's own rate when that is higher. The bus samples the retransmissions from that rate as
 *       it always does, and each costs its wire time again. Counted once per block group sent under
 *       the rule.
 *   <li>{@link FaultKind#BUS_OFF}: {@link #off} says whether the bus carries nothing at this
 *       instant. The {@link CanBus} then neither delivers a UDS request to the ECU nor an answer
 *       back: the request times out after {@code response-timeout} and is sent again, as for a
 *       silent ECU. A window shorter than the retries delays the transfer by whole response
 *       timeouts; a longer one fails it after {@code (max-retries + 1) × response-timeout}, as
 *       FAILED "did not answer". Counted once per message not carried.
 * </ul>
 */
final class FaultedBus {

  private final String vin;
  private final Faults faults;
  private final SimClock clock;
  private Subject subject;

  FaultedBus(String vin, Faults faults, SimClock clock) {
    this.vin = vin;
    this.faults = faults;
    this.clock = clock;
    this.subject = Subject.vehicle(vin, null, null);
  }

  /**
   * The vehicle's region and the update's campaign, as a transfer request names them: from then on
   * rules selecting that region or campaign select this bus. Not persisted: every transfer names
   * them again.
   */
  void select(String region, String campaignId) {
    subject = Subject.vehicle(vin, region == null ? subject.region() : region, campaignId);
  }

  private List<FaultRule> acting() {
    return faults.acting(Point.BUS, subject, clock.now().toEpochMilli());
  }

  /** {@code base} with the frame-loss rules acting on this bus laid over it. */
  CanBus.FrameLossModel frameLoss(CanBus.FrameLossModel base) {
    return (v, transport) -> {
      double rate = base.lossRate(v, transport);
      FaultRule raisedBy = null;
      for (FaultRule rule : acting()) {
        if (rule.kind() == FaultKind.CAN_FRAME_LOSS) {
          double r = Math.min(rule.param("rate", 0), BusTimingModel.MAX_LOSS_RATE);
          if (r > rate) {
            rate = r;
            raisedBy = rule;
          }
        }
      }
      if (raisedBy != null) {
        faults.ledger().injected(raisedBy, vin);
      }
      return rate;
    };
  }

  /**
   * The bus-off rule acting now, counted as one message not carried; empty when the bus carries
   * messages.
   */
  Optional<FaultRule> off() {
    for (FaultRule rule : acting()) {
      if (rule.kind() == FaultKind.BUS_OFF) {
        faults.ledger().injected(rule, vin);
        return Optional.of(rule);
      }
    }
    return Optional.empty();
  }
}
