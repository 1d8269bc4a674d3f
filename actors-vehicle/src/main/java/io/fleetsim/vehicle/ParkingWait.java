package io.fleetsim.vehicle;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.vehicle.Vehicle.DriveState;
import io.fleetsim.vehicle.Vehicle.Event;
import io.fleetsim.vehicle.Vehicle.State;
import io.fleetsim.vehicle.VehicleState.Update;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * AWAITING_CONSENT: the update waits for the driver's consent where its campaign asks for it, and
 * for the vehicle to be parked where it requires that, then starts its download.
 *
 * <p>The {@link DriveProfile} is applied lazily, once per update, at the moment the update would
 * start its download and requires the vehicle parked: nothing runs for a vehicle that is not
 * waiting. The profile's answer for that instant becomes the drive state (persisted only when it
 * changes it). When it says driving, the vehicle has persisted {@code DriveStateChanged(DRIVING)}
 * and a simulated timer ({@link Vehicle.ParkedTimer}) is armed at its next parked instant; when it
 * fires the vehicle persists {@code DriveStateChanged(PARKED)} and goes on exactly as after an
 * explicit {@code SetDriveState(PARKED)}. A vehicle with no parked hour ahead arms no timer and
 * waits until its campaign's time limit, as any vehicle that never parks.
 *
 * <p>An explicit {@link Vehicle.SetDriveState} acts at once and holds until the next profile-driven
 * check: the update's own check replaces it, and while the update waits for parking an explicit
 * PARKED starts the download at once (the timer is then cancelled) while an explicit DRIVING lasts
 * until the timer fires. With the default profile (always parked) none of this runs: the drive
 * state changes only by the command. After a restart in AWAITING_CONSENT, a vehicle still driving
 * re-arms its timer from the profile, which gives the same instant: every hour from the check to
 * the next parked one is a driving hour.
 */
final class ParkingWait {

  private final String vin;
  private final long seed;
  private final DriveProfile profile;
  private final SimTimers<Vehicle.Command> timers;
  private final SimClock clock;
  private final UpdateTimers updateTimers;
  private final ActorRef<Vehicle.Command> self;

  /** The update whose check consulted the profile; not persisted (see the class comment). */
  private String checked;

  ParkingWait(
      String vin,
      long seed,
      DriveProfile profile,
      SimTimers<Vehicle.Command> timers,
      UpdateTimers updateTimers,
      ActorRef<Vehicle.Command> self) {
    this.vin = vin;
    this.seed = seed;
    this.profile = profile;
    this.timers = timers;
    this.clock = timers.clock();
    this.updateTimers = updateTimers;
    this.self = self;
  }

  /** On entering AWAITING_CONSENT or resuming in it: asks for consent, starts, or waits to park. */
  void await(State s) {
    Update u = s.update();
    if (u.plan().requireConsent() && !u.consentGiven()) {
      updateTimers.askConsent();
    } else if (s.ready()) {
      self.tell(new Vehicle.ConsentTimer());
    } else if (acts(s) && s.drive() == DriveState.DRIVING) {
      checked = u.updateId();
      armParked(u.updateId());
    }
  }

  /**
   * What the update persists once consent is there: the consent, the drive state the profile gives
   * now when this is the update's check, and the download's start when the vehicle is parked as
   * required.
   */
  List<Event> start(State s) {
    Instant now = clock.now();
    List<Event> events = new ArrayList<>();
    if (!s.update().consentGiven()) {
      events.add(new Vehicle.ConsentGiven(now));
    }
    DriveState drive = s.drive();
    if (acts(s) && !s.update().updateId().equals(checked)) {
      checked = s.update().updateId();
      drive = profile.parkedAt(seed, vin, now) ? DriveState.PARKED : DriveState.DRIVING;
      if (drive != s.drive()) {
        events.add(new Vehicle.DriveStateChanged(drive));
      }
    }
    if (!s.update().plan().requireParked() || drive == DriveState.PARKED) {
      events.add(new Vehicle.DownloadStarted(now));
    }
    return events;
  }

  /** Whether the drive state {@code ns} reached lets a waiting update start now. */
  static boolean startsNow(State ns) {
    return ns.phase() == Vehicle.Phase.AWAITING_CONSENT && ns.ready();
  }

  /** Whether the timer fired for the update that is waiting, still driving. */
  static boolean parks(State s, Vehicle.ParkedTimer t) {
    return s.update().updateId().equals(t.updateId()) && s.drive() == DriveState.DRIVING;
  }

  /** The update left AWAITING_CONSENT, or ended: its parking timer has nothing left to do. */
  void cancel() {
    timers.cancel(Vehicle.ParkedTimer.class);
  }

  private boolean acts(State s) {
    return !profile.alwaysParked() && s.update().plan().requireParked();
  }

  private void armParked(String updateId) {
    Instant now = clock.now();
    Optional<Instant> next = profile.nextParked(seed, vin, now);
    if (next.isEmpty()) {
      return; // never parked: the campaign's time limit ends the update
    }
    timers.startSingleTimer(
        Vehicle.ParkedTimer.class,
        new Vehicle.ParkedTimer(updateId),
        Duration.between(now, next.get()));
  }
}
