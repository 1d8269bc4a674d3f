package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cluster.SingleNode;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A campaign's simulated timeline to the millisecond, on a manual clock: the next wave starts at
 * the instant the soak ends when the wave's outcomes are in by then, and otherwise exactly {@code
 * campaign-flush-after} after the outcome that passes the gate; a fact is counted that long after
 * it arrived, never earlier.
 */
class CampaignTimelineTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          "CampaignTimelineTest",
          ConfigFactory.parseString("fleetsim.time.mode = manual")
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(SingleNode.config("CampaignTimelineTest")));
  static final SimClock clock = SimClock.get(testKit.system());
  static final Duration FLUSH = Campaign.flushAfter(testKit.system().settings().config());
  static final Duration SOAK = Duration.ofMinutes(30);
  static final String ID = "timeline";
  static final InMemoryFleetStore store = new InMemoryFleetStore();
  static ActorRef<ImageRepository.Command> images;

  @BeforeAll
  static void setUpFleet() {
    images = TestGroups.imagesWithEngine20(testKit);
    TestGroups.register(store, 10);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void wavesFollowTheSoakAndTheFlushDelayToTheMillisecond() {
    TestProbe<Director.Command> directors = testKit.createTestProbe();
    TestProbe<Director.Command> ackTo = testKit.createTestProbe();
    TestProbe<CampaignRegistry.Command> registry = testKit.createTestProbe();
    TestGroups groups =
        new TestGroups(
            testKit,
            vin -> directors.ref(),
            images,
            registry.ref(),
            FleetQueries.create(testKit.system(), store));
    EventSourcedBehaviorTestKit<Campaign.Command, Campaign.Event, Campaign.State> kit =
        EventSourcedBehaviorTestKit.create(testKit.system(), Campaign.create(ID, groups.refs));
    Campaign.Spec spec =
        new Campaign.Spec(
            "timeline",
            TargetFilter.ecuType("engine"),
            "2.0",
            WavePlan.percentages(10, 100),
            RolloutPolicy.of(95, 5, SOAK));
    assertTrue(
        kit.<StatusReply<Done>>runCommand(r -> new Campaign.Create(spec, r)).reply().isSuccess());

    // Wave 1 (one vehicle) starts now; its Director accepts at once.
    Instant t0 = clock.now();
    assertTrue(
        kit.<StatusReply<CampaignProgress>>runCommand(Campaign.Start::new).reply().isSuccess());
    assertEquals(t0, waveStarted(kit, 0).at());
    Director.Assign canary = directors.expectMessageClass(Director.Assign.class);
    canary.replyTo().tell(StatusReply.ack());
    groups.forwardReplies(kit, 1);
    String canaryVin = groups.state(ID, 0).init().members().get(0).vin();

    // The vehicle reports success 10 minutes in: counted exactly one flush delay later.
    clock.advance(Duration.ofMinutes(10));
    kit.runCommand(outcome(canaryVin, canary.assignmentId(), ackTo));
    clock.advance(FLUSH.minusMillis(1));
    assertEquals(CampaignTargets.Stage.ASSIGNED, groups.state(ID, 0).target(canaryVin).stage());
    ackTo.expectNoMessage(Duration.ofMillis(20));
    clock.advance(Duration.ofMillis(1));
    assertEquals(UpdateOutcome.SUCCEEDED, groups.state(ID, 0).target(canaryVin).outcome());
    assertEquals(1, kit.getState().wave(0).succeeded());
    assertEquals(new Director.OutcomeAck(canary.assignmentId()), ackTo.receiveMessage());

    // The gate holds until the soak is over, and opens at that very instant.
    Instant soakEnd = t0.plus(SOAK);
    clock.advance(Duration.between(clock.now(), soakEnd).minusMillis(1));
    assertEquals(0, kit.getState().currentWave());
    directors.expectNoMessage(Duration.ofMillis(20));
    clock.advance(Duration.ofMillis(1));
    assertEquals(1, kit.getState().currentWave());
    Instant t1 = waveStarted(kit, 1).at();
    assertEquals(soakEnd, t1);
    for (int i = 0; i < 9; i++) {
      directors.expectMessageClass(Director.Assign.class).replyTo().tell(StatusReply.ack());
    }
    groups.forwardReplies(kit, 9);

    // Wave 2 reports only 5 minutes after its soak ended: the campaign completes one flush delay
    // after those outcomes arrived.
    clock.advance(SOAK.plusMinutes(5));
    assertEquals(Campaign.Status.RUNNING, kit.getState().status());
    Instant reported = clock.now();
    assertEquals(t1.plus(SOAK).plus(Duration.ofMinutes(5)), reported);
    CampaignTargets.State running = groups.state(ID, 1);
    for (CampaignTargets.Member m : running.init().members()) {
      assertEquals(CampaignTargets.Stage.ASSIGNED, running.target(m.vin()).stage());
      kit.runCommand(outcome(m.vin(), running.assignmentId(m.vin()), ackTo));
    }
    clock.advance(FLUSH.minusMillis(1));
    assertEquals(Campaign.Status.RUNNING, kit.getState().status());
    clock.advance(Duration.ofMillis(1));
    assertEquals(Campaign.Status.COMPLETED, kit.getState().status());
    Campaign.Completed done =
        events(kit).stream()
            .filter(Campaign.Completed.class::isInstance)
            .map(Campaign.Completed.class::cast)
            .findFirst()
            .orElseThrow();
    assertEquals(reported.plus(FLUSH), done.at());
    assertEquals(10, kit.getState().progress().count(UpdateOutcome.SUCCEEDED));
  }

  Campaign.RecordOutcome outcome(String vin, String assignmentId, TestProbe<Director.Command> ack) {
    return new Campaign.RecordOutcome(
        new Director.Outcome(
            assignmentId, ID, vin, UpdateOutcome.SUCCEEDED, "", "2.0", clock.now()),
        ack.ref());
  }

  static List<Object> events(
      EventSourcedBehaviorTestKit<Campaign.Command, Campaign.Event, Campaign.State> kit) {
    return kit.persistenceTestKit().persistedInStorage(Campaign.TYPE_KEY.name() + "|" + ID);
  }

  static Campaign.WaveStarted waveStarted(
      EventSourcedBehaviorTestKit<Campaign.Command, Campaign.Event, Campaign.State> kit, int wave) {
    return events(kit).stream()
        .filter(Campaign.WaveStarted.class::isInstance)
        .map(Campaign.WaveStarted.class::cast)
        .filter(w -> w.wave() == wave)
        .findFirst()
        .orElseThrow();
  }
}
