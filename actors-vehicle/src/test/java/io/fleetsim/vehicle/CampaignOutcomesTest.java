package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.cloud.CloudSharding;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cloud.RolloutPolicy;
import io.fleetsim.cloud.TargetFilter;
import io.fleetsim.cloud.WavePlan;
import io.fleetsim.cluster.Asks;
import io.fleetsim.cluster.BlobStore;
import io.fleetsim.ecu.Bank;
import io.fleetsim.ecu.BootModel;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A campaign over ten real vehicles in which some fail in each way a vehicle can detect: an image
 * whose bytes were changed on the way, image-repository metadata changed on the way, an image that
 * never arrives, and an ADAS ECU whose new image does not boot. The campaign must complete with
 * exactly those vehicles counted under the right outcome and none left in progress.
 */
class CampaignOutcomesTest {

  /** What goes wrong for a vehicle. */
  enum Fault {
    NONE,
    TAMPERED_IMAGE,
    TAMPERED_METADATA,
    NO_IMAGE,
    BOOT_CRASH
  }

  static final Map<String, Fault> FAULTS = new LinkedHashMap<>();

  static {
    int i = 0;
    for (Fault f : Fault.values()) {
      for (int k = 0; k < 2; k++) {
        FAULTS.put(String.format("FSIMOUTCOME%06d", i++), f);
      }
    }
  }

  static TestFleet fleet;
  static ActorTestKit testKit;
  static CloudSharding.Cloud cloud;

  @BeforeAll
  static void start() {
    fleet =
        TestFleet.start(
            "CampaignOutcomesTest",
            ConfigFactory.parseString(
                """
                fleetsim.vehicle.poll-interval = 1h
                """),
            tk -> VehicleSharding.notifier(tk.system()),
            CampaignOutcomesTest::vehicles);
    testKit = fleet.testKit();
    cloud = fleet.cloud();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Vehicle sharding where each faulty vehicle reaches the image repository through a proxy. */
  static void vehicles(ActorSystem<?> system) {
    Vehicle.Deps real = VehicleSharding.deps(system);
    Map<Fault, RecipientRef<ImageRepository.Command>> proxies = new LinkedHashMap<>();
    for (Fault f : List.of(Fault.TAMPERED_IMAGE, Fault.TAMPERED_METADATA, Fault.NO_IMAGE)) {
      proxies.put(
          f,
          system.systemActorOf(
              proxy(f, real.imageRepository(), real.blobs(), system),
              "images-" + f.name().toLowerCase(java.util.Locale.ROOT),
              org.apache.pekko.actor.typed.Props.empty()));
    }
    Function<String, Vehicle.Deps> depsOf =
        vin -> {
          RecipientRef<ImageRepository.Command> images = proxies.get(FAULTS.get(vin));
          return images == null
              ? real
              : new Vehicle.Deps(
                  real.director(),
                  images,
                  real.ecu(),
                  real.bus(),
                  real.blobs(),
                  real.directorKeys());
        };
    Function<String, BootModel> bootOf =
        ecuId ->
            FAULTS.get(ecuId.substring(0, ecuId.indexOf('/'))) == Fault.BOOT_CRASH
                    && ecuId.endsWith("/adas")
                ? BootModel.always(BootModel.Outcome.CRASH)
                : BootModel.alwaysOk();
    VehicleSharding.init(system, depsOf, bootOf);
  }

  /**
   * The image repository as one vehicle sees it through an attacker or a broken network: image
   * bytes changed, a metadata file changed, or images that never come.
   */
  static Behavior<ImageRepository.Command> proxy(
      Fault fault,
      RecipientRef<ImageRepository.Command> real,
      BlobStore blobs,
      ActorSystem<?> system) {
    return Behaviors.receive(ImageRepository.Command.class)
        .onMessage(
            ImageRepository.GetBlob.class,
            m -> {
              if (fault == Fault.NO_IMAGE) {
                return Behaviors.same();
              }
              if (fault == Fault.TAMPERED_IMAGE) {
                byte[] bytes = blobs.get(m.sha256()).orElseThrow();
                bytes[bytes.length / 2] ^= 0x01;
                m.replyTo().tell(StatusReply.success(bytes));
                return Behaviors.same();
              }
              real.tell(m);
              return Behaviors.same();
            })
        .onMessage(
            ImageRepository.GetMetadata.class,
            m -> {
              if (fault == Fault.TAMPERED_METADATA && m.fileName().equals("snapshot.json")) {
                // Continued on the system's dispatcher, which the clock counts.
                new Asks(system, Duration.ofSeconds(30), system.executionContext())
                    .<ImageRepository.Command, byte[]>askWithStatus(
                        real, r -> new ImageRepository.GetMetadata(m.fileName(), r))
                    .whenComplete(
                        (bytes, err) -> {
                          byte[] changed = bytes.clone();
                          // A digit of the snapshot's version: well-formed, but no longer signed.
                          String text =
                              new String(changed, java.nio.charset.StandardCharsets.UTF_8);
                          int at = text.indexOf("\"version\":") + "\"version\":".length();
                          changed[at] = (byte) (changed[at] == '9' ? '8' : changed[at] + 1);
                          m.replyTo().tell(StatusReply.success(changed));
                        });
                return Behaviors.same();
              }
              real.tell(m);
              return Behaviors.same();
            })
        .onAnyMessage(
            m -> {
              real.tell(m);
              return Behaviors.same();
            })
        .build();
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

  @Test
  void theCampaignCompletesWithEveryVehicleCountedUnderTheWayItFailed() {
    FirmwareImage engine = publish(EcuType.ENGINE, "hw-eng", "1.0.0", 1, 48 * 1024);
    FirmwareImage adas1 = publish(EcuType.ADAS, "hw-adas", "1.0.0", 1, 64 * 1024);
    FirmwareImage adas2 = publish(EcuType.ADAS, "hw-adas", "1.1.0", 2, 64 * 1024);
    Map<String, String> regions = new LinkedHashMap<>();
    FAULTS.keySet().forEach(vin -> regions.put(vin, "Munich"));
    fleet.provisionTwoEcuVehicles(regions, engine, adas1);
    TestProbe<Object> probe = testKit.createTestProbe();

    // Advance whatever happens (success 0 %), stop only if every vehicle failed (100 %): the
    // campaign must still end, and count each vehicle once.
    Campaign.Spec spec =
        new Campaign.Spec(
            "ADAS 1.1.0",
            TargetFilter.ecuType("ADAS"),
            adas2.version(),
            WavePlan.percentages(100),
            RolloutPolicy.of(0, 100, Duration.ZERO));
    RecipientRef<Campaign.Command> campaign = cloud.refs().campaign("adas-outcomes");
    assertTrue(
        ask(campaign, (ActorRef<StatusReply<Done>> r) -> new Campaign.Create(spec, r)).isSuccess());
    assertTrue(
        ask(campaign, (ActorRef<StatusReply<CampaignProgress>> r) -> new Campaign.Start(r))
            .isSuccess());

    probe.awaitAssert(
        Duration.ofSeconds(60),
        Duration.ofMillis(200),
        () -> {
          CampaignProgress p = ask(campaign, Campaign.GetProgress::new);
          assertEquals(Campaign.Status.COMPLETED, p.status(), p.toString());
          return null;
        });
    CampaignProgress p = ask(campaign, Campaign.GetProgress::new);
    assertEquals(0, p.inProgress(), p.toString());
    assertEquals(FAULTS.size(), p.settled());
    assertEquals(2, p.count(UpdateOutcome.SUCCEEDED), p.toString());
    assertEquals(4, p.count(UpdateOutcome.REJECTED), p.toString());
    assertEquals(2, p.count(UpdateOutcome.FAILED), p.toString());
    assertEquals(2, p.count(UpdateOutcome.ROLLED_BACK), p.toString());
    assertEquals(0, p.count(UpdateOutcome.TIMED_OUT), p.toString());

    // Exactly the faulty vehicles, each under its own outcome and with its reason.
    FAULTS.forEach(
        (vin, fault) -> {
          String reason = p.reasons().get(vin);
          switch (fault) {
            case NONE -> assertEquals(null, reason, vin);
            case TAMPERED_IMAGE -> {
              assertTrue(reason.startsWith("REJECTED: "), vin + " " + reason);
              assertTrue(reason.contains("ARBITRARY_SOFTWARE"), vin + " " + reason);
            }
            case TAMPERED_METADATA ->
                assertTrue(reason.startsWith("REJECTED: "), vin + " " + reason);
            case NO_IMAGE -> {
              assertTrue(reason.startsWith("FAILED: "), vin + " " + reason);
              assertTrue(reason.contains("DOWNLOADING"), vin + " " + reason);
              // tried again before giving up, as a client resumes a download
              assertTrue(reason.contains("after 3 attempts"), vin + " " + reason);
            }
            case BOOT_CRASH -> {
              assertTrue(reason.startsWith("ROLLED_BACK: "), vin + " " + reason);
              assertTrue(reason.contains("CRASH"), vin + " " + reason);
            }
          }
        });
    // Nothing refused was installed: only the healthy vehicles run 1.1.0.
    FAULTS.forEach(
        (vin, fault) -> {
          Vehicle.Status s =
              ask(VehicleSharding.vehicle(testKit.system(), vin), Vehicle.GetStatus::new);
          assertEquals(
              fault == Fault.NONE ? "1.1.0" : "1.0.0", s.installedVersions().get("adas"), vin);
        });
  }
}
