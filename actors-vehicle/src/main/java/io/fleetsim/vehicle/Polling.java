package io.fleetsim.vehicle;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * When the vehicle checks for updates: one check at a time, on its poll schedule ({@link
 * VehicleSettings#untilNextPoll}) or at the cloud's wake-up. A wake-up while a check or an update
 * is under way may announce something that check or update does not cover (a second assignment made
 * a moment later): it is kept, and the vehicle checks again as soon as it is idle instead of
 * waiting for its next poll.
 *
 * <p>Nothing here is persisted: the poll schedule is a function of the vehicle's seed, a restarted
 * vehicle polls anyway, and a check in flight when it stopped is simply made again.
 */
final class Polling {

  private final SimTimers<Vehicle.Command> timers;
  private final ActorRef<Vehicle.Command> self;
  private final SimClock clock;
  private final VehicleSettings settings;
  private final long seed;

  /** A check is in flight. */
  private boolean checking;

  /** A wake-up arrived while busy. */
  private boolean wakeAgain;

  Polling(
      SimTimers<Vehicle.Command> timers,
      ActorRef<Vehicle.Command> self,
      SimClock clock,
      VehicleSettings settings,
      long seed) {
    this.timers = timers;
    this.self = self;
    this.clock = clock;
    this.settings = settings;
    this.seed = seed;
  }

  /** Arms the next poll of the schedule. */
  void schedule() {
    timers.startSingleTimer(
        Vehicle.Poll.class, new Vehicle.Poll(), settings.untilNextPoll(seed, clock.nowMillis()));
  }

  /** Arms the next poll unless one is armed (a vehicle started again by its due poll). */
  void scheduleIfNone() {
    if (!timers.isTimerActive(Vehicle.Poll.class)) {
      schedule();
    }
  }

  /** Whether the vehicle is between checks, with no wake-up waiting. */
  boolean quiet() {
    return !checking && !wakeAgain;
  }

  boolean checking() {
    return checking;
  }

  /** A check starts, unless one is in flight; no poll is due while it runs. */
  boolean startCheck() {
    if (checking) {
      return false;
    }
    checking = true;
    timers.cancel(Vehicle.Poll.class);
    return true;
  }

  /** The check in flight ended: its result arrived, or it failed. */
  void checkEnded() {
    checking = false;
  }

  /** A wake-up the vehicle cannot act on now. */
  void wakeLater() {
    wakeAgain = true;
  }

  /**
   * Back to idle: the next poll of the schedule is armed, and when a wake-up came meanwhile the
   * vehicle checks at once (the check replaces that poll).
   */
  void idle() {
    schedule();
    if (wakeAgain) {
      wakeAgain = false;
      checkNow();
    }
  }

  void checkNow() {
    self.tell(new Vehicle.Poll());
  }
}
