package io.fleetsim.vehicle;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import java.util.Random;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * When the vehicle checks for updates: one check at a time, on a jittered poll ({@link
 * VehicleSettings#nextPoll}) or at the cloud's wake-up. A wake-up while a check or an update is
 * under way may announce something that check or update does not cover (a second assignment made a
 * moment later): it is kept, and the vehicle checks again as soon as it is idle instead of waiting
 * for its next poll.
 *
 * <p>Nothing here is persisted: a restarted vehicle polls anyway, and a check in flight when it
 * stopped is simply made again.
 */
final class Polling {

  private final SimTimers<Vehicle.Command> timers;
  private final ActorRef<Vehicle.Command> self;
  private final SimClock clock;
  private final VehicleSettings settings;
  private final Random rng;

  /** A check is in flight. */
  private boolean checking;

  /** A wake-up arrived while busy. */
  private boolean wakeAgain;

  Polling(
      SimTimers<Vehicle.Command> timers,
      ActorRef<Vehicle.Command> self,
      SimClock clock,
      VehicleSettings settings,
      Random rng) {
    this.timers = timers;
    this.self = self;
    this.clock = clock;
    this.settings = settings;
    this.rng = rng;
  }

  /** Arms the next poll; the first after a start falls anywhere in one interval. */
  void schedule(boolean first) {
    timers.startSingleTimer(Vehicle.Poll.class, new Vehicle.Poll(), settings.nextPoll(first, rng));
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
   * Back to idle: the next poll is armed, and when a wake-up came meanwhile the vehicle checks at
   * once (the check replaces that poll). The poll is drawn either way, so a wake-up arriving just
   * before or just after the vehicle turns idle (at one instant, in either order) leaves the
   * generator in the same state and the next check at the same instant.
   */
  void idle() {
    schedule(false);
    if (wakeAgain) {
      wakeAgain = false;
      checkNow();
    }
  }

  void checkNow() {
    self.tell(new Vehicle.Poll());
  }
}
