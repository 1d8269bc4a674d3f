package io.fleetsim.vehicle;

import io.fleetsim.cloud.CheckHorizon;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.faults.Faults;
import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * When the vehicle checks for updates: one check at a time, on its poll schedule ({@link
 * VehicleSettings#untilNextPoll}) or at the cloud's wake-up. A wake-up while a check or an update
 * is under way may announce something that check or update does not cover (a second assignment made
 * a moment later): it is kept, and the vehicle checks again as soon as it is idle instead of
 * waiting for its next poll.
 *
 * <p>An idle vehicle's poll comes with its {@link ForeseenPoll}: a poll that would find nothing new
 * is not delivered, and the vehicle goes on sleeping. Should the cloud's wake-up come while that
 * unseen check would still have been on the link, the vehicle waits for its end ({@link
 * Vehicle.ForeseenCheckEnded}) as it would have waited for the check's answer.
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
  private final Function<Vehicle.State, SimTimers.Foresight> foresight;

  /** A check is in flight. */
  private boolean checking;

  /** The number of the last check started; an answer naming another is not this check's. */
  private long checks;

  /** A wake-up arrived while busy. */
  private boolean wakeAgain;

  Polling(
      SimTimers<Vehicle.Command> timers,
      ActorRef<Vehicle.Command> self,
      SimClock clock,
      VehicleSettings settings,
      long seed,
      Function<Vehicle.State, SimTimers.Foresight> foresight) {
    this.timers = timers;
    this.self = self;
    this.clock = clock;
    this.settings = settings;
    this.seed = seed;
    this.foresight = foresight;
  }

  /**
   * The polling of vehicle {@code vin}: its seeded schedule, and each next poll foreseen ({@link
   * ForeseenPoll}) from the node's {@link CheckHorizon}, the vehicle's link model and the fault
   * rules that could touch its check.
   */
  static Polling forVehicle(
      String vin,
      ActorContext<Vehicle.Command> ctx,
      SimTimers<Vehicle.Command> timers,
      SimClock clock,
      VehicleSettings settings,
      Outbound outbound,
      Faults faults) {
    long seed = seed(Seeds.scenarioSeed(ctx.getSystem()), vin);
    return new Polling(
        timers,
        ctx.getSelf(),
        clock,
        settings,
        seed,
        ForeseenPoll.forVehicle(
            vin,
            CheckHorizon.get(ctx.getSystem()),
            clock,
            settings,
            seed,
            outbound::linkModel,
            faults));
  }

  /** Arms the next poll of the schedule, foreseen from what {@code s} trusts. */
  void schedule(Vehicle.State s) {
    timers.startSingleTimer(
        Vehicle.Poll.class,
        new Vehicle.Poll(),
        settings.untilNextPoll(seed, clock.nowMillis()),
        foresight.apply(s));
  }

  /** Arms the next poll unless one is armed (a vehicle started again by its due poll). */
  void scheduleIfNone(Vehicle.State s) {
    if (!timers.isTimerActive(Vehicle.Poll.class)) {
      schedule(s);
    }
  }

  /** The seed of the poll schedule of {@code vin} under {@code scenarioSeed}. */
  static long seed(long scenarioSeed, String vin) {
    return Seeds.entitySeed(scenarioSeed, "vehicle-poll:" + vin);
  }

  /** Whether the vehicle is between checks, with no wake-up waiting. */
  boolean quiet() {
    return !checking && !wakeAgain;
  }

  /** A check is in flight: one the vehicle made, or a foreseen one still on the link. */
  boolean checking() {
    return checking || foreseenCheckEnds() > clock.nowMillis();
  }

  private long foreseenCheckEnds() {
    return timers.foreseenUntil(Vehicle.Poll.class);
  }

  /**
   * A check starts, unless one is in flight; no poll is due while it runs. It is numbered ({@link
   * #current}), so that its answer is told from a copy of an earlier one.
   */
  boolean startCheck() {
    if (checking) {
      return false;
    }
    checking = true;
    checks++;
    timers.cancel(Vehicle.Poll.class);
    return true;
  }

  /** The number of the check started last. */
  long current() {
    return checks;
  }

  /** Whether the answer of check number {@code check} is the one the vehicle waits for. */
  boolean awaits(long check) {
    return checking && check == checks;
  }

  /** The check in flight ended: its result arrived, or it failed. */
  void checkEnded() {
    checking = false;
  }

  /**
   * A wake-up the vehicle cannot act on now; during a foreseen check, the vehicle waits for its end
   * as it would for a check it made.
   */
  void wakeLater() {
    wakeAgain = true;
    long ends = foreseenCheckEnds();
    if (!checking && ends > clock.nowMillis()) {
      timers.startSingleTimer(
          Vehicle.ForeseenCheckEnded.class,
          new Vehicle.ForeseenCheckEnded(),
          Duration.ofMillis(ends - clock.nowMillis()));
    }
  }

  /**
   * Back to idle: the next poll of the schedule is armed, and when a wake-up came meanwhile the
   * vehicle checks at once (the check replaces that poll).
   */
  void idle(Vehicle.State s) {
    schedule(s);
    if (wakeAgain) {
      wakeAgain = false;
      checkNow();
    }
  }

  void checkNow() {
    self.tell(new Vehicle.Poll());
  }
}
