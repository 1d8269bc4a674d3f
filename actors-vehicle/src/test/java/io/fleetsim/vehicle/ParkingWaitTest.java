package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cluster.BlobStore;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.ecu.Bank;
import io.fleetsim.ecu.CanBus;
import io.fleetsim.ecu.Ecu;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.uptane.client.TrustedState;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A vehicle waiting in AWAITING_CONSENT for the drive profile to park it, against probes for the
 * cloud and its ECU, on a clock the test moves itself. The profile drives from midnight to 03:00
 * UTC and parks at every other hour; simulated time starts at midnight (the clock's epoch).
 */
class ParkingWaitTest {

  static final Instant EPOCH = Instant.parse("2030-01-01T00:00:00Z");
  static final Instant THREE = EPOCH.plus(Duration.ofHours(3));

  static ActorTestKit kit(String name, String drive) {
    Config c =
        ConfigFactory.parseString(
            """
            fleetsim.time.mode = manual
            pekko.remote.artery.canonical.port = 0
            fleetsim.time.epoch = "2030-01-01T00:00:00Z"
            fleetsim.vehicle.network-profiles.steady {
              latency = 50ms
              jitter = 0ms
              bandwidth-mbit = 10
              loss = 0
              outage-every = 0s
              outage-length = 0s
            }
            """
                + drive);
    return ActorTestKit.create(
        name,
        c.withFallback(PersistenceTestKitPlugin.getInstance().config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load()));
  }

  static final ActorTestKit driving =
      kit(
          "ParkingWaitTest",
          "fleetsim.vehicle.drive.parked-by-hour = "
              + "[0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]");
  static final ActorTestKit always = kit("ParkingWaitTestDefault", "");
  static final ActorTestKit explicit =
      kit(
          "ParkingWaitTestExplicit",
          "fleetsim.vehicle.drive.parked-by-hour = "
              + "[0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]");

  @AfterAll
  static void stop() {
    driving.shutdownTestKit();
    always.shutdownTestKit();
    explicit.shutdownTestKit();
  }

  static final SigningKey PRIMARY = SigningKey.generate(new Random(1));

  static Vehicle.Spec spec(String vin) {
    return new Vehicle.Spec(
        vin,
        "Munich",
        "blue",
        Set.of(),
        "steady",
        List.of(
            new Vehicle.EcuSpec(
                "engine",
                EcuType.ENGINE,
                "hw-eng",
                vin + "-eng",
                Transport.CAN_FD,
                1_000_000,
                new Bank("ENGINE/1.0.0.img", "cd".repeat(32), 4096, 1, true))));
  }

  /** A vehicle that found an update to install at {@code at}, parked as {@code requireParked}. */
  static List<Object> found(String vin, Instant at, boolean requireParked) {
    VehicleState.PlannedInstall install =
        new VehicleState.PlannedInstall(
            "engine", vin + "-eng", "ENGINE/2.0.0.img", 4096, "ab".repeat(32), 2, "c/1", "c");
    VehicleState.UpdatePlan plan =
        new VehicleState.UpdatePlan(
            vin + "-u1",
            at,
            false,
            requireParked,
            List.of(install),
            "targets".getBytes(StandardCharsets.UTF_8));
    return List.of(
        new Vehicle.ProvisionRequested(spec(vin), Hex.encode(PRIMARY.seed())),
        new Vehicle.Activated(
            TrustedState.ofRoot("d".getBytes(StandardCharsets.UTF_8)),
            TrustedState.ofRoot("i".getBytes(StandardCharsets.UTF_8)),
            at),
        new Vehicle.UpdateFound(plan));
  }

  /** Starts the vehicle from its journal, every dependency a probe. */
  static ActorRef<Vehicle.Command> start(ActorTestKit kit, String vin) {
    TestProbe<Director.Command> director = kit.createTestProbe();
    TestProbe<ImageRepository.Command> images = kit.createTestProbe();
    TestProbe<Ecu.Command> ecu = kit.createTestProbe();
    TestProbe<CanBus.Command> bus = kit.createTestProbe();
    Vehicle.Deps deps =
        new Vehicle.Deps(
            v -> director.ref(),
            images.ref(),
            id -> ecu.ref(),
            v -> bus.ref(),
            new BlobStore(),
            null);
    return kit.spawn(Vehicle.create(vin, deps));
  }

  /** The events the vehicle persisted after {@code before} of them, once there are {@code n}. */
  static List<Object> awaitEvents(ActorTestKit kit, String vin, int before, int n) {
    PersistenceTestKit journal = PersistenceTestKit.create(kit.system());
    return kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(10),
            () -> {
              List<Object> all = journal.persistedInStorage("Vehicle|" + vin);
              assertTrue(all.size() >= before + n, all.toString());
              return all.subList(before, all.size());
            });
  }

  static void awaitPhase(ActorTestKit kit, ActorRef<Vehicle.Command> v, Vehicle.Phase phase) {
    TestProbe<Vehicle.Status> status = kit.createTestProbe();
    status.awaitAssert(
        () -> {
          v.tell(new Vehicle.GetStatus(status.ref()));
          Vehicle.Status s = status.receiveMessage();
          assertEquals(phase, s.phase(), s.toString());
          return null;
        });
  }

  @Test
  void aRestartWhileWaitingToParkResumesTheWaitAndStartsAtTheSameInstant() {
    String vin = "FSIMPARKWAIT00001";
    SimClock clock = SimClock.get(driving.system());
    clock.advance(Duration.ofMinutes(40)); // 00:40, a driving hour
    PersistenceTestKit.create(driving.system())
        .persistForRecovery("Vehicle|" + vin, found(vin, clock.now(), true));
    ActorRef<Vehicle.Command> first = start(driving, vin);
    // the check at 00:40: the profile says driving, and the vehicle's history shows it
    assertEquals(
        List.of(
            new Vehicle.ConsentGiven(clock.now()),
            new Vehicle.DriveStateChanged(Vehicle.DriveState.DRIVING)),
        awaitEvents(driving, vin, 3, 2));
    awaitPhase(driving, first, Vehicle.Phase.AWAITING_CONSENT);

    // passivated, or its node restarted: a new incarnation recovers from the journal at 01:30
    driving.stop(first);
    clock.advance(Duration.ofMinutes(50));
    ActorRef<Vehicle.Command> second = start(driving, vin);
    awaitPhase(driving, second, Vehicle.Phase.AWAITING_CONSENT);
    clock.advance(Duration.between(clock.now(), THREE).minusMillis(1));
    assertEquals(5, awaitEvents(driving, vin, 0, 5).size(), "still waiting at 02:59:59.999");
    awaitPhase(driving, second, Vehicle.Phase.AWAITING_CONSENT);

    clock.advance(Duration.ofMillis(1));
    List<Object> after = awaitEvents(driving, vin, 5, 2);
    assertEquals(
        List.of(
            new Vehicle.DriveStateChanged(Vehicle.DriveState.PARKED),
            new Vehicle.DownloadStarted(THREE)),
        after);
    awaitPhase(driving, second, Vehicle.Phase.DOWNLOADING);
  }

  @Test
  void withoutRequireParkedTheProfileChangesNothingAndAStaleParkingTimerIsIgnored() {
    String vin = "FSIMPARKWAIT00002";
    SimClock clock = SimClock.get(driving.system());
    Instant at = clock.now();
    PersistenceTestKit.create(driving.system())
        .persistForRecovery("Vehicle|" + vin, found(vin, at, false));
    ActorRef<Vehicle.Command> v = start(driving, vin);
    assertEquals(
        List.of(new Vehicle.ConsentGiven(at), new Vehicle.DownloadStarted(at)),
        awaitEvents(driving, vin, 3, 2));
    // a parking timer of an update that is no longer waiting does nothing
    v.tell(new Vehicle.ParkedTimer(vin + "-u1"));
    v.tell(new Vehicle.ParkedTimer(vin + "-u0"));
    awaitPhase(driving, v, Vehicle.Phase.DOWNLOADING);
    assertEquals(5, awaitEvents(driving, vin, 0, 5).size());
  }

  @Test
  void withTheDefaultProfileTheVehicleStartsAtOnce() {
    String vin = "FSIMPARKWAIT00003";
    SimClock clock = SimClock.get(always.system());
    Instant at = clock.now(); // midnight, which the other profile drives through
    PersistenceTestKit.create(always.system())
        .persistForRecovery("Vehicle|" + vin, found(vin, at, true));
    start(always, vin);
    assertEquals(
        List.of(new Vehicle.ConsentGiven(at), new Vehicle.DownloadStarted(at)),
        awaitEvents(always, vin, 3, 2));
  }

  @Test
  void anExplicitParkedWhileWaitingStartsTheDownloadAtOnce() {
    String vin = "FSIMPARKWAIT00004";
    SimClock clock = SimClock.get(explicit.system());
    clock.advance(Duration.ofMinutes(10)); // 00:10, a driving hour
    PersistenceTestKit.create(explicit.system())
        .persistForRecovery("Vehicle|" + vin, found(vin, clock.now(), true));
    ActorRef<Vehicle.Command> v = start(explicit, vin);
    assertEquals(2, awaitEvents(explicit, vin, 3, 2).size());
    awaitPhase(explicit, v, Vehicle.Phase.AWAITING_CONSENT);
    // an operator parks it at 01:00: the download starts then, not at 03:00
    clock.advance(Duration.ofMinutes(50));
    Instant one = clock.now();
    v.tell(new Vehicle.SetDriveState(Vehicle.DriveState.PARKED));
    assertEquals(
        List.of(
            new Vehicle.DriveStateChanged(Vehicle.DriveState.PARKED),
            new Vehicle.DownloadStarted(one)),
        awaitEvents(explicit, vin, 5, 2));
    awaitPhase(explicit, v, Vehicle.Phase.DOWNLOADING);
  }
}
