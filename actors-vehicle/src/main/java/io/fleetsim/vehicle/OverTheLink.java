package io.fleetsim.vehicle;

import io.fleetsim.cluster.Asks;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.LinkFaults;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Work whose bytes cross the vehicle's cellular link: a metadata check, a download, a manifest on
 * its way to the Director. The work itself completes at once (the entities answer without simulated
 * delay); the link then decides whether its bytes get through and how long they take, and the
 * result arrives at the vehicle after that delay, or is lost. A network fault may also deliver it
 * twice ({@link io.fleetsim.faults.FaultKind#DUPLICATE}) or hold it back so that what is sent after
 * it arrives first ({@link io.fleetsim.faults.FaultKind#REORDER}).
 *
 * <p>The link's model draws from the vehicle's seeded generator, so it is consulted on the actor's
 * thread only: the finished work comes back as a {@link Vehicle.Carried} message first.
 *
 * <p>The work's outcome is taken up on the vehicle's dispatcher ({@link Asks#on}), which the clock
 * counts, whatever stage it is: {@code pipeToSelf} on a stage converted from a Pekko (Scala) future
 * would continue on the common fork-join pool, which it does not count, and the clock could pass a
 * timer before the result reached the vehicle.
 */
final class OverTheLink {

  static final String LOST = "the link lost every attempt";

  private final ActorContext<Vehicle.Command> ctx;
  private final SimTimers<Vehicle.Command> timers;
  private final SimClock clock;
  private final NetworkLink link;

  OverTheLink(
      ActorContext<Vehicle.Command> ctx,
      SimTimers<Vehicle.Command> timers,
      SimClock clock,
      NetworkLink link) {
    this.ctx = ctx;
    this.timers = timers;
    this.clock = clock;
    this.link = link;
  }

  /**
   * When {@code work} completes, its result crosses the link: {@code arrived} is delivered to the
   * vehicle after the link's delay, or {@code lost} with the reason when the work failed or the
   * link lost every attempt.
   */
  <T> void send(
      CompletionStage<T> work,
      ToLongFunction<T> bytes,
      Function<T, Vehicle.Command> arrived,
      Function<String, Vehicle.Command> lost) {
    ctx.pipeToSelf(
        Asks.on(work, ctx.getExecutionContext()),
        (value, err) ->
            err != null
                ? lost.apply(Asks.rootCause(err))
                : new Vehicle.Carried(
                    arrived.apply(value), lost.apply(LOST), bytes.applyAsLong(value)));
  }

  /** On the actor: the link carries the bytes now, and the result arrives when they have. */
  void carry(Vehicle.Carried c) {
    carry(c, null, List.of());
  }

  /**
   * On the actor: the link carries the bytes now, with the network faults {@code acting} on it, and
   * the result arrives when they have.
   */
  void carry(Vehicle.Carried c, FaultedLink faults, List<FaultRule> acting) {
    NetworkLink.Exchange e = link.exchange(c.bytes(), clock.now());
    Duration duration = e.duration();
    boolean delivered = e.delivered();
    Vehicle.Command arrival = c.arrival();
    Duration arrives = duration;
    if (!acting.isEmpty()) {
      long at = clock.nowMillis();
      rank = at == lastStart ? rank + 1 : 0;
      lastStart = at;
      LinkFaults.Shaped shaped =
          faults.shape(
              acting,
              rank,
              c.bytes(),
              c.arrival() instanceof Vehicle.DownloadArrived,
              duration,
              delivered);
      duration = shaped.duration();
      delivered = shaped.delivered();
      if (delivered && shaped.duplicated()) {
        // The copy has a key of its own: under the answer's key it would replace the first.
        timers.startSingleTimer(new Copy(c.arrival()), c.arrival(), duration.multipliedBy(2));
      }
      arrives = duration;
      if (delivered && shaped.reordered()) {
        arrives = shaped.arrival();
        arrival = heldBack(c.arrival());
      }
    }
    if (delivered) {
      timers.startSingleTimer(arrival, arrives);
    } else {
      ctx.getSelf().tell(c.loss());
    }
  }

  /**
   * What arrives of an answer the link held back ({@link io.fleetsim.faults.FaultKind#REORDER}): a
   * check's or a download's answer as it is, which the vehicle takes only if it still waits for it
   * (the check's number, the update's id); a manifest as {@link Vehicle.HeldManifest}, which
   * reaches the Director whatever the vehicle signed since, for it was already on its way.
   */
  static Vehicle.Command heldBack(Vehicle.Command arrival) {
    return arrival instanceof Vehicle.SendManifest m ? new Vehicle.HeldManifest(m) : arrival;
  }

  /** The timer key of an answer's second copy ({@link io.fleetsim.faults.FaultKind#DUPLICATE}). */
  private record Copy(Vehicle.Command arrival) {}

  /** The exchanges that started at one instant, in order: their fault draws differ. */
  private long lastStart = Long.MIN_VALUE;

  private int rank;
}
