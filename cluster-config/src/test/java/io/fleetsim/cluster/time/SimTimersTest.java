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
}
