package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.SingleNode;
import io.fleetsim.uptane.client.SecondaryVerifier;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DirectorTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          "DirectorTest",
          EventSourcedBehaviorTestKit.config().withFallback(SingleNode.config("DirectorTest")));
  static final DirectorKeys keys = DirectorKeys.forSeed(42);

  static final FirmwareImage V2 =
      new FirmwareImage(
          "images",
          "engine/2.0.img",
          "engine",
          "2.0",
          1,
          List.of("hw-a"),
          1000,
          "ab".repeat(32),
          null,
          null,
          0);

  final List<String> notified = new CopyOnWriteArrayList<>();
  TestProbe<Campaign.Command> campaigns;
  EventSourcedBehaviorTestKit<Director.Command, Director.Event, Director.State> kit;
  FakeVehicle car;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    campaigns = testKit.createTestProbe();
    car = new FakeVehicle("VIN0001", "Munich", "hw-a", "1.0");
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Director.create(
                car.vin, keys, (vin, c) -> notified.add(vin + ":" + c), id -> campaigns.ref()));
  }

  private void register() {
    var r = kit.<StatusReply<Done>>runCommand(car::register);
    assertTrue(r.reply().isSuccess(), () -> r.reply().toString());
  }

  private void assign(String campaignId) {
    var r =
        kit.<StatusReply<Done>>runCommand(
            replyTo ->
                new Director.Assign(campaignId, V2, new Director.Constraints(true, true), replyTo));
    assertTrue(r.reply().isSuccess(), () -> r.reply().toString());
  }

  @Test
  void unknownVinIsRefusedWithoutEvents() {
    var r =
        kit.<StatusReply<byte[]>>runCommand(
            replyTo -> new Director.GetMetadata("targets.json", replyTo));
    assertEquals(
        "vin: unknown vehicle VIN0001 (not registered)", r.reply().getError().getMessage());
    assertTrue(r.hasNoEvents());
    var a =
        kit.<StatusReply<Done>>runCommand(replyTo -> new Director.Assign("c1", V2, null, replyTo));
    assertTrue(a.reply().isError());
    assertTrue(a.hasNoEvents());
  }

  @Test
  void badRegistrationNamesTheFields() {
    var r =
        kit.<StatusReply<Done>>runCommand(
            replyTo ->
                new Director.Register("", "red", Set.of(), "P", "not-hex", List.of(), replyTo));
    String msg = r.reply().getError().getMessage();
    assertTrue(msg.contains("region: must not be empty"), msg);
    assertTrue(msg.contains("environment: must be blue or green, was red"), msg);
    assertTrue(msg.contains("primaryKey: not an Ed25519 public key"), msg);
    assertTrue(msg.contains("ecus: a vehicle has at least one ECU"), msg);
    assertTrue(r.hasNoEvents());
  }

  @Test
  void assignmentIsSignedForTheEcuAndWakesTheVehicle() throws Exception {
    register();
    assign("c1");
    assertEquals(List.of("VIN0001:c1"), notified);
    var t =
        kit.<StatusReply<byte[]>>runCommand(
            replyTo -> new Director.GetMetadata("targets.json", replyTo));
    assertTrue(t.events().get(0) instanceof Director.AssignmentFetched);
    assertEquals(new Campaign.RecordInProgress("VIN0001"), campaigns.receiveMessage());
    // A secondary's partial verification accepts what the Director signed.
    VerifiedTarget vt =
        SecondaryVerifier.verify(
            t.reply().getValue(),
            List.of(keys.targetsKey()),
            1,
            car.engineSerial,
            "hw-a",
            0,
            Instant.now());
    assertEquals("engine/2.0.img", vt.target().name());
    assertEquals(V2.sha256(), vt.target().sha256());
    // Root by version, the same bytes on every node for the same seed.
    var root =
        kit.<StatusReply<byte[]>>runCommand(
            replyTo -> new Director.GetMetadata("1.root.json", replyTo));
    assertEquals(new String(DirectorKeys.forSeed(42).root(1)), new String(root.reply().getValue()));
  }

  @Test
  void aSecondCampaignForTheSameEcuIsRefused() {
    register();
    assign("c1");
    var r =
        kit.<StatusReply<Done>>runCommand(replyTo -> new Director.Assign("c2", V2, null, replyTo));
    assertEquals(
        "ecu VIN0001-engine: already assigned by campaign c1 (version 2.0), refusing campaign c2",
        r.reply().getError().getMessage());
    assertTrue(r.hasNoEvents());
    // The same assignment again (a campaign recovering) is accepted without a new event.
    var again =
        kit.<StatusReply<Done>>runCommand(replyTo -> new Director.Assign("c1", V2, null, replyTo));
    assertTrue(again.reply().isSuccess());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void manifestClosesTheAssignmentAndTellsTheCampaign() {
    register();
    assign("c1");
    var r =
        kit.<StatusReply<Director.ManifestResult>>runCommand(
            replyTo -> new Director.ReportManifest(car.installed(V2), replyTo));
    assertTrue(r.reply().isSuccess(), () -> r.reply().toString());
    assertEquals(
        new Campaign.RecordOutcome("VIN0001", UpdateOutcome.SUCCEEDED, "2.0"),
        campaigns.receiveMessage());
    Director.State s = r.state();
    assertTrue(s.assignments().isEmpty());
    assertEquals("2.0", s.ecus().get(car.engineSerial).installedVersion());
    assertEquals(1, s.ecus().get(car.engineSerial).releaseCounter());

    // Recovery rebuilds the same state from the journal.
    kit.restart();
    assertEquals("2.0", kit.getState().ecus().get(car.engineSerial).installedVersion());
    assertEquals(1, kit.getState().lastManifestCounter());
  }

  @Test
  void failedAndRolledBackInstallsAreReportedAsSuch() {
    register();
    assign("c1");
    kit.<StatusReply<Director.ManifestResult>>runCommand(
        replyTo -> new Director.ReportManifest(car.failed("ROLLED_BACK"), replyTo));
    assertEquals(
        new Campaign.RecordOutcome("VIN0001", UpdateOutcome.ROLLED_BACK, "1.0"),
        campaigns.receiveMessage());
    assign("c1");
    kit.<StatusReply<Director.ManifestResult>>runCommand(
        replyTo -> new Director.ReportManifest(car.failed("FAILED"), replyTo));
    assertEquals(
        new Campaign.RecordOutcome("VIN0001", UpdateOutcome.FAILED, "1.0"),
        campaigns.receiveMessage());
  }

  @Test
  void forgedAndReplayedManifestsAreRefusedWithoutEvents() {
    register();
    assign("c1");
    byte[] first = car.manifest(FakeVehicle.initialTarget("engine", "1.0"), "");
    kit.<StatusReply<Director.ManifestResult>>runCommand(
        replyTo -> new Director.ReportManifest(first, replyTo));
    var forged =
        kit.<StatusReply<Director.ManifestResult>>runCommand(
            replyTo -> new Director.ReportManifest(car.forged(), replyTo));
    assertTrue(
        forged.reply().getError().getMessage().startsWith("manifest: refused as "),
        forged.reply().getError().getMessage());
    assertTrue(forged.hasNoEvents());
    var replayed =
        kit.<StatusReply<Director.ManifestResult>>runCommand(
            replyTo -> new Director.ReportManifest(first, replyTo));
    assertTrue(
        replayed.reply().getError().getMessage().startsWith("manifest: refused as REPLAY"),
        replayed.reply().getError().getMessage());
    assertTrue(replayed.hasNoEvents());
    var view = kit.<StatusReply<Director.VehicleView>>runCommand(Director.GetVehicle::new);
    assertEquals(2, view.reply().getValue().refusedManifests());
    assertEquals(1, view.reply().getValue().assignments().size(), "assignment still open");
    campaigns.expectNoMessage();
  }
}
