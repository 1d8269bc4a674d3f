package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.SingleNode;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A campaign over more vehicles than one target group holds: every vehicle counted once, also
 * across restarts of a group and of the campaign, and a campaign state that holds no vehicle.
 */
class CampaignTargetsTest {
  static final int FLEET = 10;
  static final ActorTestKit testKit =
      ActorTestKit.create(
          "CampaignTargetsTest",
          com.typesafe.config.ConfigFactory.parseString(
                  "fleetsim.time.mode = manual\nfleetsim.cloud.campaign-group-size = 3")
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(SingleNode.config("CampaignTargetsTest")));
  static final SimClock clock = SimClock.get(testKit.system());
  static final Duration FLUSH = Campaign.flushAfter(testKit.system().settings().config());
  static final Duration SOAK = Duration.ofMinutes(30);
  static final String ID = "big";
  static final InMemoryFleetStore store = new InMemoryFleetStore();
  static ActorRef<ImageRepository.Command> images;

  @BeforeAll
  static void setUpFleet() {
    images = TestGroups.imagesWithEngine20(testKit);
    TestGroups.register(store, FLEET);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aCampaignOverSeveralGroupsCompletesWithEveryVehicleCountedOnce() {
    PersistenceTestKit.create(testKit.system()).clearAll();
    TestProbe<Director.Command> directors = testKit.createTestProbe();
    TestProbe<Director.Command> ackTo = testKit.createTestProbe();
    TestGroups groups =
        new TestGroups(
            testKit,
            vin -> directors.ref(),
            images,
            testKit.<CampaignRegistry.Command>createTestProbe().ref(),
            FleetQueries.create(testKit.system(), store));
    EventSourcedBehaviorTestKit<Campaign.Command, Campaign.Event, Campaign.State> kit =
        EventSourcedBehaviorTestKit.create(testKit.system(), Campaign.create(ID, groups.refs));
    Campaign.Spec spec =
        new Campaign.Spec(
            "big",
            TargetFilter.ecuType("engine"),
            "2.0",
            WavePlan.percentages(30, 100),
            RolloutPolicy.of(95, 5, SOAK));
    assertTrue(
        kit.<StatusReply<Done>>runCommand(r -> new Campaign.Create(spec, r)).reply().isSuccess());
    var start = kit.<StatusReply<CampaignProgress>>runCommand(Campaign.Start::new);
    assertTrue(start.reply().isSuccess());
    // 3 + 7 vehicles in groups of at most 3: wave 1 is group 0, wave 2 groups 1 to 3.
    assertEquals(
        List.of(List.of(3), List.of(3, 3, 1)), ((Campaign.Started) start.events().get(0)).waves());

    // Wave 1: every Director accepts, every vehicle succeeds, each outcome is sent twice.
    acceptAll(directors, groups, kit, 3);
    clock.advance(FLUSH);
    reportAll(groups, kit, ackTo, List.of(0));
    clock.advance(FLUSH);
    assertEquals(3, kit.getState().wave(0).succeeded());
    assertEquals(6, ackTo.receiveSeveralMessages(6).size());

    // The group and the campaign restart; a Director sends an outcome again: counted once.
    long recorded = recorded(3);
    groups.restart(CampaignTargets.groupId(ID, 0));
    kit.restart();
    reportAll(groups, kit, ackTo, List.of(0));
    clock.advance(FLUSH);
    assertEquals(6, ackTo.receiveSeveralMessages(6).size());
    assertEquals(recorded, recorded(3));
    assertEquals(3, kit.getState().wave(0).succeeded());
    directors.expectNoMessage(Duration.ofMillis(200));

    // The soak ends: wave 2 (three groups) is assigned, succeeds, and the campaign completes.
    clock.advance(SOAK);
    assertEquals(1, kit.getState().currentWave());
    acceptAll(directors, groups, kit, 7);
    clock.advance(FLUSH);
    reportAll(groups, kit, ackTo, List.of(1, 2, 3));
    clock.advance(FLUSH);
    assertEquals(Campaign.Status.RUNNING, kit.getState().status(), "the last wave soaks too");
    assertEquals(7, kit.getState().wave(1).succeeded());
    clock.advance(SOAK);
    assertEquals(Campaign.Status.COMPLETED, kit.getState().status());
    CampaignProgress p = kit.getState().progress();
    assertEquals(FLEET, p.targeted());
    assertEquals(FLEET, p.count(UpdateOutcome.SUCCEEDED));
    assertEquals(FLEET, p.settled());
    assertEquals(FLEET, recorded(4), "one OutcomeRecorded per vehicle over all groups");

    // The campaign's state names no vehicle: the groups hold them.
    String state =
        new String(
            SerializationExtension.get(Adapter.toClassic(testKit.system()))
                .serialize(kit.getState())
                .get(),
            StandardCharsets.UTF_8);
    for (int i = 0; i < FLEET; i++) {
      assertFalse(state.contains("VIN" + i), state);
    }
  }

  /** Its size follows the number of groups, not of vehicles: one or a thousand in a group. */
  @Test
  void theCampaignSnapshotDoesNotGrowWithItsVehicles() {
    for (var c : Campaign.State.class.getRecordComponents()) {
      assertFalse(Map.class.isAssignableFrom(c.getType()), c.getName() + " is a map");
    }
    // CBOR writes 999 in two bytes more than 1, in each of its four counts.
    assertEquals(serializedSize(1), serializedSize(999), 16);
  }

  int serializedSize(int vehicles) {
    Campaign.State s =
        new Campaign.State(
            ID,
            Campaign.Status.RUNNING,
            null,
            null,
            List.of(List.of(vehicles)),
            List.of(
                new CampaignTargets.Report(
                    0,
                    vehicles,
                    new CampaignTargets.Tally(
                        vehicles, 0, 0, Map.of(UpdateOutcome.SUCCEEDED, vehicles)))),
            0,
            true,
            null,
            List.of());
    return SerializationExtension.get(Adapter.toClassic(testKit.system()))
        .serialize(s)
        .get()
        .length;
  }

  static void acceptAll(
      TestProbe<Director.Command> directors,
      TestGroups groups,
      EventSourcedBehaviorTestKit<Campaign.Command, Campaign.Event, Campaign.State> kit,
      int n) {
    for (int i = 0; i < n; i++) {
      directors.expectMessageClass(Director.Assign.class).replyTo().tell(StatusReply.ack());
    }
    groups.forwardReplies(kit, n);
  }

  static void reportAll(
      TestGroups groups,
      EventSourcedBehaviorTestKit<Campaign.Command, Campaign.Event, Campaign.State> kit,
      TestProbe<Director.Command> ackTo,
      List<Integer> groupNumbers) {
    List<Campaign.RecordOutcome> outcomes = new ArrayList<>();
    for (int g : groupNumbers) {
      CampaignTargets.State s = groups.state(ID, g);
      for (CampaignTargets.Member m : s.init().members()) {
        outcomes.add(
            new Campaign.RecordOutcome(
                new Director.Outcome(
                    s.assignmentId(m.vin()),
                    ID,
                    m.vin(),
                    UpdateOutcome.SUCCEEDED,
                    "",
                    "2.0",
                    clock.now()),
                ackTo.ref()));
      }
    }
    // Sent twice, as a Director does that is not acknowledged in time.
    outcomes.forEach(kit::runCommand);
    outcomes.forEach(kit::runCommand);
  }

  long recorded(int groupCount) {
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    long n = 0;
    for (int g = 0; g < groupCount; g++) {
      n +=
          journal
              .persistedInStorage(
                  CampaignTargets.TYPE_KEY.name() + "|" + CampaignTargets.groupId(ID, g))
              .stream()
              .filter(CampaignTargets.OutcomeRecorded.class::isInstance)
              .count();
    }
    return n;
  }
}
