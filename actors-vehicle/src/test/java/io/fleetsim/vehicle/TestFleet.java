package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.cloud.CloudSharding;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cloud.InMemoryFleetStore;
import io.fleetsim.cloud.TargetFilter;
import io.fleetsim.cloud.VehicleNotifier;
import io.fleetsim.cluster.SingleNode;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.ecu.Bank;
import io.fleetsim.ecu.CanBus;
import io.fleetsim.ecu.Ecu;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * A one-node cluster with the real cloud entities, ECUs and buses on the in-memory journal: what
 * the vehicle tests run against.
 *
 * <p>Simulated time is virtual. In auto mode (the default) a test waits in wall time while the node
 * idles, and the clock would meanwhile jump from timer to timer (polls, the repository's timestamp
 * refresh) as fast as the node goes, past the repositories' metadata lifetimes within seconds;
 * {@link #PACE} caps it at one simulated hour per wall second, which leaves every simulated figure
 * unchanged. The cap also leaves a long timer (a phase timeout) seconds of wall time before it
 * fires, so that a hop the node does not count yet (the bus's UDS exchanges with its ECUs continue
 * on the common fork-join pool) cannot make the clock jump to it. A test that must control time
 * sets {@code fleetsim.time.mode = manual} and moves it with {@code SimClock.advance}.
 */
record TestFleet(ActorTestKit testKit, CloudSharding.Cloud cloud) {

  /** Simulated seconds per wall second at most, in auto mode. */
  static final double PACE = 3_600;

  static TestFleet start(
      String name, Config settings, Function<ActorTestKit, VehicleNotifier> notifier) {
    return start(name, settings, notifier, VehicleSharding::init);
  }

  /** As above, with the vehicle, ECU and bus sharding started by {@code vehicles}. */
  static TestFleet start(
      String name,
      Config settings,
      Function<ActorTestKit, VehicleNotifier> notifier,
      java.util.function.Consumer<org.apache.pekko.actor.typed.ActorSystem<?>> vehicles) {
    ActorTestKit testKit =
        ActorTestKit.create(
            name,
            settings
                .withFallback(ConfigFactory.parseString("fleetsim.time.pace = " + PACE))
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(SingleNode.config(name)));
    SingleNode.joinSelf(testKit.system());
    TestProbe<Object> up = testKit.createTestProbe();
    up.awaitAssert(
        () -> {
          assertEquals(MemberStatus.up(), Cluster.get(testKit.system()).selfMember().status());
          return null;
        });
    CloudSharding.Cloud cloud =
        CloudSharding.init(
            testKit.system(),
            notifier.apply(testKit),
            new InMemoryFleetStore(),
            "pekko.persistence.testkit.query",
            false);
    vehicles.accept(testKit.system());
    awaitRegistered(
        testKit,
        Vehicle.TYPE_KEY,
        Ecu.TYPE_KEY,
        CanBus.TYPE_KEY,
        Director.TYPE_KEY,
        ImageRepository.TYPE_KEY,
        Campaign.TYPE_KEY);
    return new TestFleet(testKit, cloud);
  }

  /**
   * Waits until the coordinator knows this node's region of every type. Until then a region holds
   * the messages sent to its entities while it registers, on a wall-time retry, and the node looks
   * idle to the clock meanwhile: an ask would time out in simulated time before the entity saw it.
   */
  static void awaitRegistered(ActorTestKit testKit, EntityTypeKey<?>... types) {
    TestProbe<ShardRegion.ClusterShardingStats> stats = testKit.createTestProbe();
    for (EntityTypeKey<?> type : types) {
      stats.awaitAssert(
          Duration.ofSeconds(30),
          () -> {
            ClusterSharding.get(testKit.system())
                .shardState()
                .tell(new GetClusterShardingStats(type, Duration.ofSeconds(5), stats.ref()));
            assertFalse(stats.receiveMessage().getRegions().isEmpty(), type.name());
            return null;
          });
    }
  }

  <Q, R> R ask(RecipientRef<Q> ref, Function<ActorRef<R>, Q> msg) {
    TestProbe<R> probe = testKit.createTestProbe();
    ref.tell(msg.apply(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(20));
  }

  /** Publishes a generated image of {@code size} bytes and returns it. */
  FirmwareImage publish(EcuType type, String hw, String version, long counter, int size) {
    StatusReply<FirmwareImage> r =
        ask(
            cloud.refs().imageRepository(),
            replyTo ->
                new ImageRepository.Publish(
                    type.name(), List.of(hw), version, counter, null, size, replyTo));
    assertTrue(r.isSuccess(), () -> r.getError().getMessage());
    return r.getValue();
  }

  /** The bank a factory-fresh ECU boots from: {@code image}, marked valid. */
  static Bank bank(FirmwareImage image) {
    return new Bank(
        image.targetName(), image.sha256(), image.length(), image.releaseCounter(), true);
  }

  /**
   * Provisions vehicles with an engine and an ADAS ECU running {@code engine} and {@code adas},
   * each in its region ({@code regions}: VIN to region), all at once, and waits until the read
   * model lists them.
   */
  void provisionTwoEcuVehicles(
      Map<String, String> regions, FirmwareImage engine, FirmwareImage adas) {
    List<TestProbe<StatusReply<Done>>> replies = new ArrayList<>();
    regions.forEach(
        (vin, region) -> {
          Vehicle.Spec spec =
              new Vehicle.Spec(
                  vin,
                  region,
                  "blue",
                  Set.of(),
                  "5g",
                  List.of(
                      new Vehicle.EcuSpec(
                          "engine",
                          EcuType.ENGINE,
                          "hw-eng",
                          vin + "-eng",
                          Transport.CAN_FD,
                          1_000_000,
                          bank(engine)),
                      new Vehicle.EcuSpec(
                          "adas",
                          EcuType.ADAS,
                          "hw-adas",
                          vin + "-adas",
                          Transport.DOIP,
                          2_000_000,
                          bank(adas))));
          TestProbe<StatusReply<Done>> reply = testKit.createTestProbe();
          VehicleSharding.vehicle(testKit.system(), vin)
              .tell(new Vehicle.Provision(spec, reply.ref()));
          replies.add(reply);
        });
    for (TestProbe<StatusReply<Done>> r : replies) {
      StatusReply<Done> done = r.receiveMessage(Duration.ofSeconds(60));
      assertTrue(done.isSuccess(), () -> done.getError().getMessage());
    }
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          assertEquals(
              (long) regions.size(),
              (long)
                  cloud.fleet().count(TargetFilter.ecuType("ADAS")).toCompletableFuture().join());
          return null;
        });
  }

  /** Waits until simulated time has passed {@code at} (every vehicle has polled once by then). */
  void awaitSimulated(Duration at) {
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(30),
            () -> {
              assertTrue(SimClock.get(testKit.system()).nowMillis() > at.toMillis());
              return null;
            });
  }

  /** Creates and starts campaign {@code id} and waits until it is no longer running. */
  CampaignProgress runCampaign(String id, Campaign.Spec spec, Duration wallLimit) {
    RecipientRef<Campaign.Command> campaign = cloud.refs().campaign(id);
    StatusReply<Done> created = ask(campaign, r -> new Campaign.Create(spec, r));
    assertTrue(created.isSuccess(), created::toString);
    StatusReply<CampaignProgress> started = ask(campaign, Campaign.Start::new);
    assertTrue(started.isSuccess(), started::toString);
    testKit
        .createTestProbe()
        .awaitAssert(
            wallLimit,
            Duration.ofMillis(500),
            () -> {
              CampaignProgress p = ask(campaign, Campaign.GetProgress::new);
              assertNotEquals(Campaign.Status.RUNNING, p.status(), p.toString());
              return null;
            });
    return ask(campaign, Campaign.GetProgress::new);
  }

  /**
   * Rolls ADAS {@code version} out to every vehicle at once, in a campaign nothing stops, and waits
   * until it is no longer running: what a fault test needs to see each vehicle's own outcome.
   */
  CampaignProgress updateEveryAdas(String id, String description, String version) {
    return runCampaign(
        id,
        new Campaign.Spec(
            description,
            TargetFilter.ecuType("ADAS"),
            version,
            io.fleetsim.cloud.WavePlan.percentages(100),
            io.fleetsim.cloud.RolloutPolicy.of(0, 100, Duration.ZERO)),
        Duration.ofSeconds(60));
  }
}
