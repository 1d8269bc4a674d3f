package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.CloudSharding;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.ecu.Bank;
import io.fleetsim.ecu.Ecu;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.manifest.ManifestVerifier;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.manifest.UpdateReport;
import io.fleetsim.uptane.manifest.VehicleVersionManifest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the vehicle tells the Director when it ends an update itself: the real cloud, ECUs and bus,
 * with a tap between the vehicle and its Director that copies every manifest to a probe (and can
 * stand in for the Director's metadata), and one between the vehicle and the image repository that
 * can serve forged images. Each manifest is checked the way the Director checks it.
 */
class VehicleReportTest {

  static TestFleet fleet;
  static ActorTestKit testKit;
  static CloudSharding.Cloud cloud;
  static final Map<String, ActorRef<Vehicle.Command>> vehicles = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    fleet =
        TestFleet.start(
            "VehicleReportTest",
            ConfigFactory.parseString(
                """
                fleetsim.vehicle.poll-interval = 1000d
                fleetsim.vehicle.poll-jitter = 0s
                fleetsim.vehicle.network-profiles.steady {
                  latency = 20ms
                  jitter = 0ms
                  bandwidth-mbit = 100
                  loss = 0
                  outage-every = 0s
                  outage-length = 0s
                }
                """),
            tk ->
                (vin, campaignId) -> {
                  ActorRef<Vehicle.Command> v = vehicles.get(vin);
                  if (v != null) {
                    v.tell(new Vehicle.Notify(campaignId));
                  }
                });
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

  /** A vehicle with taps on its way to the Director and to the image repository. */
  record Tapped(
      String vin,
      ActorRef<Vehicle.Command> vehicle,
      TestProbe<byte[]> manifests,
      AtomicReference<Director.Register> registered,
      AtomicBoolean forgeDirectorTimestamp,
      AtomicReference<String> images) {}

  static Behavior<Director.Command> directorTap(
      RecipientRef<Director.Command> real,
      ActorRef<byte[]> manifests,
      AtomicReference<Director.Register> registered,
      AtomicBoolean forge) {
    return Behaviors.receiveMessage(
        m -> {
          if (m instanceof Director.Register r) {
            registered.set(r);
          }
          if (m instanceof Director.ReportManifest r) {
            manifests.tell(r.manifest());
          }
          if (forge.get()
              && m instanceof Director.GetMetadata g
              && g.fileName().equals("timestamp.json")) {
            g.replyTo().tell(StatusReply.success(bytes("{\"signed\": \"not a timestamp\"}")));
          } else {
            real.tell(m);
          }
          return Behaviors.same();
        });
  }

  static Behavior<ImageRepository.Command> imageTap(
      RecipientRef<ImageRepository.Command> real, AtomicReference<String> mode) {
    return Behaviors.receiveMessage(
        m -> {
          if ("forge".equals(mode.get()) && m instanceof ImageRepository.GetBlob b) {
            b.replyTo().tell(StatusReply.success(bytes("forged firmware")));
          } else if ("gone".equals(mode.get()) && m instanceof ImageRepository.GetBlob b) {
            b.replyTo().tell(StatusReply.error("no blob " + b.sha256()));
          } else {
            real.tell(m);
          }
          return Behaviors.same();
        });
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static FirmwareImage publish(EcuType type, String version, long counter) {
    StatusReply<FirmwareImage> r =
        ask(
            cloud.refs().imageRepository(),
            replyTo ->
                new ImageRepository.Publish(
                    type.name(), List.of("hw-rep"), version, counter, null, 8192, replyTo));
    assertTrue(r.isSuccess(), () -> r.getError().getMessage());
    return r.getValue();
  }

  static Tapped provision(String vin, FirmwareImage running) {
    TestProbe<byte[]> manifests = testKit.createTestProbe();
    AtomicReference<Director.Register> registered = new AtomicReference<>();
    AtomicBoolean forgeTimestamp = new AtomicBoolean();
    AtomicReference<String> imageMode = new AtomicReference<>();
    Vehicle.Deps real = VehicleSharding.deps(testKit.system());
    ActorRef<Director.Command> director =
        testKit.spawn(
            directorTap(real.director().apply(vin), manifests.ref(), registered, forgeTimestamp));
    ActorRef<ImageRepository.Command> images =
        testKit.spawn(imageTap(real.imageRepository(), imageMode));
    Vehicle.Deps deps =
        new Vehicle.Deps(
            v -> director, images, real.ecu(), real.bus(), real.blobs(), real.directorKeys());
    ActorRef<Vehicle.Command> vehicle = testKit.spawn(Vehicle.create(vin, deps));
    vehicles.put(vin, vehicle);
    Vehicle.Spec spec =
        new Vehicle.Spec(
            vin,
            "Munich",
            "blue",
            Set.of(),
            "steady",
            List.of(
                new Vehicle.EcuSpec(
                    "engine",
                    EcuType.valueOf(running.ecuType()),
                    "hw-rep",
                    vin + "-eng",
                    Transport.CAN_FD,
                    1_000_000,
                    new Bank(
                        running.targetName(),
                        running.sha256(),
                        running.length(),
                        running.releaseCounter(),
                        true))));
    StatusReply<Done> r = ask(vehicle, replyTo -> new Vehicle.Provision(spec, replyTo));
    assertTrue(r.isSuccess(), () -> r.getError().getMessage());
    return new Tapped(vin, vehicle, manifests, registered, forgeTimestamp, imageMode);
  }

  static void assign(String vin, String campaignId, FirmwareImage image) {
    StatusReply<Done> r =
        ask(
            cloud.refs().director(vin),
            replyTo ->
                new Director.Assign(
                    campaignId, image, new Director.Constraints(false, false), replyTo));
    assertTrue(r.isSuccess(), () -> r.getError().getMessage());
  }

  /** The next manifest, verified with the keys the vehicle registered with the Director. */
  static VehicleVersionManifest nextManifest(Tapped t) throws Exception {
    byte[] bytes = t.manifests().receiveMessage(Duration.ofSeconds(20));
    Director.Register r = t.registered().get();
    Map<String, PublicKey> ecuKeys = new HashMap<>();
    r.ecus().forEach(e -> ecuKeys.put(e.serial(), PublicKey.fromHex(e.publicKeyHex())));
    return ManifestVerifier.verify(bytes, PublicKey.fromHex(r.primaryKeyHex()), ecuKeys, 0);
  }

  static Vehicle.Status status(Tapped t) {
    return ask(t.vehicle(), Vehicle.GetStatus::new);
  }

  static Vehicle.Status awaitFinished(Tapped t, int n) {
    TestProbe<Object> probe = testKit.createTestProbe();
    return probe.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          Vehicle.Status s = status(t);
          assertEquals(n, s.history().size(), s.toString());
          assertEquals(Vehicle.Phase.IDLE, s.phase(), s.toString());
          return s;
        });
  }

  static Bank activeBank(String vin) {
    Ecu.Status e =
        ask(
            ClusterSharding.get(testKit.system())
                .entityRefFor(Ecu.TYPE_KEY, Ecu.entityId(vin, "engine")),
            Ecu.GetStatus::new);
    return e.active() == Bank.Slot.A ? e.bankA() : e.bankB();
  }

  static void checkAgain(Tapped t) {
    t.vehicle().tell(new Vehicle.Poll());
  }

  @Test
  void anInstalledUpdateIsReportedSucceededForItsAssignment() throws Exception {
    String vin = "FSIMREPORT0000004";
    FirmwareImage v1 = publish(EcuType.BODY, "4.0.0", 40);
    Tapped t = provision(vin, v1);
    FirmwareImage v2 = publish(EcuType.BODY, "4.1.0", 41);
    assign(vin, "campaign-ok", v2);

    VehicleVersionManifest m = nextManifest(t);
    assertEquals(
        List.of(new UpdateReport("campaign-ok/1", UpdateOutcome.SUCCEEDED, "INSTALLING", "", "")),
        m.updateReports());
    assertEquals(1, m.ecuReports().size(), m.toString());
    Vehicle.Status s = awaitFinished(t, 1);
    assertEquals(UpdateOutcome.SUCCEEDED, s.history().get(0).outcome());
    assertEquals("4.1.0", s.installedVersions().get("engine"));
    assertEquals(v2.sha256(), activeBank(vin).sha256());
  }

  @Test
  void aForgedImageIsRejectedInVerifyingAndTheManifestSaysSo() throws Exception {
    String vin = "FSIMREPORT0000001";
    FirmwareImage v1 = publish(EcuType.ADAS, "1.0.0", 10);
    Tapped t = provision(vin, v1);
    FirmwareImage v2 = publish(EcuType.ADAS, "1.1.0", 11);
    t.images().set("forge");
    assign(vin, "campaign-forged-image", v2);

    VehicleVersionManifest m = nextManifest(t);
    assertEquals(1, m.updateReports().size(), m.toString());
    UpdateReport r = m.updateReports().get(0);
    assertEquals("campaign-forged-image/1", r.assignmentId());
    assertEquals(UpdateOutcome.REJECTED, r.outcome());
    assertEquals("VERIFYING", r.phase());
    assertEquals("ARBITRARY_SOFTWARE", r.attack());
    assertTrue(r.reason().startsWith("engine: REJECTED"), r.reason());

    Vehicle.Status s = awaitFinished(t, 1);
    assertEquals(UpdateOutcome.REJECTED, s.history().get(0).outcome());
    assertEquals("ARBITRARY_SOFTWARE", s.history().get(0).attack());
    assertEquals(1, s.attacksDetected());
    assertEquals(v1.sha256(), activeBank(vin).sha256());
  }

  @Test
  void aFailedDownloadIsReportedFailedInDownloading() throws Exception {
    String vin = "FSIMREPORT0000002";
    FirmwareImage v1 = publish(EcuType.BRAKES, "2.0.0", 20);
    Tapped t = provision(vin, v1);
    FirmwareImage v2 = publish(EcuType.BRAKES, "2.1.0", 21);
    t.images().set("gone");
    assign(vin, "campaign-gone", v2);

    VehicleVersionManifest m = nextManifest(t);
    assertEquals(1, m.updateReports().size(), m.toString());
    UpdateReport r = m.updateReports().get(0);
    assertEquals("campaign-gone/1", r.assignmentId());
    assertEquals(UpdateOutcome.FAILED, r.outcome());
    assertEquals("DOWNLOADING", r.phase());
    assertEquals("", r.attack());
    assertTrue(r.reason().contains("download failed: no blob"), r.reason());

    Vehicle.Status s = awaitFinished(t, 1);
    assertEquals(UpdateOutcome.FAILED, s.history().get(0).outcome());
    assertEquals(0, s.attacksDetected());
    assertEquals(v1.sha256(), activeBank(vin).sha256());
  }

  @Test
  void refusedMetadataIsReportedOncePerRefusedState() throws Exception {
    String vin = "FSIMREPORT0000003";
    FirmwareImage v1 = publish(EcuType.ENGINE, "3.0.0", 30);
    Tapped t = provision(vin, v1);
    // The Director signs a target under a hash the image repository never signed.
    FirmwareImage real = publish(EcuType.ENGINE, "3.1.0", 31);
    FirmwareImage forged =
        new FirmwareImage(
            real.repositoryId(),
            real.targetName(),
            real.ecuType(),
            real.version(),
            real.releaseCounter(),
            real.hardwareIds(),
            real.length(),
            v1.sha256(),
            null,
            null,
            0);
    assign(vin, "campaign-mix", forged);

    // The director's metadata verified, the cross-check refused: the assignment is named.
    VehicleVersionManifest m = nextManifest(t);
    assertEquals(1, m.updateReports().size(), m.toString());
    UpdateReport r = m.updateReports().get(0);
    assertEquals("campaign-mix/1", r.assignmentId());
    assertEquals(UpdateOutcome.REJECTED, r.outcome());
    assertEquals("CHECKING", r.phase());
    assertEquals("MIX_AND_MATCH", r.attack());
    Vehicle.Status s = awaitFinished(t, 1);
    assertEquals("campaign-mix", s.history().get(0).campaignId());

    // The next poll refuses the very same metadata: nothing new to report.
    checkAgain(t);
    t.manifests().expectNoMessage(Duration.ofMillis(500));

    // The director's own metadata refused: no assignment id can be trusted, the report stands
    // for every open assignment; reported once as well.
    t.forgeDirectorTimestamp().set(true);
    checkAgain(t);
    VehicleVersionManifest m2 = nextManifest(t);
    assertEquals(1, m2.updateReports().size(), m2.toString());
    UpdateReport all = m2.updateReports().get(0);
    assertTrue(all.allAssignments(), all.toString());
    assertEquals(UpdateOutcome.REJECTED, all.outcome());
    assertEquals("CHECKING", all.phase());
    assertEquals("MALFORMED", all.attack());
    s = awaitFinished(t, 2);
    assertEquals("", s.history().get(1).campaignId());
    checkAgain(t);
    t.manifests().expectNoMessage(Duration.ofMillis(500));
    assertEquals(2, status(t).attacksDetected());
  }
}
