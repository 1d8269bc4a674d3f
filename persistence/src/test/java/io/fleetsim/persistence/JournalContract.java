package io.fleetsim.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * What every journal back end must do for fleetsim: persist, snapshot, recover (in the same and in
 * a new actor system), and give events back by persistence id and by tag.
 */
abstract class JournalContract {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** The persistence overlay for the back end under test; the same database on every call. */
  abstract Config backend();

  /** Plain JDBC to the same database, to look at the tables directly. */
  abstract Connection connect() throws Exception;

  /** Table name as written in SQL for the back end (quoted for H2, schema-qualified for PG). */
  abstract String table(String name);

  private ActorTestKit start(String name) {
    Config config =
        backend()
            .withFallback(
                ConfigFactory.parseString(
                    """
                    pekko.actor.provider = local
                    fleetsim.snapshot-every = 3
                    fleetsim.tag-slices = 4
                    """))
            .withFallback(ConfigFactory.load());
    ActorTestKit testKit = ActorTestKit.create(name, config);
    await(PersistenceSetup.createSchema(testKit.system()));
    return testKit;
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage
          .toCompletableFuture()
          .get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static int add(ActorTestKit kit, ActorRef<Counter.Command> counter, int amount) {
    TestProbe<StatusReply<Integer>> probe = kit.createTestProbe();
    counter.tell(new Counter.Add(amount, probe.ref()));
    StatusReply<Integer> reply = probe.receiveMessage(TIMEOUT);
    assertTrue(reply.isSuccess(), () -> "add " + amount + " refused: " + reply);
    return reply.getValue();
  }

  private static Counter.State get(ActorTestKit kit, ActorRef<Counter.Command> counter) {
    TestProbe<Counter.State> probe = kit.createTestProbe();
    counter.tell(new Counter.Get(probe.ref()));
    return probe.receiveMessage(TIMEOUT);
  }

  private long count(String sql) throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void schemaCreationIsIdempotent() {
    ActorTestKit kit = start("schema");
    try {
      assertEquals(Done.getInstance(), await(PersistenceSetup.createSchema(kit.system())));
      assertEquals(Done.getInstance(), await(PersistenceSetup.createSchema(kit.system())));
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void anEntityRecoversItsStateAfterStopAndInANewActorSystem() throws Exception {
    String id = "c-" + UUID.randomUUID();
    ActorTestKit first = start("first");
    try {
      ActorRef<Counter.Command> counter = first.spawn(Counter.create(id));
      assertEquals(1, add(first, counter, 1));
      assertEquals(3, add(first, counter, 2));
      assertEquals(6, add(first, counter, 3));
      assertEquals(10, add(first, counter, 4));
      assertEquals(15, add(first, counter, 5));
      first.stop(counter, TIMEOUT);

      ActorRef<Counter.Command> again = first.spawn(Counter.create(id));
      assertEquals(new Counter.State(15, 5), get(first, again));
      assertEquals(21, add(first, again, 6));
    } finally {
      first.shutdownTestKit();
    }

    // Snapshots every 3 events: written at sequence 3 and 6.
    String pid = "'" + Counter.ENTITY_TYPE + "|" + id + "'";
    assertEquals(
        6,
        count(
            "SELECT COUNT(*) FROM "
                + table("event_journal")
                + " WHERE "
                + column("persistence_id")
                + " = "
                + pid));
    assertTrue(
        count(
                "SELECT COUNT(*) FROM "
                    + table("snapshot")
                    + " WHERE "
                    + column("persistence_id")
                    + " = "
                    + pid)
            >= 1,
        "snapshot written");

    ActorTestKit second = start("second");
    try {
      ActorRef<Counter.Command> recovered = second.spawn(Counter.create(id));
      assertEquals(new Counter.State(21, 6), get(second, recovered));
    } finally {
      second.shutdownTestKit();
    }
  }

  /** Column name as written in SQL for the back end. */
  abstract String column(String name);

  @Test
  void eventHistoryReturnsOneEntitysEventsInOrder() {
    String id = "h-" + UUID.randomUUID();
    String otherId = "h-" + UUID.randomUUID();
    ActorTestKit kit = start("history");
    try {
      ActorRef<Counter.Command> counter = kit.spawn(Counter.create(id));
      ActorRef<Counter.Command> other = kit.spawn(Counter.create(otherId));
      for (int i = 1; i <= 7; i++) {
        add(kit, counter, i);
        add(kit, other, 100);
      }
      List<EventEnvelope> events =
          await(EventHistory.events(kit.system(), Counter.ENTITY_TYPE + "|" + id));
      assertEquals(7, events.size());
      for (int i = 0; i < 7; i++) {
        assertEquals(i + 1L, events.get(i).sequenceNr());
        assertEquals(Counter.ENTITY_TYPE + "|" + id, events.get(i).persistenceId());
        assertEquals(new Counter.Added(i + 1), events.get(i).event());
      }
      List<EventEnvelope> middle =
          await(
              EventHistory.source(kit.system(), Counter.ENTITY_TYPE + "|" + id, 3, 5)
                  .runWith(Sink.seq(), kit.system()));
      assertEquals(List.of(3L, 4L, 5L), middle.stream().map(EventEnvelope::sequenceNr).toList());

      assertTrue(await(EventHistory.events(kit.system(), "Counter|never-existed")).isEmpty());
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void eventsAreTaggedBySliceAndReadableByTag() {
    String id = "t-" + UUID.randomUUID();
    ActorTestKit kit = start("tags");
    try {
      ActorRef<Counter.Command> counter = kit.spawn(Counter.create(id));
      add(kit, counter, 1);
      add(kit, counter, 2);
      String pid = Counter.ENTITY_TYPE + "|" + id;
      String tag = Tags.forEntity(kit.system(), Counter.ENTITY_TYPE, pid);
      assertTrue(Tags.allTags(kit.system(), Counter.ENTITY_TYPE).contains(tag));

      JdbcReadJournal journal = (JdbcReadJournal) EventHistory.readJournal(kit.system());
      List<EventEnvelope> tagged =
          await(
              journal
                  .currentEventsByTag(tag, Offset.noOffset())
                  .filter(e -> e.persistenceId().equals(pid))
                  .runWith(Sink.seq(), kit.system()));
      assertEquals(
          List.of(new Counter.Added(1), new Counter.Added(2)),
          tagged.stream().map(EventEnvelope::event).toList());
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void refusedCommandsPersistNothing() {
    String id = "r-" + UUID.randomUUID();
    ActorTestKit kit = start("refused");
    try {
      ActorRef<Counter.Command> counter = kit.spawn(Counter.create(id));
      TestProbe<StatusReply<Integer>> probe = kit.createTestProbe();
      counter.tell(new Counter.Add(-5, probe.ref()));
      assertTrue(probe.receiveMessage(TIMEOUT).isError());
      assertTrue(
          await(EventHistory.events(kit.system(), Counter.ENTITY_TYPE + "|" + id)).isEmpty());
    } finally {
      kit.shutdownTestKit();
    }
  }
}
