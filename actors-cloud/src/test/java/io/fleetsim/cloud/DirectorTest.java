package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.SingleNode;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.uptane.client.SecondaryVerifier;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
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
          com.typesafe.config.ConfigFactory.parseString(
                  "fleetsim.time.mode = manual\nfleetsim.cloud.outcome-retry = 10m")
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(SingleNode.config("DirectorTest")));
  static final SimClock clock = SimClock.get(testKit.system());
  static final Duration RETRY = Duration.ofMinutes(10);
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
    assertEquals(new Campaign.RecordInProgress("VIN0001", "c1/1"), campaigns.receiveMessage());
    // A secondary's partial verification accepts what the Director signed.
    VerifiedTarget vt =
        SecondaryVerifier.verify(
            t.reply().getValue(),
            List.of(keys.targetsKey()),
            1,
            car.engineSerial,
            "hw-a",
            0,
            clock.now());
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
  void anAssignmentOfTheImageTheEcuAlreadyRunsSucceedsAtOnceWithoutReachingTheVehicle() {
    car = new FakeVehicle("VIN0002", "Munich", "hw-a", V2.version());
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Director.create(
                car.vin, keys, (vin, c) -> notified.add(vin + ":" + c), id -> campaigns.ref()));
    register();
    Director.State before = kit.getState();
    var r =
        kit.<StatusReply<Done>>runCommand(
            replyTo -> new Director.Assign("c9#0/1", "c9", V2, null, Duration.ofHours(1), replyTo));
    assertTrue(r.reply().isSuccess(), () -> r.reply().toString());
    Director.AssignmentAlreadyMet met = (Director.AssignmentAlreadyMet) r.events().get(0);
    assertEquals(UpdateOutcome.SUCCEEDED, met.outcome().outcome());
    assertEquals("already runs " + V2.targetName(), met.outcome().reason());
    var told = campaigns.expectMessageClass(Campaign.RecordOutcome.class);
    assertEquals(met.outcome(), told.outcome());
    assertTrue(notified.isEmpty(), "the vehicle is not woken: there is nothing for it to do");
    assertTrue(kit.getState().assignments().isEmpty());
    assertEquals(before.metadata(), kit.getState().metadata(), "its targets stay as they were");
  }

  @Test
  void manifestClosesTheAssignmentAndTellsTheCampaign() {
    register();
    assign("c1");
    var r =
        kit.<StatusReply<Director.ManifestResult>>runCommand(
            replyTo -> new Director.ReportManifest(car.installed(V2, "c1/1"), replyTo));
    assertTrue(r.reply().isSuccess(), () -> r.reply().toString());
    Director.Outcome o = outcome();
    assertEquals("c1/1", o.assignmentId());
    assertEquals(UpdateOutcome.SUCCEEDED, o.outcome());
    assertEquals("2.0", o.installedVersion());
    Director.State s = r.state();
    assertTrue(s.assignments().isEmpty());
    assertEquals("2.0", s.ecus().get(car.engineSerial).installedVersion());
    assertEquals(1, s.ecus().get(car.engineSerial).releaseCounter());

    // Recovery rebuilds the same state from the journal.
    kit.restart();
    assertEquals("2.0", kit.getState().ecus().get(car.engineSerial).installedVersion());
    assertEquals(1, kit.getState().lastManifestCounter());
  }

  /** The next outcome the campaign is told (redeliveries of an earlier one are skipped). */
  private Director.Outcome outcome() {
    var m = campaigns.expectMessageClass(Campaign.RecordOutcome.class);
    return m.outcome();
  }

  private Director.ManifestResult report(byte[] manifest) {
    var r =
        kit.<StatusReply<Director.ManifestResult>>runCommand(
            replyTo -> new Director.ReportManifest(manifest, replyTo));
    assertTrue(r.reply().isSuccess(), () -> r.reply().toString());
    return r.reply().getValue();
  }

  private void assign(String assignmentId, Duration limit) {
    var r =
        kit.<StatusReply<Done>>runCommand(
            replyTo ->
                new Director.Assign(
                    assignmentId, "c1", V2, new Director.Constraints(true, false), limit, replyTo));
    assertTrue(r.reply().isSuccess(), () -> r.reply().toString());
  }

  @Test
  void failedAndRolledBackInstallsAreReportedAsSuch() {
    register();
    assign("c1/1", null);
    report(car.ended("c1/1", UpdateOutcome.ROLLED_BACK));
    assertEquals(UpdateOutcome.ROLLED_BACK, outcome().outcome());
    assign("c1/2", null);
    report(car.ended("c1/2", UpdateOutcome.FAILED));
    Director.Outcome o = outcome();
    assertEquals("c1/2", o.assignmentId());
    assertEquals(UpdateOutcome.FAILED, o.outcome());
    assertEquals("1.0", o.installedVersion());
  }

  @Test
  void aStaleResultOfAnEarlierAssignmentNeverClosesANewerOne() {
    register();
    assign("c1/1", null);
    report(car.ended("c1/1", UpdateOutcome.ROLLED_BACK));
    assertEquals(UpdateOutcome.ROLLED_BACK, outcome().outcome());
    assign("c1/2", null);
    // The ECU still reports how its last install (for c1/1) ended: nothing closes c1/2.
    Director.ManifestResult stale = report(car.ended("c1/1", UpdateOutcome.ROLLED_BACK));
    assertTrue(stale.closed().isEmpty(), stale.toString());
    assertEquals(1, kit.getState().assignments().size());
    assertEquals("c1/2", kit.getState().assignments().values().iterator().next().assignmentId());
  }

  @Test
  void whatTheVehicleRefusedEndsTheAssignmentWithItsReason() {
    register();
    assign("c1/1", null);
    report(
        car.vehicleReports(
            new io.fleetsim.uptane.manifest.UpdateReport(
                "c1/1",
                UpdateOutcome.REJECTED,
                "VERIFYING",
                "ARBITRARY_SOFTWARE",
                "image hash differs")));
    Director.Outcome o = outcome();
    assertEquals(UpdateOutcome.REJECTED, o.outcome());
    assertEquals("VERIFYING: ARBITRARY_SOFTWARE: image hash differs", o.reason());
    assertTrue(kit.getState().assignments().isEmpty());
  }

  @Test
  void aClaimedSuccessThatNoEcuConfirmsIsAFailure() {
    register();
    assign("c1/1", null);
    report(
        car.vehicleReports(
            new io.fleetsim.uptane.manifest.UpdateReport(
                "c1/1", UpdateOutcome.SUCCEEDED, "REPORTING", "", "")));
    Director.Outcome o = outcome();
    assertEquals(UpdateOutcome.FAILED, o.outcome());
    assertTrue(o.reason().contains("not every ECU confirmed"), o.reason());
  }

  @Test
  void anOutcomeIsSentAgainUntilTheCampaignAcknowledgesIt() {
    register();
    assign("c1/1", null);
    report(car.installed(V2, "c1/1"));
    var first = campaigns.expectMessageClass(Campaign.RecordOutcome.class);
    // No acknowledgement: the outcome comes again exactly outcome-retry later.
    clock.advance(RETRY.minusMillis(1));
    campaigns.expectNoMessage(Duration.ofMillis(50));
    clock.advance(Duration.ofMillis(1));
    assertEquals(
        first.outcome(), campaigns.expectMessageClass(Campaign.RecordOutcome.class).outcome());
    // And again after a restart, at once.
    kit.restart();
    var again = campaigns.expectMessageClass(Campaign.RecordOutcome.class);
    assertEquals("c1/1", again.outcome().assignmentId());
    again.ackTo().tell(new Director.OutcomeAck("c1/1"));
    clock.advance(Duration.ZERO);
    var view = kit.<StatusReply<Director.VehicleView>>runCommand(Director.GetVehicle::new);
    assertTrue(view.reply().getValue().undelivered().isEmpty());
    // Acknowledged: nothing more, however long it waits.
    clock.advance(RETRY.multipliedBy(3));
    campaigns.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void anAssignmentNotReportedWithinItsTimeLimitEndsTimedOut() {
    register();
    Instant assigned = clock.now();
    assign("c1/1", Duration.ofMinutes(1));
    clock.advance(Duration.ofMinutes(1).minusMillis(1));
    campaigns.expectNoMessage(Duration.ofMillis(50));
    assertEquals(1, kit.getState().assignments().size());
    clock.advance(Duration.ofMillis(1));
    Director.Outcome o = outcome();
    assertEquals(UpdateOutcome.TIMED_OUT, o.outcome());
    assertEquals(assigned.plus(Duration.ofMinutes(1)), o.at());
    assertTrue(kit.getState().assignments().isEmpty());
    // A late report changes nothing counted, and the same assignment asked again is not remade.
    assertTrue(report(car.installed(V2, "c1/1")).closed().isEmpty());
    assign("c1/1", null);
    assertTrue(kit.getState().assignments().isEmpty());
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

  @Test
  void badAssignmentsAreRefusedNamingTheField() {
    register();
    var blank =
        kit.<StatusReply<Done>>runCommand(
            replyTo -> new Director.Assign("", "c1", V2, null, null, replyTo));
    assertTrue(blank.reply().getError().getMessage().startsWith("assign: assignmentId"));
    var limit =
        kit.<StatusReply<Done>>runCommand(
            replyTo ->
                new Director.Assign("c1/1", "c1", V2, null, Duration.ofSeconds(-1), replyTo));
    assertEquals("timeLimit: must be positive, was PT-1S", limit.reply().getError().getMessage());
    assertTrue(limit.hasNoEvents());
  }
}
