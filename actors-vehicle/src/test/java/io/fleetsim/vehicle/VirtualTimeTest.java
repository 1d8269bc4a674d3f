package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.ecu.Bank;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/**
 * Simulated figures do not depend on the node: a vehicle's update takes the same simulated time
 * alone and among two thousand vehicles updating at the same instant on the same node (nothing
 * modelled is shared between them), and two actor systems with the same seed give the same fleet
 * the same figures.
 *
 * <p>Each run is a fresh one-node fleet on a clock the test drives (manual mode): the images are
 * published, the vehicles provisioned and every assignment made at simulated time zero; then time
 * moves on until every update has ended. Vehicles have one ECU each, so that what is compared is
 * the vehicle's own models (link, timers, one bus transfer) and not how a bus shares itself between
 * transfers that start at one instant. Polls are pushed far out: every update starts at the cloud's
 * wake-up.
 */
class VirtualTimeTest {

  static final String PROBE_VIN = "FSIMVIRTUAL000007";

  /** What a run measured, per vehicle. */
  record Update(Instant startedAt, Instant finishedAt, UpdateOutcome outcome, long bytes) {
    Duration duration() {
      return Duration.between(startedAt, finishedAt);
    }
  }

  static String vin(int i) {
    return i == 7 ? PROBE_VIN : String.format("FSIMVIRTUAL%06d", i);
  }

  /** Deterministic image bytes: version 2 differs from version 1 in a few places. */
  static byte[][] images() {
    Random rng = new Random(99);
    byte[] v1 = new byte[16 * 1024];
    rng.nextBytes(v1);
    byte[] v2 = v1.clone();
    for (int i = 0; i < 64; i++) {
      v2[rng.nextInt(v2.length)] ^= 0x5A;
    }
    return new byte[][] {v1, v2};
  }

  /**
   * Updates {@code vehicles} vehicles (the one with {@link #PROBE_VIN} among them) at once on a
   * fresh node, the vehicle with index i on {@code profiles[i % profiles.length]}.
   */
  static Map<String, Update> run(String name, int vehicles, List<Integer> indices, String... p) {
    return run(name, "", true, vehicles, indices, p);
  }

  /**
   * As above, with {@code extra} settings, and the cloud's wake-up on assignment ({@code notify})
   * or not (the vehicles find their assignment at their next poll).
   */
  static Map<String, Update> run(
      String name, String extra, boolean notify, int vehicles, List<Integer> indices, String... p) {
    TestFleet fleet =
        TestFleet.start(
            name,
            ConfigFactory.parseString(extra)
                .withFallback(
                    ConfigFactory.parseString(
                        """
                        fleetsim.seed = 4242
                        fleetsim.time.mode = manual
                        fleetsim.vehicle.poll-interval = 1000d
                        """)),
            tk -> notify ? VehicleSharding.notifier(tk.system()) : (vin, campaign) -> {});
    try {
      SimClock clock = SimClock.get(fleet.testKit().system());
      byte[][] bytes = images();
      FirmwareImage v1 = publish(fleet, "1.0.0", 1, bytes[0]);
      FirmwareImage v2 = publish(fleet, "2.0.0", 2, bytes[1]);
      assertTrue(v2.hasDelta(), v2.toString());

      TestProbe<StatusReply<Done>> replies = fleet.testKit().createTestProbe();
      for (int i : indices) {
        VehicleSharding.vehicle(fleet.testKit().system(), vin(i))
            .tell(new Vehicle.Provision(spec(vin(i), p[i % p.length], v1), replies.ref()));
      }
      expectAcks(replies, vehicles);
      assignAll(fleet, indices.stream().map(VirtualTimeTest::vin).toList(), "virtual", v2);
      // Every bus entity started before time moves: the node does not count a message on its way
      // to a sharded entity that is not started yet (the shard's allocation), and the clock must
      // not pass a timer in that moment.
      TestProbe<io.fleetsim.ecu.CanBus.State> buses = fleet.testKit().createTestProbe();
      for (int i : indices) {
        VehicleSharding.deps(fleet.testKit().system())
            .bus()
            .apply(vin(i))
            .tell(new io.fleetsim.ecu.CanBus.GetState(buses.ref()));
      }
      buses.receiveSeveralMessages(vehicles, Duration.ofMinutes(2));
      assertEquals(0, clock.nowMillis(), "everything so far happened at simulated time zero");

      clock.advance(Duration.ofHours(3));
      passivatedAtTheEnd =
          fleet.testKit().system().settings().config().getBoolean("fleetsim.passivation.enabled")
              ? liveVehicles(fleet)
              : -1;

      return updates(fleet, indices.stream().map(VirtualTimeTest::vin).toList());
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }

  /** Assigns {@code image} to each of {@code vins} as campaign {@code campaign}, acknowledged. */
  static void assignAll(TestFleet fleet, List<String> vins, String campaign, FirmwareImage image) {
    TestProbe<StatusReply<Done>> replies = fleet.testKit().createTestProbe();
    for (String vin : vins) {
      fleet
          .cloud()
          .refs()
          .director(vin)
          .tell(
              new Director.Assign(
                  campaign, image, new Director.Constraints(false, false), replies.ref()));
    }
    expectAcks(replies, vins.size());
  }

  /** The one update each of {@code vins} made, as its vehicle recorded it. */
  static Map<String, Update> updates(TestFleet fleet, List<String> vins) {
    TestProbe<Vehicle.Status> statuses = fleet.testKit().createTestProbe();
    for (String vin : vins) {
      VehicleSharding.vehicle(fleet.testKit().system(), vin)
          .tell(new Vehicle.GetStatus(statuses.ref()));
    }
    Map<String, Update> result = new TreeMap<>();
    for (Vehicle.Status s : statuses.receiveSeveralMessages(vins.size(), Duration.ofMinutes(2))) {
      assertEquals(1, s.history().size(), s.toString());
      Vehicle.UpdateRecord r = s.history().get(0);
      result.put(
          s.vin(), new Update(r.startedAt(), r.finishedAt(), r.outcome(), r.downloadedBytes()));
    }
    return result;
  }

  /** Vehicle entities in memory on the node before the read-back of the last run, or -1. */
  static int passivatedAtTheEnd;

  static int liveVehicles(TestFleet fleet) {
    TestProbe<ShardRegion.CurrentShardRegionState> state = fleet.testKit().createTestProbe();
    ClusterSharding.get(fleet.testKit().system())
        .shardState()
        .tell(new GetShardRegionState(Vehicle.TYPE_KEY, state.ref()));
    return state.receiveMessage(Duration.ofSeconds(30)).getShards().stream()
        .mapToInt(sh -> sh.getEntityIds().size())
        .sum();
  }

  static void expectAcks(TestProbe<StatusReply<Done>> replies, int n) {
    for (StatusReply<Done> r : replies.receiveSeveralMessages(n, Duration.ofMinutes(2))) {
      assertTrue(r.isSuccess(), () -> r.getError().getMessage());
    }
  }

  static FirmwareImage publish(TestFleet fleet, String version, long counter, byte[] bytes) {
    StatusReply<FirmwareImage> r =
        fleet.ask(
            fleet.cloud().refs().imageRepository(),
            replyTo ->
                new ImageRepository.Publish(
                    "ENGINE", List.of("hw-vt"), version, counter, bytes, 0, replyTo));
    assertTrue(r.isSuccess(), () -> r.getError().getMessage());
    return r.getValue();
  }

  static Vehicle.Spec spec(String vin, String profile, FirmwareImage running) {
    return new Vehicle.Spec(
        vin,
        "Munich",
        "blue",
        Set.of(),
        profile,
        List.of(
            new Vehicle.EcuSpec(
                "engine",
                EcuType.ENGINE,
                "hw-vt",
                vin + "-eng",
                Transport.CAN_FD,
                1_000_000,
                new Bank(
                    running.targetName(),
                    running.sha256(),
                    running.length(),
                    running.releaseCounter(),
                    true))));
  }

  static List<Integer> range(int n) {
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(i);
    }
    return l;
  }

  @Test
  void aVehicleUpdatesInTheSameSimulatedTimeAloneAndAmongTwoThousand() {
    int crowd = 2_000;
    Map<String, Update> alone = run("VirtualTimeAlone", 1, List.of(7), "rural");
    Map<String, Update> among = run("VirtualTimeCrowd", crowd, range(crowd), "rural");

    Update a = alone.get(PROBE_VIN);
    Update b = among.get(PROBE_VIN);
    assertEquals(UpdateOutcome.SUCCEEDED, a.outcome(), a.toString());
    assertTrue(a.duration().toMillis() > 0, a.toString());
    assertEquals(a.duration().toMillis(), b.duration().toMillis(), a + " / " + b);
    assertEquals(a, b);
    assertEquals(crowd, among.size());
    among.forEach((vin, u) -> assertEquals(UpdateOutcome.SUCCEEDED, u.outcome(), vin + " " + u));
  }

  @Test
  void passivatedEntitiesGoOnExactlyAsEntitiesKeptInMemory() {
    int n = 40;
    String[] profiles = {"5g", "lte", "rural"};
    Map<String, Update> kept =
        run("VirtualTimeKept", "fleetsim.passivation.enabled = off", true, n, range(n), profiles);
    Map<String, Update> passivated = run("VirtualTimePassivated", "", true, n, range(n), profiles);
    assertEquals(n, kept.size());
    assertEquals(kept, passivated);
    assertEquals(0, passivatedAtTheEnd, "every idle vehicle was passivated by the end");
    kept.values().forEach(u -> assertEquals(UpdateOutcome.SUCCEEDED, u.outcome(), u.toString()));
  }

  @Test
  void aPassivatedVehicleWithAnAssignmentWakesAtItsNextPollAndUpdates() {
    String settings =
        """
        fleetsim.vehicle.poll-interval = 1h
        fleetsim.vehicle.poll-jitter = 10m
        """;
    int n = 5;
    Map<String, Update> polled = run("VirtualTimePolled", settings, false, n, range(n), "lte");
    VehicleSettings vs =
        VehicleSettings.fromConfig(
            ConfigFactory.parseString(settings).withFallback(ConfigFactory.load()));
    long epoch =
        Instant.parse(ConfigFactory.load().getString("fleetsim.time.epoch")).toEpochMilli();
    for (int i = 0; i < n; i++) {
      long seed = io.fleetsim.cluster.Seeds.entitySeed(4242, "vehicle-poll:" + vin(i));
      // provisioned at simulated time zero; the first poll finds the assignment, the update is
      // found once the poll's exchange has crossed the link
      long poll = vs.untilNextPoll(seed, 0).toMillis();
      Update u = polled.get(vin(i));
      assertEquals(UpdateOutcome.SUCCEEDED, u.outcome(), u.toString());
      long found = u.startedAt().toEpochMilli() - epoch;
      assertTrue(found > poll && found < poll + 60_000, vin(i) + " poll " + poll + " " + u);
    }
    Map<String, Update> kept =
        run(
            "VirtualTimePolledKept",
            settings + "fleetsim.passivation.enabled = off",
            false,
            n,
            range(n),
            "lte");
    assertEquals(kept, polled);
  }

  @Test
  void twoSystemsWithTheSameSeedGiveTheSameFleetTheSameFigures() {
    int n = 50;
    Map<String, Update> first = run("VirtualTimeFirst", n, range(n), "5g", "lte", "rural");
    Map<String, Update> second = run("VirtualTimeSecond", n, range(n), "5g", "lte", "rural");
    assertEquals(n, first.size());
    assertEquals(first, second);
    Map<UpdateOutcome, Long> outcomes = new TreeMap<>();
    first.values().forEach(u -> outcomes.merge(u.outcome(), 1L, Long::sum));
    Map<UpdateOutcome, Long> outcomes2 = new TreeMap<>();
    second.values().forEach(u -> outcomes2.merge(u.outcome(), 1L, Long::sum));
    assertEquals(outcomes, outcomes2);
    // the links differ: the figures are not all one
    assertTrue(
        first.values().stream().map(Update::duration).distinct().count() > 1, first.toString());
  }
}
