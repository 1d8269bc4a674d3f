package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.CloudSharding;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.ecu.Bank;
import io.fleetsim.ecu.Ecu;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
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
 * A vehicle against the real cloud entities, ECUs and bus, on a one-node cluster: real metadata,
 * real signatures, real bytes; time is virtual.
 */
class VehicleUpdateTest {

  static TestFleet fleet;
  static ActorTestKit testKit;
  static CloudSharding.Cloud cloud;

  @BeforeAll
  static void start() {
    fleet =
        TestFleet.start(
            "VehicleUpdateTest",
            ConfigFactory.parseString(
                """
                    fleetsim.vehicle.poll-interval = 1h
                    fleetsim.vehicle.consent-delay = 10s
                    """),
            tk -> VehicleSharding.notifier(tk.system()));
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

  static FirmwareImage publish(EcuType type, String hw, String version, long counter, int size) {
    return fleet.publish(type, hw, version, counter, size);
  }

  static Bank bank(FirmwareImage image) {
    return TestFleet.bank(image);
  }

  static Vehicle.Spec spec(String vin, String profile, FirmwareImage engine, FirmwareImage adas) {
    return new Vehicle.Spec(
        vin,
        "Munich",
        "blue",
        Set.of("test"),
        profile,
        List.of(
            new Vehicle.EcuSpec(
                "engine",
                EcuType.valueOf(engine.ecuType()),
                engine.hardwareIds().get(0),
                vin + "-eng",
                Transport.CAN_FD,
                1_000_000,
                bank(engine)),
            new Vehicle.EcuSpec(
                "adas",
                EcuType.valueOf(adas.ecuType()),
                adas.hardwareIds().get(0),
                vin + "-adas",
                Transport.DOIP,
                2_000_000,
                bank(adas))));
  }

  static Vehicle.Status status(String vin) {
    return ask(VehicleSharding.vehicle(testKit.system(), vin), Vehicle.GetStatus::new);
  }

  static Ecu.Status ecu(String vin, String ecuId) {
    return ask(
        ClusterSharding.get(testKit.system()).entityRefFor(Ecu.TYPE_KEY, Ecu.entityId(vin, ecuId)),
        Ecu.GetStatus::new);
  }

  static void assign(String vin, String campaignId, FirmwareImage image) {
    StatusReply<org.apache.pekko.Done> r =
        ask(
            cloud.refs().director(vin),
            replyTo ->
                new Director.Assign(
                    campaignId, image, new Director.Constraints(true, false), replyTo));
    assertTrue(
        r.isSuccess(),
        () ->
            r.getError().getMessage()
                + " / "
                + ask(cloud.refs().director(vin), Director.GetVehicle::new));
  }

  @Test
  void oneVehicleUpdatesTwoEcusEndToEnd() {
    FirmwareImage engine1 = publish(EcuType.ENGINE, "hw-eng", "1.0.0", 1, 64 * 1024);
    FirmwareImage adas1 = publish(EcuType.ADAS, "hw-adas", "1.0.0", 1, 96 * 1024);
    String vin = "FSIMTEST000000001";
    StatusReply<org.apache.pekko.Done> provisioned =
        ask(
            VehicleSharding.vehicle(testKit.system(), vin),
            r -> new Vehicle.Provision(spec(vin, "5g", engine1, adas1), r));
    assertTrue(provisioned.isSuccess(), () -> provisioned.getError().getMessage());
    assertEquals(Vehicle.Lifecycle.ACTIVE, status(vin).lifecycle());

    FirmwareImage engine2 = publish(EcuType.ENGINE, "hw-eng", "2.0.0", 2, 80 * 1024);
    FirmwareImage adas2 = publish(EcuType.ADAS, "hw-adas", "2.0.0", 2, 112 * 1024);
    assign(vin, "campaign-engine", engine2);
    assign(vin, "campaign-adas", adas2);

    // The first assignment wakes the vehicle; it may install both in one update or, when its
    // check ran between the two assignments, in two.
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          Vehicle.Status s = status(vin);
          assertEquals("2.0.0", s.installedVersions().get("engine"), s.toString());
          assertEquals("2.0.0", s.installedVersions().get("adas"), s.toString());
          assertEquals(Vehicle.Phase.IDLE, s.phase(), s.toString());
          return null;
        });
    Vehicle.Status s = status(vin);
    assertTrue(s.history().size() == 1 || s.history().size() == 2, s.toString());
    s.history().forEach(u -> assertEquals(UpdateOutcome.SUCCEEDED, u.outcome(), s.toString()));
    // Both new images exist as deltas from 1.0.0: far less than the images crossed the link.
    long images = engine2.length() + adas2.length();
    long downloaded = s.history().stream().mapToLong(Vehicle.UpdateRecord::downloadedBytes).sum();
    assertTrue(downloaded > 0 && downloaded < images / 2, downloaded + " of " + images);
    assertEquals(Vehicle.Phase.IDLE, s.phase());

    // The ECUs run the new images from the other bank; the old bank still holds 1.0.0.
    for (String ecuId : List.of("engine", "adas")) {
      Ecu.Status e = ecu(vin, ecuId);
      Bank active = e.active() == Bank.Slot.A ? e.bankA() : e.bankB();
      Bank other = e.active() == Bank.Slot.A ? e.bankB() : e.bankA();
      assertTrue(active.version().contains("2.0.0"), e.toString());
      assertTrue(other.version().contains("1.0.0"), e.toString());
    }
    // The Director verified the signed manifest, closed both assignments and records both ECUs
    // at the new version.
    StatusReply<Director.VehicleView> view =
        ask(cloud.refs().director(vin), Director.GetVehicle::new);
    assertTrue(view.isSuccess());
    Director.VehicleView v = view.getValue();
    assertEquals(List.of(), v.assignments(), v.toString());
    assertEquals(2, v.ecus().size(), v.toString());
    v.ecus().forEach(e -> assertEquals("2.0.0", e.installedVersion(), v.toString()));
  }

  @Test
  void badProvisioningIsRefusedWithTheField() {
    FirmwareImage engine1 = publish(EcuType.BODY, "hw-body", "1.0.0", 1, 1024);
    String vin = "FSIMTEST000000002";
    StatusReply<org.apache.pekko.Done> r =
        ask(
            VehicleSharding.vehicle(testKit.system(), vin),
            replyTo ->
                new Vehicle.Provision(spec(vin, "carrier-pigeon", engine1, engine1), replyTo));
    assertTrue(r.isError());
    assertTrue(r.getError().getMessage().contains("networkProfile"), r.getError().getMessage());
    StatusReply<org.apache.pekko.Done> wrongVin =
        ask(
            VehicleSharding.vehicle(testKit.system(), vin),
            replyTo -> new Vehicle.Provision(spec("OTHERVIN", "5g", engine1, engine1), replyTo));
    assertTrue(wrongVin.isError());
    assertTrue(wrongVin.getError().getMessage().contains("spec.vin"));
    assertEquals(Vehicle.Lifecycle.NEW, status(vin).lifecycle());
  }

  @Test
  void aTamperedImageIsRefusedAndNothingIsInstalled() {
    FirmwareImage engine1 = publish(EcuType.BRAKES, "hw-brk", "1.0.0", 1, 4096);
    FirmwareImage adas1 = publish(EcuType.TELEMATICS, "hw-tel", "1.0.0", 1, 4096);
    String vin = "FSIMTEST000000003";
    assertTrue(
        ask(
                VehicleSharding.vehicle(testKit.system(), vin),
                (ActorRef<StatusReply<org.apache.pekko.Done>> r) ->
                    new Vehicle.Provision(spec(vin, "5g", engine1, adas1), r))
            .isSuccess());
    // The Director signs a target whose hash the image repository never signed (a compromised
    // director alone): the vehicle's cross-check refuses it before any download, reports the
    // assignment REJECTED, and no ECU is touched.
    FirmwareImage real = publish(EcuType.BRAKES, "hw-brk", "3.0.0", 3, 4096);
    FirmwareImage forged =
        new FirmwareImage(
            real.repositoryId(),
            real.targetName(),
            real.ecuType(),
            real.version(),
            real.releaseCounter(),
            real.hardwareIds(),
            real.length(),
            engine1.sha256(),
            null,
            null,
            0);
    assign(vin, "campaign-forged", forged);
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          Vehicle.Status s = status(vin);
          assertEquals(1, s.history().size(), s.toString());
          return null;
        });
    Vehicle.Status s = status(vin);
    Vehicle.UpdateRecord refused = s.history().get(0);
    assertEquals(UpdateOutcome.REJECTED, refused.outcome(), s.toString());
    assertEquals("MIX_AND_MATCH", refused.attack(), s.toString());
    assertEquals("campaign-forged", refused.campaignId(), s.toString());
    assertEquals(0, refused.downloadedBytes(), s.toString());
    assertEquals(1, s.attacksDetected(), s.toString());
    Ecu.Status e = ecu(vin, "engine");
    Bank active = e.active() == Bank.Slot.A ? e.bankA() : e.bankB();
    assertNotEquals(real.sha256(), active.sha256());
    assertTrue(active.version().contains("1.0.0"), e.toString());
  }

  @Test
  void consentAndParkingGateTheInstall() {
    FirmwareImage info1 = publish(EcuType.INFOTAINMENT, "hw-info", "1.0.0", 1, 8192);
    FirmwareImage gw1 = publish(EcuType.GATEWAY, "hw-gw", "1.0.0", 1, 8192);
    String vin = "FSIMTEST000000004";
    RecipientRef<Vehicle.Command> car = VehicleSharding.vehicle(testKit.system(), vin);
    assertTrue(
        ask(
                car,
                (ActorRef<StatusReply<org.apache.pekko.Done>> r) ->
                    new Vehicle.Provision(spec(vin, "lte", info1, gw1), r))
            .isSuccess());
    car.tell(new Vehicle.SetDriveState(Vehicle.DriveState.DRIVING));

    FirmwareImage info2 = publish(EcuType.INFOTAINMENT, "hw-info", "2.0.0", 2, 8192);
    StatusReply<org.apache.pekko.Done> assigned =
        ask(
            cloud.refs().director(vin),
            replyTo ->
                new Director.Assign(
                    "campaign-consent", info2, new Director.Constraints(true, true), replyTo));
    assertTrue(assigned.isSuccess());
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(20),
        () -> {
          assertEquals(Vehicle.Phase.AWAITING_CONSENT, status(vin).phase());
          return null;
        });
    // The driver's consent arrives after 10 simulated seconds; a minute later the vehicle still
    // waits, because it is driving.
    io.fleetsim.cluster.time.SimClock clock =
        io.fleetsim.cluster.time.SimClock.get(testKit.system());
    java.time.Instant minuteLater = clock.now().plus(Duration.ofMinutes(1));
    probe.awaitAssert(
        () -> {
          assertTrue(!clock.now().isBefore(minuteLater), clock.toString());
          return null;
        });
    assertEquals(Vehicle.Phase.AWAITING_CONSENT, status(vin).phase());
    assertEquals("1.0.0", status(vin).installedVersions().get("engine"));

    car.tell(new Vehicle.SetDriveState(Vehicle.DriveState.PARKED));
    probe.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          Vehicle.Status s = status(vin);
          assertEquals(1, s.history().size(), s.toString());
          assertEquals(UpdateOutcome.SUCCEEDED, s.history().get(0).outcome());
          assertEquals("2.0.0", s.installedVersions().get("engine"));
          return null;
        });
  }

  @Test
  void statusOfAnUnknownVehicleIsNew() {
    Vehicle.Status s = status("FSIMUNKNOWN000000");
    assertEquals(Vehicle.Lifecycle.NEW, s.lifecycle());
    assertEquals(Vehicle.Phase.IDLE, s.phase());
    assertEquals(Map.of(), s.installedVersions());
    assertEquals(List.of(), s.history());
    assertEquals(0, s.attacksDetected());
  }
}
