package io.fleetsim.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.EntityHome;
import io.fleetsim.cluster.EntitySharding;
import io.fleetsim.cluster.time.EntityTimers;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A sharded entity whose simulated timer is kept by the node: it passivates with the timer pending,
 * and the due timer starts it again through sharding; the new incarnation recovers from the journal
 * and acts at exactly the due instant.
 */
class PassivationTest {

  static final String NAME = "PassivationTest";
  static final ActorTestKit testKit = ShardedH2Node.start(NAME);
  static final SimClock clock = SimClock.get(testKit.system());
  static final EntityTypeKey<Cmd> KEY = EntityTypeKey.create(Cmd.class, "Sleeper");

  /** Incarnations started per entity id. */
  static final Map<String, AtomicInteger> incarnations = new ConcurrentHashMap<>();

  /** Where each incarnation reports a wake-up: {instant ms, incarnation, naps recovered}. */
  static final TestProbe<List<Long>> woke = testKit.createTestProbe();

  static {
    EntitySharding.initHomed(testKit.system(), KEY, home -> Sleeper.create(home, woke.ref()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  sealed interface Cmd extends CborSerializable {}

  /** Persist a nap, arm the wake-up timer, and reply with the instant the nap began. */
  record Nap(long millis, ActorRef<Long> replyTo) implements Cmd {}

  record Wake() implements Cmd {}

  enum IdleCheck implements Cmd {
    INSTANCE
  }

  record Napped(long from) implements CborSerializable {}

  static final class Sleeper extends EventSourcedBehavior<Cmd, Napped, Integer> {
    private final EntityHome home;
    private final SimTimers<Cmd> timers;
    private final ActorRef<Cmd> self;
    private final ActorRef<List<Long>> report;
    private final int incarnation;

    static Behavior<Cmd> create(EntityHome home, ActorRef<List<Long>> report) {
      return Behaviors.setup(
          ctx ->
              SimTimers.forEntity(
                  home,
                  IdleCheck.INSTANCE,
                  timers -> new Sleeper(home, timers, ctx.getSelf(), report)));
    }

    Sleeper(EntityHome home, SimTimers<Cmd> timers, ActorRef<Cmd> self, ActorRef<List<Long>> r) {
      super(PersistenceId.of("Sleeper", home.entityId()));
      this.home = home;
      this.timers = timers;
      this.self = self;
      this.report = r;
      this.incarnation =
          incarnations.computeIfAbsent(home.entityId(), x -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Cmd, Napped, Integer> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Nap.class,
              (s, c) ->
                  Effect()
                      .persist(new Napped(clock.nowMillis()))
                      .thenRun(
                          x ->
                              timers.startSingleTimer(
                                  "wake", new Wake(), Duration.ofMillis(c.millis())))
                      .thenRun(x -> c.replyTo().tell(clock.nowMillis())))
          .onCommand(
              Wake.class,
              (s, c) -> {
                report.tell(List.of(clock.nowMillis(), (long) incarnation, (long) s));
                return Effect().none();
              })
          .onCommand(
              IdleCheck.class,
              (s, c) -> {
                if (!timers.anyPendingBut("wake")) {
                  timers.passivate();
                }
                return Effect().none();
              })
          .build();
    }

    @Override
    public EventHandler<Integer, Napped> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s + 1);
    }
  }

  @Test
  void aPassivatedEntityIsStartedAgainByItsDueTimerAndActsAtExactlyTheDueInstant() {
    TestProbe<Long> began = testKit.createTestProbe();
    var sleeper = ClusterSharding.get(testKit.system()).entityRefFor(KEY, "s1");
    sleeper.tell(new Nap(600_000, began.ref()));
    long from = began.receiveMessage(Duration.ofSeconds(30));
    List<Long> w = woke.receiveMessage(Duration.ofSeconds(60));
    assertEquals(from + 600_000, w.get(0), "woke at the due instant");
    assertEquals(2, w.get(1), "woken in a second incarnation: the first was passivated");
    assertEquals(1, w.get(2), "the new incarnation recovered the nap from the journal");
    // and, woken, it goes again: nothing of it is left with the node's timers
    woke.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          assertEquals(0, EntityTimers.get(testKit.system()).entities());
          return null;
        });
  }

  @Test
  void aReplacedTimerDoesNotFireAndTheOneReplacingItWakesTheEntity() {
    TestProbe<Long> began = testKit.createTestProbe();
    var sleeper = ClusterSharding.get(testKit.system()).entityRefFor(KEY, "s2");
    // two naps at one instant: the second replaces the first's timer, and only it fires
    try (SimClock.Hold h = clock.hold()) {
      sleeper.tell(new Nap(300_000, began.ref()));
      sleeper.tell(new Nap(900_000, began.ref()));
      long first = began.receiveMessage(Duration.ofSeconds(30));
      assertEquals(first, began.receiveMessage(Duration.ofSeconds(30)));
      h.close();
      List<Long> w = woke.receiveMessage(Duration.ofSeconds(60));
      assertEquals(first + 900_000, w.get(0));
      assertEquals(2, w.get(2));
      woke.expectNoMessage(Duration.ofMillis(200));
    }
  }
}
