package io.fleetsim.cluster.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Simulated timers on a clock in manual mode: exact instants, replacement, cancellation. */
class SimTimersTest {

  static final ActorTestKit testKit =
      ActorTestKit.create(
          "SimTimersTest",
          ConfigFactory.parseString("fleetsim.time.mode = manual")
              .withFallback(ConfigFactory.load()));
  static final SimClock clock = SimClock.get(testKit.system());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  sealed interface Cmd {}

  record Start(Object key, String text, Duration delay) implements Cmd {}

  record Cancel(Object key) implements Cmd {}

  record Say(String text) implements Cmd {}

  record StartForeseen(Object key, String text, Duration delay, SimTimers.Foresight foresight)
      implements Cmd {}

  record AskForeseen(Object key, ActorRef<Long> replyTo) implements Cmd {}

  record Heard(String text, long atMillis) {}

  static Behavior<Cmd> timed(ActorRef<Heard> out) {
    return SimTimers.withTimers(
        timers ->
            Behaviors.receive(Cmd.class)
                .onMessage(
                    Start.class,
                    s -> {
                      timers.startSingleTimer(s.key(), new Say(s.text()), s.delay());
                      return Behaviors.same();
                    })
                .onMessage(
                    Cancel.class,
                    c -> {
                      timers.cancel(c.key());
                      return Behaviors.same();
                    })
                .onMessage(
                    StartForeseen.class,
                    s -> {
                      timers.startSingleTimer(s.key(), new Say(s.text()), s.delay(), s.foresight());
                      return Behaviors.same();
                    })
                .onMessage(
                    AskForeseen.class,
                    q -> {
                      q.replyTo().tell(timers.foreseenUntil(q.key()));
                      return Behaviors.same();
                    })
                .onMessage(
                    Say.class,
                    s -> {
                      out.tell(new Heard(s.text(), timers.clock().nowMillis()));
                      return Behaviors.same();
                    })
                .build());
  }

  @Test
  void timersFireAtTheirExactInstantInOrderAndAReplacedOrCancelledOneNever() {
    TestProbe<Heard> out = testKit.createTestProbe();
    ActorRef<Cmd> a = testKit.spawn(timed(out.ref()));
    long t0 = clock.nowMillis();
    a.tell(new Start("x", "replaced", Duration.ofSeconds(5)));
    a.tell(new Start("x", "x", Duration.ofMillis(1500)));
    a.tell(new Start("y", "y", Duration.ofNanos(2_000_000_001L)));
    a.tell(new Start("z", "cancelled", Duration.ofSeconds(1)));
    a.tell(new Cancel("z"));
    clock.advance(Duration.ofSeconds(10));
    List<Heard> heard = out.receiveSeveralMessages(2);
    assertEquals(new Heard("x", t0 + 1500), heard.get(0));
    // a delay is rounded up to the whole millisecond
    assertEquals(new Heard("y", t0 + 2001), heard.get(1));
    out.expectNoMessage(Duration.ofMillis(50));
    assertEquals(t0 + 10_000, clock.nowMillis());
  }

  @Test
  void aTimerFiringIntoAStoppedActorGoesNowhereAndTimeGoesOn() {
    TestProbe<Heard> out = testKit.createTestProbe();
    ActorRef<Cmd> a = testKit.spawn(timed(out.ref()));
    ActorRef<Cmd> b = testKit.spawn(timed(out.ref()));
    a.tell(new Start("k", "from a stopped actor", Duration.ofSeconds(1)));
    b.tell(new Start("k", "b", Duration.ofSeconds(2)));
    clock.awaitIdle();
    testKit.stop(a);
    long t0 = clock.nowMillis();
    clock.advance(Duration.ofSeconds(3));
    assertEquals(new Heard("b", t0 + 2000), out.receiveMessage());
    out.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aDelayMayNotBeNegative() {
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> SimClock.delayMillis(Duration.ofMillis(-1)));
    assertEquals(0, SimClock.delayMillis(Duration.ZERO));
    assertEquals(1, SimClock.delayMillis(Duration.ofNanos(1)));
  }

  /** Answers for the first {@code known} firings: each lasts 100 ms, the next is 1 s after. */
  record Knowing(int known, List<Long> asked) implements SimTimers.Foresight {
    @Override
    public SimTimers.Foreseen at(long nowMillis) {
      asked.add(nowMillis);
      return asked.size() <= known
          ? new SimTimers.Foreseen(nowMillis + 1100, nowMillis + 100)
          : null;
    }
  }

  @Test
  void aForeseenFiringIsNotDeliveredAndTheTimerIsDueAgainWhenTheForesightSays() {
    TestProbe<Heard> out = testKit.createTestProbe();
    TestProbe<Long> until = testKit.createTestProbe();
    ActorRef<Cmd> a = testKit.spawn(timed(out.ref()));
    List<Long> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    long t0 = clock.nowMillis();
    a.tell(new StartForeseen("p", "poll", Duration.ofSeconds(1), new Knowing(2, asked)));
    a.tell(new AskForeseen("p", until.ref()));
    assertEquals(0L, until.receiveMessage(), "nothing foreseen yet");

    clock.advance(Duration.ofMillis(1050));
    out.expectNoMessage(Duration.ofMillis(20));
    a.tell(new AskForeseen("p", until.ref()));
    assertEquals(t0 + 1100, until.receiveMessage(), "the first firing lasts until then");

    clock.advance(Duration.ofSeconds(5));
    // foreseen at 1 s and 2.1 s, delivered at the third due instant, 3.2 s
    assertEquals(new Heard("poll", t0 + 3200), out.receiveMessage());
    assertEquals(List.of(t0 + 1000, t0 + 2100, t0 + 3200), asked);
    out.expectNoMessage(Duration.ofMillis(20));
  }

  @Test
  void aForeseenTimerCancelledIsNeitherAskedNorDeliveredAgain() {
    TestProbe<Heard> out = testKit.createTestProbe();
    ActorRef<Cmd> a = testKit.spawn(timed(out.ref()));
    List<Long> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    long t0 = clock.nowMillis();
    a.tell(new StartForeseen("p", "poll", Duration.ofSeconds(1), new Knowing(1, asked)));
    clock.advance(Duration.ofMillis(1500));
    a.tell(new Cancel("p"));
    clock.advance(Duration.ofSeconds(5));
    assertEquals(List.of(t0 + 1000), asked);
    out.expectNoMessage(Duration.ofMillis(50));
  }
}
