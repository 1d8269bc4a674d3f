package io.fleetsim.vehicle;

import static io.fleetsim.vehicle.VirtualTimeTest.expectAcks;
import static io.fleetsim.vehicle.VirtualTimeTest.publish;
import static io.fleetsim.vehicle.VirtualTimeTest.spec;
import static io.fleetsim.vehicle.VirtualTimeTest.vin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.ecu.Ecu;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;

/**
 * A fleet provisioned in bulk is the fleet provisioned vehicle by vehicle: every entity's journal
 * holds the same events, byte for byte once serialized, and the vehicles then update at the same
 * instants, the first poll of each (armed in the node's timers, no entity running) finding its
 * assignment.
 */
class BulkProvisioningTest {

  static final int N = 12;

  record Fleet(Map<String, List<String>> journals, Map<String, VirtualTimeTest.Update> updates) {}

  static Fleet run(String name, boolean bulk) {
    TestFleet fleet =
        TestFleet.start(
            name,
            ConfigFactory.parseString(
                """
                fleetsim.seed = 77
                fleetsim.time.mode = manual
                fleetsim.vehicle.poll-interval = 1h
                fleetsim.vehicle.poll-jitter = 10m
                """),
            tk -> (vin, campaign) -> {});
    try {
      var system = fleet.testKit().system();
      byte[][] bytes = VirtualTimeTest.images();
      FirmwareImage v1 = publish(fleet, "1.0.0", 1, bytes[0]);
      FirmwareImage v2 = publish(fleet, "2.0.0", 2, bytes[1]);
      String[] profiles = {"5g", "lte", "rural"};
      List<Vehicle.Spec> specs = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        specs.add(spec(vin(i), profiles[i % 3], v1));
      }
      TestProbe<StatusReply<Done>> replies = fleet.testKit().createTestProbe();
      if (bulk) {
        List<Integer> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
        BulkProvisioning.provision(system, specs, progress::add)
            .toCompletableFuture()
            .get(1, TimeUnit.MINUTES);
        assertEquals(N, progress.get(progress.size() - 1), "progress reaches the fleet size");
      } else {
        specs.forEach(
            s ->
                VehicleSharding.vehicle(system, s.vin())
                    .tell(new Vehicle.Provision(s, replies.ref())));
        expectAcks(replies, N);
      }
      SimClock.get(system).awaitIdle();
      Map<String, List<String>> journals = journals(fleet, specs);

      List<String> vins = specs.stream().map(Vehicle.Spec::vin).toList();
      VirtualTimeTest.assignAll(fleet, vins, "bulk", v2);
      SimClock.get(system).advance(Duration.ofHours(3));
      Map<String, VirtualTimeTest.Update> updates = VirtualTimeTest.updates(fleet, vins);
      return new Fleet(journals, updates);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }

  /**
   * Each provisioned entity's journal: its events serialized (hex) with their tags, read before
   * anything else happened to them.
   */
  static Map<String, List<String>> journals(TestFleet fleet, List<Vehicle.Spec> specs) {
    var system = fleet.testKit().system();
    PersistenceTestKit journal = PersistenceTestKit.create(system);
    var serialization = SerializationExtension.get(Adapter.toClassic(system));
    Map<String, List<String>> out = new TreeMap<>();
    for (Vehicle.Spec s : specs) {
      List<String> ids = new ArrayList<>();
      ids.add(PersistenceId.of(Vehicle.TYPE_KEY.name(), s.vin()).id());
      ids.add(PersistenceId.of(Director.TYPE_KEY.name(), s.vin()).id());
      s.ecus()
          .forEach(
              e ->
                  ids.add(
                      PersistenceId.of(Ecu.TYPE_KEY.name(), Ecu.entityId(s.vin(), e.ecuId()))
                          .id()));
      for (String id : ids) {
        List<String> events = new ArrayList<>();
        for (Object o : journal.persistedInStorage(id)) {
          Object event = o instanceof Tagged t ? t.payload() : o;
          String tags = o instanceof Tagged t ? t.tags().toString() : "";
          events.add(
              event.getClass().getSimpleName()
                  + tags
                  + ":"
                  + Hex.encode(serialization.serialize(event).get()));
        }
        out.put(id, events);
      }
    }
    return out;
  }

  @Test
  void aFleetProvisionedInBulkIsTheFleetProvisionedVehicleByVehicle() {
    Fleet one = run("ProvisionedOneByOne", false);
    Fleet bulk = run("ProvisionedInBulk", true);
    assertEquals(N * 3, one.journals().size());
    one.journals().values().forEach(events -> assertTrue(!events.isEmpty()));
    assertEquals(one.journals(), bulk.journals());
    assertEquals(one.updates(), bulk.updates());
    bulk.updates().values().forEach(u -> assertEquals(UpdateOutcome.SUCCEEDED, u.outcome()));
  }

  @Test
  void aBadSpecIsRefusedBeforeAnythingIsWritten() {
    TestFleet fleet =
        TestFleet.start(
            "BulkBadSpec",
            ConfigFactory.parseString("fleetsim.time.mode = manual"),
            tk -> (vin, campaign) -> {});
    try {
      var system = fleet.testKit().system();
      FirmwareImage v1 = publish(fleet, "1.0.0", 1, VirtualTimeTest.images()[0]);
      List<Vehicle.Spec> specs =
          List.of(spec(vin(1), "lte", v1), spec(vin(2), "carrier-pigeon", v1));
      CompletionException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              CompletionException.class,
              () ->
                  BulkProvisioning.provision(system, specs, n -> {}).toCompletableFuture().join());
      assertTrue(e.getCause().getMessage().contains(vin(2)), e.getCause().getMessage());
      assertTrue(
          e.getCause().getMessage().contains("spec.networkProfile"), e.getCause().getMessage());
      assertTrue(
          PersistenceTestKit.create(system)
              .persistedInStorage(PersistenceId.of(Vehicle.TYPE_KEY.name(), vin(1)).id())
              .isEmpty(),
          "nothing written");
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }
}
