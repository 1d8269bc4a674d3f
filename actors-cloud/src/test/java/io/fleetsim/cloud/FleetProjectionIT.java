package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.SingleNode;
import io.fleetsim.persistence.PersistenceSetup;
import java.time.Duration;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The read model over the real JDBC journal on in-memory H2: Directors' events reach the fleet
 * tables, and a restarted projection resumes from its stored offset.
 */
class FleetProjectionIT {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          "FleetProjectionIT",
          PersistenceSetup.h2InMemory().withFallback(SingleNode.config("FleetProjectionIT")));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static void register(ActorTestKit testKit, int i) {
    FakeVehicle car = new FakeVehicle("VIN" + i, i % 2 == 0 ? "Munich" : "Berlin", "hw-a", "1.0");
    ActorRef<Director.Command> director =
        testKit.spawn(
            Director.create(
                car.vin,
                DirectorKeys.forSeed(1),
                VehicleNotifier.NONE,
                id -> testKit.<Campaign.Command>createTestProbe().ref()));
    TestProbe<StatusReply<Done>> probe = testKit.createTestProbe();
    director.tell(car.register(probe.ref()));
    assertTrue(probe.receiveMessage(Duration.ofSeconds(10)).isSuccess());
  }

  /** The offset Pekko Projections stored for the read model, -1 when none. */
  static long offset(JdbcFleetStore store) {
    String stored = store.projectionOffset(FleetProjection.NAME);
    return stored == null ? -1 : Long.parseLong(stored);
  }

  @Test
  void followsTheJournalAndResumesFromItsOffset() throws Exception {
    PersistenceSetup.createSchema(testKit.system()).toCompletableFuture().get();
    followsTheJournalAndResumes(
        testKit, JdbcFleetStore.fromConfig(testKit.system().settings().config()));
  }

  /** Five vehicles reach the store; stopped and started again, it resumes from its offset. */
  static void followsTheJournalAndResumes(ActorTestKit testKit, JdbcFleetStore store)
      throws Exception {
    for (int i = 0; i < 5; i++) {
      register(testKit, i);
    }
    UniqueKillSwitch running =
        FleetProjection.run(
            testKit.system(), "jdbc-read-journal", store, true, Duration.ofSeconds(1));
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(15),
        () -> {
          assertEquals(5, store.count(TargetFilter.ecuType("engine")));
          return null;
        });
    assertEquals(3, store.count(TargetFilter.any().inRegions("Munich")));
    long offset = offset(store);
    assertTrue(offset >= 5, "offset stored: " + offset);
    running.shutdown();

    register(testKit, 5);
    UniqueKillSwitch resumed =
        FleetProjection.run(
            testKit.system(), "jdbc-read-journal", store, true, Duration.ofSeconds(1));
    probe.awaitAssert(
        Duration.ofSeconds(15),
        () -> {
          assertEquals(6, store.count(TargetFilter.any()));
          assertTrue(offset(store) > offset);
          return null;
        });
    resumed.shutdown();
    store.close();
  }
}
