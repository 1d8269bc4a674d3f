package io.fleetsim.vehicle;

import io.fleetsim.cloud.CheckHorizon;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Subject;
import java.time.Instant;

/**
 * The foresight of an idle vehicle's poll timer ({@link SimTimers.Foresight}): a poll due while
 * both repositories serve the root and timestamp the vehicle verified last, and before any of its
 * metadata expires, would check, find nothing new and go back to idle, having changed nothing but
 * its time on the link. Such a poll is counted and not made; the link's draw for that exchange, a
 * function of the vehicle's link seed and the instant ({@link NetworkLink#seeded}), says how long
 * the check would have kept the vehicle busy, and the poll after it follows from the vehicle's
 * schedule. Any other poll is made.
 *
 * <p>What is compared is what {@link UptaneCheck#unchanged} compares on the vehicle, so a poll made
 * instead of foreseen ends the same way: a foreseen poll is one whose outcome the vehicle would
 * have reached by itself.
 */
final class ForeseenPoll implements SimTimers.Foresight {

  private final String vin;
  private final CheckHorizon horizon;
  private final Instant epoch;
  private final VehicleSettings settings;
  private final long pollSeed;
  private final NetworkLink link;
  private final long directorHead;
  private final long imageRoot;
  private final boolean imagesMatter;
  private final long imageHead;
  private final long trustedUntilMillis;
  private final long directorTimestampBytes;
  private final Faults faults;
  private final Subject subject;

  private ForeseenPoll(
      String vin,
      CheckHorizon horizon,
      SimClock clock,
      VehicleSettings settings,
      long pollSeed,
      NetworkLink link,
      VehicleState.Trust trust,
      Faults faults,
      Subject subject) {
    this.vin = vin;
    this.horizon = horizon;
    this.epoch = clock.epoch();
    this.settings = settings;
    this.pollSeed = pollSeed;
    this.link = link;
    this.directorHead = CheckHorizon.head(trust.director().root(), trust.director().timestamp());
    this.imageRoot = CheckHorizon.rootHead(trust.images().root());
    this.imagesMatter = UptaneCheck.directorHasTargets(trust);
    this.imageHead =
        imagesMatter ? CheckHorizon.head(trust.images().root(), trust.images().timestamp()) : 0;
    this.trustedUntilMillis = trust.until().toEpochMilli() - epoch.toEpochMilli();
    this.directorTimestampBytes = trust.director().timestamp().length;
    this.faults = faults;
    this.subject = subject;
  }

  /**
   * The foresight for the next poll of a vehicle that trusts {@code trust}: one that counts every
   * poll and foresees none when skipping is off or the vehicle has not verified both repositories
   * yet.
   */
  static SimTimers.Foresight of(
      String vin,
      CheckHorizon horizon,
      SimClock clock,
      VehicleSettings settings,
      long pollSeed,
      NetworkLink link,
      VehicleState.Trust trust,
      Faults faults,
      Subject subject) {
    if (!settings.skipForeseenPolls() || !complete(trust)) {
      return now -> {
        horizon.pollMade();
        return null;
      };
    }
    return new ForeseenPoll(vin, horizon, clock, settings, pollSeed, link, trust, faults, subject);
  }

  /** The foresight of each next poll of a vehicle, from its state then ({@link #of}). */
  static java.util.function.Function<Vehicle.State, SimTimers.Foresight> forVehicle(
      String vin,
      CheckHorizon horizon,
      SimClock clock,
      VehicleSettings settings,
      long pollSeed,
      java.util.function.Function<Vehicle.State, NetworkLink> link,
      Faults faults) {
    return s ->
        of(
            vin,
            horizon,
            clock,
            settings,
            pollSeed,
            link.apply(s),
            s.update() == null ? s.trust() : null,
            faults,
            Subject.vehicle(vin, s.spec().region(), null));
  }

  /** Whether {@code trust} holds what a check that finds nothing new compares. */
  private static boolean complete(VehicleState.Trust trust) {
    return trust != null
        && trust.until() != null
        && trust.director() != null
        && trust.director().root() != null
        && trust.director().timestamp() != null
        && trust.images() != null
        && trust.images().root() != null
        && (trust.images().timestamp() != null || !UptaneCheck.directorHasTargets(trust));
  }

  @Override
  public SimTimers.Foreseen at(long nowMillis) {
    if (nowMillis >= trustedUntilMillis
        || !horizon.directorUnchanged(vin, directorHead, nowMillis)
        || !horizon.imageRootUnchanged(imageRoot)
        || (imagesMatter && !horizon.imagesUnchanged(imageHead))) {
      horizon.pollMade();
      return null;
    }
    // The check fetches both timestamps: the Director's is the one trusted, the image
    // repository's the one it serves now.
    long bytes = directorTimestampBytes + horizon.imageTimestampBytes();
    NetworkLink.Exchange e = link.exchange(bytes, epoch.plusMillis(nowMillis));
    // A lost check fails at once (OverTheLink); a delivered one ends when its answer arrives.
    long ends = e.delivered() ? nowMillis + SimClock.delayMillis(e.duration()) : nowMillis;
    long from = epoch.toEpochMilli() + nowMillis;
    if (faults.anyTouches(subject, from, from + (ends - nowMillis) + 1)) {
      // A fault or attack on the vehicle while it would check: what the check meets is not known.
      horizon.pollMade();
      return null;
    }
    horizon.pollForeseen();
    return new SimTimers.Foreseen(ends + settings.untilNextPoll(pollSeed, ends).toMillis(), ends);
  }
}
