package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.SingleNode;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Campaign commands refused before anything is persisted, each with the field or reason; facts
 * gathered and written on a manual clock.
 */
class CampaignTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          "CampaignTest",
          com.typesafe.config.ConfigFactory.parseString(
                  // facts stay gathered until the test lets the flush delay pass
                  "fleetsim.time.mode = manual")
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(SingleNode.config("CampaignTest")));
  static final SimClock clock = SimClock.get(testKit.system());
  static final Duration FLUSH = Campaign.flushAfter(testKit.system().settings().config());
  static ActorRef<ImageRepository.Command> images;
  static final InMemoryFleetStore store = new InMemoryFleetStore();

  TestProbe<Director.Command> directors;
  TestProbe<CampaignRegistry.Command> registry;
  EventSourcedBehaviorTestKit<Campaign.Command, Campaign.Event, Campaign.State> kit;
  TestGroups groups;

  @BeforeAll
  static void setUpFleet() {
    images = TestGroups.imagesWithEngine20(testKit);
    for (int i = 0; i < 10; i++) {
      FleetProjection.apply(
          store,
          new Director.Registered(
              "VIN" + i,
              i % 2 == 0 ? "Munich" : "Berlin",
              "blue",
              Set.of(),
              "P" + i,
              "00",
              List.of(new Director.EcuInfo("E" + i, "e", "engine", "hw-a", "00", "1.0", 1)),
              Instant.EPOCH));
    }
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    directors = testKit.createTestProbe();
    registry = testKit.createTestProbe();
    PersistenceTestKit.create(testKit.system()).clearAll();
    groups =
        new TestGroups(
            testKit,
            vin -> directors.ref(),
            images,
            registry.ref(),
            FleetQueries.create(testKit.system(), store));
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), Campaign.create("c1", groups.refs));
  }

  static Campaign.Spec spec(TargetFilter filter, String version, WavePlan waves, RolloutPolicy p) {
    return new Campaign.Spec("test", filter, version, waves, p);
  }

  static Campaign.Spec valid() {
    return spec(
        TargetFilter.ecuType("engine"),
        "2.0",
        WavePlan.percentages(10, 100),
        RolloutPolicy.of(95, 5, Duration.ofMinutes(30)));
  }

  String refusedCreate(Campaign.Spec spec) {
    var r = kit.<StatusReply<Done>>runCommand(replyTo -> new Campaign.Create(spec, replyTo));
    assertTrue(r.hasNoEvents(), "nothing persisted for a refused create");
    return r.reply().getError().getMessage();
  }

  @Test
  void badSpecsAreRefusedNamingTheField() {
    assertEquals(
        "failureThreshold: must be within 0..100, was 140",
        refusedCreate(
            spec(
                TargetFilter.ecuType("engine"),
                "2.0",
                WavePlan.percentages(100),
                RolloutPolicy.of(95, 140, Duration.ZERO))));
    assertEquals(
        "waves.percentages: do not add up to 100 % (last cumulative share was 60.0)",
        refusedCreate(
            spec(
                TargetFilter.ecuType("engine"),
                "2.0",
                WavePlan.percentages(10, 60),
                RolloutPolicy.of(95, 5, Duration.ZERO))));
    String unknown =
        refusedCreate(
            spec(
                TargetFilter.ecuType("engine"),
                "9.9",
                WavePlan.percentages(100),
                RolloutPolicy.of(95, 5, Duration.ZERO)));
    assertTrue(
        unknown.startsWith("firmware: no image engine 9.9 in the image repository"), unknown);
    assertEquals(
        "filter.hardwareIds: image engine/2.0.img fits [hw-a], not hw-z",
        refusedCreate(
            spec(
                TargetFilter.ecuType("engine").withHardwareIds("hw-z"),
                "2.0",
                WavePlan.percentages(100),
                RolloutPolicy.of(95, 5, Duration.ZERO))));
    var pause = kit.<StatusReply<Done>>runCommand(replyTo -> new Campaign.Pause("x", replyTo));
    assertEquals(
        "status: cannot pause a campaign that is not created",
        pause.reply().getError().getMessage());
  }

  @Test
  void aCampaignIsCreatedOnceAndItsFilterMustMatch() {
    var created =
        kit.<StatusReply<Done>>runCommand(replyTo -> new Campaign.Create(valid(), replyTo));
    assertTrue(created.reply().isSuccess());
    assertTrue(created.events().get(0) instanceof Campaign.Created);
    assertEquals("campaign: c1 already exists", refusedCreate(valid()));

    var resume = kit.<StatusReply<Done>>runCommand(replyTo -> new Campaign.Resume(false, replyTo));
    assertEquals(
        "status: cannot resume a campaign that is DRAFT", resume.reply().getError().getMessage());
    assertTrue(resume.hasNoEvents());
  }

  @Test
  void aFilterThatMatchesNoVehicleCannotStart() {
    Campaign.Spec nowhere =
        spec(
            TargetFilter.ecuType("engine").inRegions("Atlantis"),
            "2.0",
            WavePlan.percentages(100),
            RolloutPolicy.of(95, 5, Duration.ZERO));
    assertTrue(
        kit.<StatusReply<Done>>runCommand(replyTo -> new Campaign.Create(nowhere, replyTo))
            .reply()
            .isSuccess());
    var start = kit.<StatusReply<CampaignProgress>>runCommand(Campaign.Start::new);
    assertTrue(
        start.reply().getError().getMessage().startsWith("filter: matches no vehicle"),
        start.reply().getError().getMessage());
    assertTrue(start.hasNoEvents());
    directors.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void regionWavesMustCoverEveryTarget() {
    Campaign.Spec munichOnly =
        spec(
            TargetFilter.ecuType("engine"),
            "2.0",
            WavePlan.regions("Munich"),
            RolloutPolicy.of(95, 5, Duration.ZERO));
    kit.<StatusReply<Done>>runCommand(replyTo -> new Campaign.Create(munichOnly, replyTo));
    var start = kit.<StatusReply<CampaignProgress>>runCommand(Campaign.Start::new);
    assertTrue(
        start.reply().getError().getMessage().startsWith("waves.regions: do not add up"),
        start.reply().getError().getMessage());
    assertTrue(start.hasNoEvents());
  }

  @Test
  void startOrdersTargetsBySeedAndAssignsTheFirstWave() {
    kit.<StatusReply<Done>>runCommand(replyTo -> new Campaign.Create(valid(), replyTo));
    var start = kit.<StatusReply<CampaignProgress>>runCommand(Campaign.Start::new);
    assertTrue(start.reply().isSuccess());
    Campaign.Started started = (Campaign.Started) start.events().get(0);
    assertEquals(List.of(1, 9), started.waveSizes());
    assertEquals(List.of(List.of(1), List.of(9)), started.waves());
    Director.Assign assign = (Director.Assign) directors.receiveMessage();
    assertEquals("c1", assign.campaignId());
    assertEquals("2.0", assign.image().version());
    assertEquals(new CampaignRegistry.Running("c1"), registry.receiveMessage());
    // The same seed and campaign id give the same order on every node and every run.
    List<CampaignTargets.Member> first = groups.state("c1", 1).init().members();
    PersistenceTestKit.create(testKit.system()).clearAll();
    TestGroups otherNode =
        new TestGroups(
            testKit,
            vin -> testKit.<Director.Command>createTestProbe().ref(),
            images,
            testKit.<CampaignRegistry.Command>createTestProbe().ref(),
            FleetQueries.create(testKit.system(), store));
    var again =
        EventSourcedBehaviorTestKit.<Campaign.Command, Campaign.Event, Campaign.State>create(
            testKit.system(), Campaign.create("c1", otherNode.refs));
    again.<StatusReply<Done>>runCommand(replyTo -> new Campaign.Create(valid(), replyTo));
    var start2 = again.<StatusReply<CampaignProgress>>runCommand(Campaign.Start::new);
    assertEquals(started.waves(), ((Campaign.Started) start2.events().get(0)).waves());
    assertEquals(first, otherNode.state("c1", 1).init().members());
  }

  @Test
  void outcomesLostWithARestartComeAgainAndAreCountedOnce() {
    assertTrue(
        kit.<StatusReply<Done>>runCommand(replyTo -> new Campaign.Create(valid(), replyTo))
            .reply()
            .isSuccess());
    var started = kit.<StatusReply<CampaignProgress>>runCommand(Campaign.Start::new);
    assertTrue(started.reply().isSuccess(), () -> started.reply().toString());
    // The canary (10 % of 10 vehicles) is one vehicle; its Director accepts the assignment.
    Director.Assign assign = directors.expectMessageClass(Director.Assign.class);
    assertEquals("c1#0/1", assign.assignmentId());
    assign.replyTo().tell(StatusReply.ack());
    groups.forwardReplies(kit, 1);
    String vin = groups.state("c1", 0).init().members().get(0).vin();
    clock.advance(FLUSH);
    assertEquals(CampaignTargets.Stage.ASSIGNED, groups.state("c1", 0).target(vin).stage());
    assertEquals(1, kit.getState().wave(0).inProgress());

    TestProbe<Director.Command> director = testKit.createTestProbe();
    Director.Outcome ok =
        new Director.Outcome(
            "c1#0/1", "c1", vin, UpdateOutcome.SUCCEEDED, "", "2.0", Instant.EPOCH);
    // Gathered, not written yet: a crash now loses it, and it is not acknowledged.
    var buffered = kit.runCommand(new Campaign.RecordOutcome(ok, director.ref()));
    assertTrue(buffered.hasNoEvents());
    kit.restart();
    director.expectNoMessage(Duration.ofMillis(100));
    assertEquals(CampaignTargets.Stage.ASSIGNED, groups.state("c1", 0).target(vin).stage());

    // The Director sends it again (it was never acknowledged), twice even: counted once.
    long recordedBefore = recorded();
    kit.runCommand(new Campaign.RecordOutcome(ok, director.ref()));
    kit.runCommand(new Campaign.RecordOutcome(ok, director.ref()));
    director.expectNoMessage(Duration.ofMillis(50));
    clock.advance(FLUSH);
    assertEquals(1, recorded() - recordedBefore);
    assertEquals(new Director.OutcomeAck("c1#0/1"), director.receiveMessage());
    assertEquals(new Director.OutcomeAck("c1#0/1"), director.receiveMessage());
    assertEquals(UpdateOutcome.SUCCEEDED, groups.state("c1", 0).target(vin).outcome());
    assertEquals(1, kit.getState().wave(0).succeeded());
    // An outcome for another attempt or an unknown vehicle changes nothing, and is acknowledged.
    kit.runCommand(
        new Campaign.RecordOutcome(
            new Director.Outcome(
                "c1#0/7", "c1", vin, UpdateOutcome.FAILED, "", "1.0", Instant.EPOCH),
            director.ref()));
    int written = kit.persistenceTestKit().persistedInStorage(PERSISTENCE_ID).size();
    int inGroup = kit.persistenceTestKit().persistedInStorage(GROUP_0).size();
    clock.advance(FLUSH);
    assertEquals(new Director.OutcomeAck("c1#0/7"), director.receiveMessage());
    assertEquals(written, kit.persistenceTestKit().persistedInStorage(PERSISTENCE_ID).size());
    assertEquals(inGroup, kit.persistenceTestKit().persistedInStorage(GROUP_0).size());
    assertEquals(1, kit.getState().progress().count(UpdateOutcome.SUCCEEDED));
  }

  static final String PERSISTENCE_ID = Campaign.TYPE_KEY.name() + "|c1";
  static final String GROUP_0 = CampaignTargets.TYPE_KEY.name() + "|c1#0";

  /** OutcomeRecorded events in the journal of the campaign's first group. */
  long recorded() {
    return kit.persistenceTestKit().persistedInStorage(GROUP_0).stream()
        .filter(CampaignTargets.OutcomeRecorded.class::isInstance)
        .count();
  }

  @Test
  void aRestartAssignsAgainOnlyWhatWasNeverAnsweredInTheWavesStartedSoFar() {
    assertTrue(
        kit.<StatusReply<Done>>runCommand(replyTo -> new Campaign.Create(valid(), replyTo))
            .reply()
            .isSuccess());
    assertTrue(
        kit.<StatusReply<CampaignProgress>>runCommand(Campaign.Start::new).reply().isSuccess());
    // The canary is one of ten vehicles; the nine of wave 2 wait for its gate.
    Director.Assign first = directors.expectMessageClass(Director.Assign.class);
    directors.expectNoMessage(Duration.ofMillis(200));
    kit.restart();
    Director.Assign again = directors.expectMessageClass(Director.Assign.class);
    assertEquals(first.assignmentId(), again.assignmentId());
    assertEquals(first.image(), again.image());
    directors.expectNoMessage(Duration.ofMillis(300));
  }
}
