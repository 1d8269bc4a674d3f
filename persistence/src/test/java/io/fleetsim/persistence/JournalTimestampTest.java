package io.fleetsim.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cluster.SingleNode;
import io.fleetsim.cluster.time.SimClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events carry the simulated instant at which they were persisted, not the wall clock's: the JDBC
 * journal on H2 with the virtual clock in manual mode, events persisted at two instants a day apart
 * and read back through the read journal.
 */
class JournalTimestampTest {

  static ActorTestKit testKit;
  static SimClock clock;

  @BeforeAll
  static void start() throws Exception {
    String name = "JournalTimestampTest";
    testKit =
        ActorTestKit.create(
            name,
            PersistenceSetup.h2InMemory()
                .withFallback(ConfigFactory.parseString("fleetsim.time.mode = manual"))
                .withFallback(SingleNode.config(name))
                .withFallback(ConfigFactory.load())
                .resolve());
    PersistenceSetup.createSchema(testKit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    clock = SimClock.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void eventsAreStampedWithTheSimulatedInstantOfTheirPersist() {
    ActorRef<Counter.Command> counter = testKit.spawn(Counter.create("stamped"));
    TestProbe<StatusReply<Integer>> probe = testKit.createTestProbe();

    clock.advance(Duration.ofMinutes(90));
    Instant first = clock.now();
    counter.tell(new Counter.Add(1, probe.ref()));
    probe.receiveMessage(Duration.ofSeconds(10));
    counter.tell(new Counter.Add(2, probe.ref()));
    probe.receiveMessage(Duration.ofSeconds(10));

    clock.advance(Duration.ofDays(1).plusMillis(7));
    Instant second = clock.now();
    counter.tell(new Counter.Add(3, probe.ref()));
    probe.receiveMessage(Duration.ofSeconds(10));

    List<EventEnvelope> events =
        EventHistory.events(testKit.system(), "Counter|stamped").toCompletableFuture().join();
    assertEquals(
        List.of(first, first, second),
        events.stream().map(e -> Instant.ofEpochMilli(e.timestamp())).toList());
    assertEquals(clock.epoch().plus(Duration.ofMinutes(90)), first);
    assertEquals(
        List.of(new Counter.Added(1), new Counter.Added(2), new Counter.Added(3)),
        events.stream().map(EventEnvelope::event).toList());
  }
}
