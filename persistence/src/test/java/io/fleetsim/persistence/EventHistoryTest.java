package io.fleetsim.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** EventHistory on Pekko's in-memory persistence testkit, as entity modules use it in tests. */
class EventHistoryTest {

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "EventHistoryTest",
            ConfigFactory.parseString(
                    """
                    pekko.actor.provider = local
                    fleetsim.read-journal = "pekko.persistence.testkit.query"
                    """)
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void readsEventsFromTheConfiguredReadJournal() {
    ActorRef<Counter.Command> counter = testKit.spawn(Counter.create("in-memory"));
    TestProbe<StatusReply<Integer>> probe = testKit.createTestProbe();
    for (int i = 1; i <= 3; i++) {
      counter.tell(new Counter.Add(i, probe.ref()));
      probe.receiveMessage(Duration.ofSeconds(10));
    }
    List<EventEnvelope> events =
        EventHistory.events(testKit.system(), "Counter|in-memory").toCompletableFuture().join();
    assertEquals(
        List.of(new Counter.Added(1), new Counter.Added(2), new Counter.Added(3)),
        events.stream().map(EventEnvelope::event).toList());
  }

  @Test
  void emptyOrNegativeRangesAndMissingIdsAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> EventHistory.source(testKit.system(), "Counter|x", 5, 4));
    assertThrows(
        IllegalArgumentException.class,
        () -> EventHistory.source(testKit.system(), "Counter|x", -1, 4));
    assertThrows(NullPointerException.class, () -> EventHistory.events(testKit.system(), null));
    assertTrue(
        EventHistory.events(testKit.system(), "Counter|nobody")
            .toCompletableFuture()
            .join()
            .isEmpty());
  }
}
