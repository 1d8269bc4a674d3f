package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.CloudSharding;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.ecu.Bank;
import io.fleetsim.ecu.Ecu;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The vehicle entity is stopped in the middle of a download and in the middle of a distribution,
 * then started again from its journal: each time the update ends with exactly one install. One
 * install is visible on the ECU: the bank it left still holds the version before the update (two
 * installs of the same image would have overwritten both banks).
 */
class VehicleRestartTest {

  static TestFleet fleet;
  static ActorTestKit testKit;
  static CloudSharding.Cloud cloud;
  static final AtomicReference<ActorRef<Vehicle.Command>> vehicle = new AtomicReference<>();
  static final String VIN = "FSIMRESTART000001";

  @BeforeAll
  static void start() {
    // The test moves simulated time itself, in steps short enough to catch each phase: a 1 MiB
    // download on a 2 Mbit/s link takes about 4 s, its transfer over CAN FD about 7 s.
    fleet =
        TestFleet.start(
            "VehicleRestartTest",
            ConfigFactory.parseString(
                """
                fleetsim.time.mode = manual
                # A slow link without loss or outages: an outage window falling on the download
                # would stall it for minutes and make the test's timing depend on the clock.
                fleetsim.vehicle.network-profiles.steady {
                  latency = 50ms
                  jitter = 0ms
                  bandwidth-mbit = 2
                  loss = 0
                  outage-every = 0s
                  outage-length = 0s
                }
                """),
            tk -> (vin, campaignId) -> vehicle.get().tell(new Vehicle.Notify(campaignId)));
    testKit = fleet.testKit();
    cloud = fleet.cloud();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static <Q, R> R ask(RecipientRef<Q> ref, Function<ActorRef<R>, Q> msg) {
    return fleet.ask(ref, msg);
  }

  /**
   * Unrelated random bytes per version, so the delta is as large as the image and the download
   * lasts long enough (about 4 s simulated at 2 Mbit/s) to be caught in the middle.
   */
  static FirmwareImage publish(String version, long counter) {
    byte[] image = new byte[1024 * 1024];
    new java.util.Random(counter).nextBytes(image);
    StatusReply<FirmwareImage> r =
        ask(
            cloud.refs().imageRepository(),
            replyTo ->
                new ImageRepository.Publish(
                    "ENGINE", List.of("hw-r"), version, counter, image, 0, replyTo));
    assertTrue(r.isSuccess(), () -> r.getError().getMessage());
    return r.getValue();
  }

  static void spawnVehicle() {
    vehicle.set(testKit.spawn(Vehicle.create(VIN, VehicleSharding.deps(testKit.system()))));
  }

  static Vehicle.Status status() {
    return ask(vehicle.get(), Vehicle.GetStatus::new);
  }

  static SimClock clock() {
    return SimClock.get(testKit.system());
  }

  /** Moves time on in steps of 100 ms until the vehicle is in {@code phase} (a minute at most). */
  static void awaitPhase(Vehicle.Phase phase) {
    for (int step = 0; step < 600 && status().phase() != phase; step++) {
      clock().advance(Duration.ofMillis(100));
    }
    assertEquals(phase, status().phase());
  }

  /** Moves time on in steps of a second until the vehicle finished {@code n} updates. */
  static Vehicle.Status awaitUpdates(int n) {
    for (int step = 0; step < 600 && status().history().size() < n; step++) {
      clock().advance(Duration.ofSeconds(1));
    }
    Vehicle.Status s = status();
    assertEquals(n, s.history().size(), s.toString());
    return s;
  }

  /** Stops the vehicle entity, waits until it is gone, and starts it again from its journal. */
  static void restartVehicle() {
    ActorRef<Vehicle.Command> old = vehicle.get();
    TestProbe<Object> watcher = testKit.createTestProbe();
    testKit.stop(old, Duration.ofSeconds(5));
    watcher.expectTerminated(old, Duration.ofSeconds(5));
    spawnVehicle();
  }

  static Ecu.Status ecu() {
    return ask(
        ClusterSharding.get(testKit.system())
            .entityRefFor(Ecu.TYPE_KEY, Ecu.entityId(VIN, "engine")),
        Ecu.GetStatus::new);
  }

  static void assign(FirmwareImage image) {
    StatusReply<Done> r =
        ask(
            cloud.refs().director(VIN),
            replyTo ->
                new Director.Assign(
                    "restart-" + image.version(),
                    image,
                    new Director.Constraints(true, false),
                    replyTo));
    assertTrue(r.isSuccess(), () -> r.getError().getMessage());
  }

  static void assertSingleInstall(String now, String before) {
    Ecu.Status e = ecu();
    Bank active = e.active() == Bank.Slot.A ? e.bankA() : e.bankB();
    Bank other = e.active() == Bank.Slot.A ? e.bankB() : e.bankA();
    assertTrue(active.valid() && active.version().contains(now), e.toString());
    assertTrue(other.valid() && other.version().contains(before), e.toString());
  }

  @Test
  void stoppedMidDownloadAndMidDistributionItResumesToASingleInstall() {
    FirmwareImage v1 = publish("1.0.0", 1);
    spawnVehicle();
    Vehicle.Spec spec =
        new Vehicle.Spec(
            VIN,
            "Hamburg",
            "green",
            Set.of(),
            "steady",
            List.of(
                new Vehicle.EcuSpec(
                    "engine",
                    EcuType.ENGINE,
                    "hw-r",
                    VIN + "-eng",
                    Transport.CAN_FD,
                    4_000_000,
                    new Bank(v1.targetName(), v1.sha256(), v1.length(), 1, true))));
    StatusReply<Done> provisioned = ask(vehicle.get(), r -> new Vehicle.Provision(spec, r));
    assertTrue(provisioned.isSuccess(), () -> provisioned.getError().getMessage());

    // 1. Stopped while downloading: the download starts again, the ECU installs once.
    FirmwareImage v2 = publish("2.0.0", 2);
    assign(v2);
    awaitPhase(Vehicle.Phase.DOWNLOADING);
    restartVehicle();
    Vehicle.Status s = awaitUpdates(1);
    assertEquals(UpdateOutcome.SUCCEEDED, s.history().get(0).outcome(), s.toString());
    assertEquals("2.0.0", s.installedVersions().get("engine"));
    assertSingleInstall("2.0.0", "1.0.0");

    // 2. Stopped while the image crosses the bus: the bus transfer is picked up again and
    // answers the new incarnation; the ECU installs once.
    FirmwareImage v3 = publish("3.0.0", 3);
    assign(v3);
    awaitPhase(Vehicle.Phase.DISTRIBUTING);
    restartVehicle();
    s = awaitUpdates(2);
    assertEquals(UpdateOutcome.SUCCEEDED, s.history().get(1).outcome(), s.toString());
    assertEquals("3.0.0", s.installedVersions().get("engine"));
    assertSingleInstall("3.0.0", "2.0.0");
  }
}
