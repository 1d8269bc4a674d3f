package io.fleetsim.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.Asks;
import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.time.SimClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The clock's quiescence detection, against the places where it could break: it must never see the
 * node idle between a cause and its effect. Each case starts work at one instant with a tripwire
 * timer due a millisecond later; the work reports the simulated instant at which it ended. Had the
 * clock found the node idle anywhere on the way (a journal write, a recovery, an ask's
 * continuation, a future on the blocking pool), it would have moved to the tripwire and the work
 * would report the later instant. Each case runs many times, on the real JDBC journal (H2), to give
 * a gap every chance to show.
 */
class QuiescenceTest {

  static final int ROUNDS = 30;

  static final String NAME = "QuiescenceTest";
  static final ActorTestKit testKit = ShardedH2Node.start(NAME);
  static final SimClock clock = SimClock.get(testKit.system());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  // ---- a persistent entity that says when it was done --------------------------------------

  sealed interface Cmd extends CborSerializable {}

  /** Persist, then (in the persist callback) tell when. */
  record Stamp(ActorRef<Long> replyTo) implements Cmd {}

  /** Reply with the instant and the number of events recovered, without persisting. */
  record Recovered(ActorRef<Long> replyTo) implements Cmd {}

  /** Asks a sharded entity to be passivated (stopped by its shard). */
  record Leave() implements Cmd {}

  record Stamped(long at) implements CborSerializable {}

  static final class Stamper extends EventSourcedBehavior<Cmd, Stamped, Integer> {
    private final SimClock clock;
    private final Runnable passivate;

    Stamper(PersistenceId id, SimClock clock, Runnable passivate) {
      super(id);
      this.clock = clock;
      this.passivate = passivate;
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Cmd, Stamped, Integer> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Stamp.class,
              (s, c) ->
                  Effect()
                      .persist(new Stamped(clock.nowMillis()))
                      .thenRun(x -> c.replyTo().tell(clock.nowMillis())))
          .onCommand(Leave.class, (s, c) -> Effect().none().thenRun(x -> passivate.run()))
          .onCommand(
              Recovered.class,
              (s, c) -> Effect().none().thenRun(x -> c.replyTo().tell(clock.nowMillis())))
          .build();
    }

    @Override
    public EventHandler<Integer, Stamped> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s + 1);
    }
  }

  static final AtomicInteger ids = new AtomicInteger();

  static ActorRef<Cmd> stamper() {
    String id = "stamper-" + ids.incrementAndGet();
    return testKit.spawn(new Stamper(PersistenceId.ofUniqueId(id), clock, () -> {}));
  }

  /**
   * Holds the clock, arms a tripwire a millisecond ahead, starts {@code work}, lets go, and returns
   * how far past the start the work's reported instant is: 0 when quiescence held.
   */
  static long lateBy(Consumer<ActorRef<Long>> work) {
    TestProbe<Long> done = testKit.createTestProbe();
    long start;
    try (SimClock.Hold hold = clock.hold()) {
      start = clock.nowMillis();
      clock.schedule(Duration.ofMillis(1), () -> {});
      work.accept(done.ref());
    }
    return done.receiveMessage(Duration.ofSeconds(30)) - start;
  }

  static void assertNeverLate(Consumer<ActorRef<Long>> work) {
    for (int i = 0; i < ROUNDS; i++) {
      assertEquals(0, lateBy(work), "round " + i + ": the clock moved while work was in hand");
    }
  }

  // ---- the cases ---------------------------------------------------------------------------

  @Test
  void aPersistWhoseCallbackSends() {
    ActorRef<Cmd> s = stamper();
    assertNeverLate(r -> s.tell(new Stamp(r)));
  }

  /**
   * The journal stamps each event with the instant at which the entity persisted it (the argument
   * in {@link CountedJdbcJournal}), here with the clock running on its own and a tripwire each
   * time.
   */
  @Test
  void theJournalStampsEachEventWithTheInstantOfItsPersist() {
    String id = "stamper-" + ids.incrementAndGet();
    ActorRef<Cmd> s = testKit.spawn(new Stamper(PersistenceId.ofUniqueId(id), clock, () -> {}));
    assertNeverLate(r -> s.tell(new Stamp(r)));
    java.util.List<org.apache.pekko.persistence.query.EventEnvelope> events =
        EventHistory.events(testKit.system(), id).toCompletableFuture().join();
    assertEquals(ROUNDS, events.size());
    long epoch = clock.epoch().toEpochMilli();
    for (var e : events) {
      assertEquals(epoch + ((Stamped) e.event()).at(), e.timestamp(), "event " + e.sequenceNr());
    }
    for (int i = 1; i < events.size(); i++) {
      assertTrue(events.get(i - 1).timestamp() <= events.get(i).timestamp(), "the clock went back");
    }
  }

  /** Asks the stamper and answers from the ask's continuation. */
  record Relay(ActorRef<Cmd> to, ActorRef<Long> replyTo) {}

  @Test
  void anAsksContinuation() {
    Behavior<Relay> relay =
        Behaviors.setup(
            ctx -> {
              Executor ec = ctx.getExecutionContext();
              Asks asks = new Asks(ctx.getSystem(), Duration.ofSeconds(30), ec);
              return Behaviors.receiveMessage(
                  m -> {
                    asks.<Cmd, Long>ask(m.to(), Stamp::new)
                        .thenAccept(x -> m.replyTo().tell(clock.nowMillis()));
                    return Behaviors.same();
                  });
            });
    ActorRef<Relay> r = testKit.spawn(relay);
    ActorRef<Cmd> s = stamper();
    assertNeverLate(reply -> r.tell(new Relay(s, reply)));
  }

  /** Runs a query on the blocking dispatcher (as the fleet read model does) and pipes it back. */
  record Query(ActorRef<Long> replyTo) {}

  record Answered(ActorRef<Long> replyTo) {}

  @Test
  void aFutureOnTheBlockingDispatcherPipedBack() {
    Behavior<Object> querier =
        Behaviors.setup(
            ctx -> {
              Executor blocking =
                  ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
              return Behaviors.receive(Object.class)
                  .onMessage(
                      Query.class,
                      q -> {
                        ctx.pipeToSelf(
                            CompletableFuture.supplyAsync(
                                () -> {
                                  // a query of a few milliseconds
                                  long until = System.nanoTime() + 3_000_000;
                                  while (System.nanoTime() < until) {
                                    Thread.onSpinWait();
                                  }
                                  return q.replyTo();
                                },
                                blocking),
                            (v, e) -> new Answered(v));
                        return Behaviors.same();
                      })
                  .onMessage(
                      Answered.class,
                      a -> {
                        a.replyTo().tell(clock.nowMillis());
                        return Behaviors.same();
                      })
                  .build();
            });
    ActorRef<Object> q = testKit.spawn(querier);
    assertNeverLate(r -> q.tell(new Query(r)));
  }

  static final EntityTypeKey<Cmd> KEY = EntityTypeKey.create(Cmd.class, "Stamper");

  static final AtomicInteger incarnations = new AtomicInteger();

  @Test
  void theRecoveryOfAPassivatedEntity() {
    ClusterSharding sharding = ClusterSharding.get(testKit.system());
    sharding.init(
        Entity.of(
            KEY,
            ectx ->
                Behaviors.<Cmd>setup(
                    actx -> {
                      incarnations.incrementAndGet();
                      return new Stamper(
                          PersistenceId.of(KEY.name(), ectx.getEntityId()),
                          clock,
                          () ->
                              ectx.getShard()
                                  .tell(new ClusterSharding.Passivate<>(actx.getSelf())));
                    })));
    // Sharding itself starts on wall-clock retries (the region registers with its coordinator);
    // a node does that before simulated time starts, so the test does it too.
    TestProbe<Long> started = testKit.createTestProbe();
    sharding.entityRefFor(KEY, "warm-up").tell(new Stamp(started.ref()));
    started.receiveMessage(Duration.ofSeconds(30));
    for (int i = 0; i < ROUNDS; i++) {
      EntityRef<Cmd> e = sharding.entityRefFor(KEY, "passivated-" + i);
      for (int k = 0; k < 3; k++) {
        assertEquals(
            0, lateBy(r -> e.tell(new Stamp(r))), "a history to recover, round " + i + "." + k);
      }
      int before = incarnations.get();
      String id = "passivated-" + i;
      e.tell(new Leave());
      TestProbe<org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState> state =
          testKit.createTestProbe();
      state.awaitAssert(
          Duration.ofSeconds(30),
          () -> {
            sharding
                .shardState()
                .tell(
                    new org.apache.pekko.cluster.sharding.typed.GetShardRegionState(
                        KEY, state.ref()));
            boolean running =
                state.receiveMessage().getShards().stream()
                    .anyMatch(sh -> sh.getEntityIds().contains(id));
            org.junit.jupiter.api.Assertions.assertFalse(running, id + " still runs");
            return null;
          });
      // Asked again, it is started and recovers its events from the journal before answering.
      assertEquals(0, lateBy(r -> e.tell(new Recovered(r))), "recovery " + i);
      assertEquals(before + 1, incarnations.get(), "the entity was started again");
    }
  }
}
