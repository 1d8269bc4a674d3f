package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.manifest.ManifestVerifier;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.manifest.UpdateReport;
import io.fleetsim.uptane.manifest.VehicleVersionManifest;
import io.fleetsim.uptane.metadata.TargetFile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A vehicle started from a journal written by an earlier incarnation, against probes for the
 * Director, the ECU and the bus: what it does after recovery, message by message. The test moves
 * simulated time itself, so the probes answer before any timer (phase or ask timeout) is due.
 */
class VehicleRecoveryTest {

  static final ActorTestKit testKit =
      ActorTestKit.create(
          "VehicleRecoveryTest",
          ConfigFactory.parseString(
                  """
                  fleetsim.time.mode = manual
                  fleetsim.vehicle.phase-timeout = 1h
                  fleetsim.vehicle.network-profiles.steady {
                    latency = 50ms
                    jitter = 0ms
                    bandwidth-mbit = 10
                    loss = 0
                    outage-every = 0s
                    outage-length = 0s
                  }
                  """)
              .withFallback(PersistenceTestKitPlugin.getInstance().config())
              .withFallback(PersistenceTestKitSnapshotPlugin.config())
              .withFallback(ConfigFactory.load()));

  static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());

  static final SimClock clock = SimClock.get(testKit.system());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
  static final SigningKey PRIMARY = SigningKey.generate(new Random(1));
  static final SigningKey ENGINE = SigningKey.generate(new Random(2));
  static final String IMAGE_SHA = "ab".repeat(32);

  record Probes(
      TestProbe<Director.Command> director,
      TestProbe<Ecu.Command> ecu,
      TestProbe<CanBus.Command> bus,
      ActorRef<Vehicle.Command> vehicle) {}

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

  /** Starts a vehicle from {@code events}, every dependency a probe, the blob store empty. */
  static Probes recover(String vin, List<Object> events) {
    journal.persistForRecovery("Vehicle|" + vin, events);
    TestProbe<Director.Command> director = testKit.createTestProbe();
    TestProbe<ImageRepository.Command> images = testKit.createTestProbe();
    TestProbe<Ecu.Command> ecu = testKit.createTestProbe();
    TestProbe<CanBus.Command> bus = testKit.createTestProbe();
    Vehicle.Deps deps =
        new Vehicle.Deps(
            v -> director.ref(),
            images.ref(),
            id -> ecu.ref(),
            v -> bus.ref(),
            new BlobStore(),
            null);
    ActorRef<Vehicle.Command> vehicle = testKit.spawn(Vehicle.create(vin, deps));
    return new Probes(director, ecu, bus, vehicle);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The ECU probe signs the version report the vehicle asks for, as the real ECU would. */
  static void signReport(TestProbe<Ecu.Command> ecu, String serial) {
    Ecu.SignVersionReport ask = ecu.expectMessageClass(Ecu.SignVersionReport.class);
    TargetFile running =
        new TargetFile("ENGINE/1.0.0.img", 4096, Map.of("sha256", "cd".repeat(32)), null);
    ask.replyTo()
        .tell(
            StatusReply.success(
                new Ecu.SignedVersionReport(
                    serial, EcuVersionReport.sign(ENGINE, serial, running, ask.nonce(), T0, ""))));
  }

  @Test
  void recoveredInInstallingWithTheImageGoneItStillEndsAndReportsTheTimeout() throws Exception {
    String vin = "FSIMRECOVER000001";
    Vehicle.Spec spec = spec(vin);
    VehicleState.PlannedInstall install =
        new VehicleState.PlannedInstall(
            "engine",
            vin + "-eng",
            "ENGINE/2.0.0.img",
            4096,
            IMAGE_SHA,
            2,
            "campaign-x/1",
            "campaign-x");
    VehicleState.UpdatePlan plan =
        new VehicleState.UpdatePlan(
            vin + "-u1", T0, false, false, List.of(install), bytes("targets"));
    Probes p =
        recover(
            vin,
            List.of(
                new Vehicle.ProvisionRequested(spec, Hex.encode(PRIMARY.seed())),
                new Vehicle.Activated(
                    TrustedState.ofRoot(bytes("d")), TrustedState.ofRoot(bytes("i")), T0),
                new Vehicle.UpdateFound(plan),
                new Vehicle.DownloadStarted(T0),
                new Vehicle.DownloadCompleted(4096, T0),
                new Vehicle.ImagesVerified(T0),
                new Vehicle.EcuTransferred("engine")));

    // The image crossed the bus before the restart: the vehicle asks the bus for the result
    // again, and waits no longer than its phase timeout for it.
    CanBus.StartTransfer again = p.bus().expectMessageClass(CanBus.StartTransfer.class);
    assertEquals(vin + "-u1-engine", again.transferId());
    clock.advance(Duration.ofMinutes(59));
    p.ecu().expectNoMessage(Duration.ofMillis(100));
    clock.advance(Duration.ofMinutes(1));
    signReport(p.ecu(), vin + "-eng");
    // the manifest crosses the link (50 ms and its bytes at 10 Mbit/s)
    clock.advance(Duration.ofSeconds(1));
    Director.ReportManifest sent = p.director().expectMessageClass(Director.ReportManifest.class);
    VehicleVersionManifest m =
        ManifestVerifier.verify(
            sent.manifest(), PRIMARY.publicKey(), Map.of(vin + "-eng", ENGINE.publicKey()), 0);
    assertEquals(1, m.updateReports().size(), m.toString());
    assertEquals(
        new UpdateReport(
            "campaign-x/1",
            UpdateOutcome.FAILED,
            "INSTALLING",
            "",
            "engine: FAILED (no result from the ECUs in time)"),
        m.updateReports().get(0));
    sent.replyTo().tell(StatusReply.success(new Director.ManifestResult(m.counter(), List.of())));

    TestProbe<Vehicle.Status> status = testKit.createTestProbe();
    status.awaitAssert(
        () -> {
          p.vehicle().tell(new Vehicle.GetStatus(status.ref()));
          Vehicle.Status s = status.receiveMessage();
          assertEquals(Vehicle.Phase.IDLE, s.phase(), s.toString());
          assertEquals(1, s.history().size(), s.toString());
          assertEquals(UpdateOutcome.FAILED, s.history().get(0).outcome());
          return null;
        });
  }
}
