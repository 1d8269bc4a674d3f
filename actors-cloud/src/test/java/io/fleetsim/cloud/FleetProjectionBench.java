package io.fleetsim.cloud;

import io.fleetsim.cluster.SingleNode;
import io.fleetsim.persistence.PersistenceSetup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (surefire only runs {@code *Test}): the same journal of {@code
 * fleetsim.bench.events} (default 100,000) tagged registrations on H2, read into a fresh read model
 * by this project's consumer ({@link FleetProjection#run}) and by Pekko Projections' {@code
 * JdbcProjection.groupedWithin} with the same batch size, the same handler (one {@link
 * FleetChanges} written per batch) and the offset in the batch's transaction. Runs alternate, twice
 * each. Run it explicitly:
 *
 * <pre>
 * mvn -o -q -pl actors-cloud -am verify -Dtest=FleetProjectionBench \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=NONE -Dfailsafe.failIfNoSpecifiedTests=false
 * </pre>
 */
class FleetProjectionBench {

  /** Persists whatever lists of Director events it is sent, tagged as a Director tags them. */
  static final class Feeder extends EventSourcedBehavior<Feeder.Feed, Director.Event, Integer> {
    record Feed(List<Director.Event> events, ActorRef<Done> replyTo) {}

    Feeder(String id) {
      super(PersistenceId.ofUniqueId("Feeder|" + id));
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Feed, Director.Event, Integer> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Feed.class,
              f -> Effect().persist(f.events()).thenReply(f.replyTo(), s -> Done.getInstance()))
          .build();
    }

    @Override
    public EventHandler<Integer, Director.Event> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s + 1);
    }

    @Override
    public Set<String> tagsFor(Director.Event event) {
      return Set.of(Director.TAG);
    }
  }

  @Test
  void ownConsumerAgainstPekkoProjections() throws Exception {
    int events = Integer.getInteger("fleetsim.bench.events", 100_000);
    ActorTestKit testKit =
        ActorTestKit.create(
            "FleetProjectionBench",
            PersistenceSetup.h2InMemory().withFallback(SingleNode.config("FleetProjectionBench")));
    try {
      PersistenceSetup.createSchema(testKit.system()).toCompletableFuture().get();
      feed(testKit, events);
      for (int round = 1; round <= 2; round++) {
        ownConsumer(testKit, events, round);
        projections(testKit, events, round);
      }
    } finally {
      testKit.shutdownTestKit();
    }
  }

  static void feed(ActorTestKit testKit, int events) {
    long start = System.nanoTime();
    int feeders = 20;
    List<ActorRef<Feeder.Feed>> refs = new ArrayList<>();
    for (int f = 0; f < feeders; f++) {
      refs.add(testKit.spawn(new Feeder("f" + f)));
    }
    TestProbe<Done> acks = testKit.createTestProbe();
    int sent = 0;
    List<Director.Event> chunk = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      chunk.add(SyntheticFleet.registered(i));
      if (chunk.size() == 500 || i == events - 1) {
        refs.get(sent % feeders).tell(new Feeder.Feed(List.copyOf(chunk), acks.ref()));
        sent++;
        chunk.clear();
      }
    }
    for (int i = 0; i < sent; i++) {
      acks.expectMessage(Duration.ofSeconds(120), Done.getInstance());
    }
    report("journal written", events, System.nanoTime() - start);
  }

  static void ownConsumer(ActorTestKit testKit, int events, int round) throws Exception {
    try (JdbcFleetStore store = new JdbcFleetStore(freshDb(), "sa", "")) {
      long start = System.nanoTime();
      UniqueKillSwitch running =
          FleetProjection.runConsumer(
              testKit.system(), "jdbc-read-journal", store, true, Duration.ofMillis(100));
      awaitCount(testKit, store, events);
      report("round " + round + ", own consumer", events, System.nanoTime() - start);
      running.shutdown();
    }
  }

  static void projections(ActorTestKit testKit, int events, int round) throws Exception {
    try (JdbcFleetStore store = new JdbcFleetStore(freshDb(), "sa", "")) {
      long start = System.nanoTime();
      UniqueKillSwitch running =
          FleetProjection.run(
              testKit.system(), "jdbc-read-journal", store, true, Duration.ofMillis(100));
      awaitCount(testKit, store, events);
      report("round " + round + ", Pekko Projections", events, System.nanoTime() - start);
      running.shutdown();
    }
  }

  static String freshDb() {
    return "jdbc:h2:mem:rm-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;QUERY_CACHE_SIZE=0";
  }

  static void awaitCount(ActorTestKit testKit, FleetStore store, int events) {
    testKit
        .<Object>createTestProbe()
        .awaitAssert(
            Duration.ofMinutes(5),
            Duration.ofMillis(20),
            () -> {
              long n = store.count(TargetFilter.any());
              if (n < events) {
                throw new AssertionError(n + " of " + events);
              }
              return null;
            });
  }

  static void report(String what, long events, long nanos) {
    System.out.printf(
        Locale.ROOT,
        "%s: %,d events in %.2f s = %,.0f events/s%n",
        what,
        events,
        nanos / 1e9,
        events / (nanos / 1e9));
  }
}
