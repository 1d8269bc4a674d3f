package io.fleetsim.vehicle;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.vehicle.Vehicle.Event;
import io.fleetsim.vehicle.Vehicle.State;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.slf4j.Logger;

/**
 * REPORTING: the manifest signed with the update's counter goes to the Director until it accepts
 * it; then the update is finished and the vehicle idle. A manifest not sent, or refused, is signed
 * again with a new counter at the phase timeout; an answer for another counter is stale.
 */
final class Reporting {

  private final String vin;
  private final Logger log;
  private final EffectFactories<Event, State> effect;
  private final SimClock clock;
  private final Outbound outbound;
  private final FaultReports faults;
  private final UpdateTimers updateTimers;
  private final Polling polling;

  Reporting(
      String vin,
      Logger log,
      EffectFactories<Event, State> effect,
      SimClock clock,
      Outbound outbound,
      FaultReports faults,
      UpdateTimers updateTimers,
      Polling polling) {
    this.vin = vin;
    this.log = log;
    this.effect = effect;
    this.clock = clock;
    this.outbound = outbound;
    this.faults = faults;
    this.updateTimers = updateTimers;
    this.polling = polling;
  }

  Effect<Event, State> onSendManifest(State s, Vehicle.SendManifest c) {
    if (c.counter() == s.manifestCounter()) {
      outbound.deliver(c);
    }
    return effect.none();
  }

  /** A manifest the link held back goes on to the Director in any phase. */
  Effect<Event, State> deliverHeld(State s, Vehicle.HeldManifest c) {
    outbound.deliverHeld(s, c.manifest());
    return effect.none();
  }

  Effect<Event, State> onReportNotSent(State s, Vehicle.ReportNotSent c) {
    log.warn("vehicle {}: manifest {} not sent: {}", vin, c.counter(), c.reason());
    return effect.none(); // signed and sent again with a new counter at the phase timeout
  }

  Effect<Event, State> onReportAcked(State s, Vehicle.ReportAcked c) {
    if (c.counter() != s.manifestCounter()) {
      return effect.none();
    }
    if (c.failure() != null) {
      log.warn("vehicle {}: the Director refused the manifest: {}", vin, c.failure());
      return effect.none(); // signed and sent again with a new counter at the phase timeout
    }
    return effect
        .persist(UpdateReports.finished(s.update(), s.installed(), clock.now()))
        .thenRun(ns -> faults.finished(ns.history().last()))
        .thenRun(updateTimers::arm)
        .thenRun(polling::idle);
  }
}
