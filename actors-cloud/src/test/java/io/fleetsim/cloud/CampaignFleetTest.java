package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cluster.SingleNode;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A campaign over 200 registered vehicles on a one-node cluster, with every vehicle faked at the
 * Director boundary by real signed manifests, and simulated time under the test's control (a manual
 * clock: it moves only when the test advances it).
 */
class CampaignFleetTest {
  static final int FLEET = 200;
  static final Duration SOAK = Duration.ofHours(1);

  static ActorTestKit testKit;
  static SimClock clock;
  static Duration flush;
  static CloudSharding.Cloud cloud;
  static final ConcurrentLinkedQueue<String> notified = new ConcurrentLinkedQueue<>();
  static final Map<String, FakeVehicle> cars = new LinkedHashMap<>();
  static FirmwareImage v1;
  static FirmwareImage v2;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "CampaignFleetTest",
            ConfigFactory.parseString(
                    // 200 vehicles in groups of 16: a wave spans several target groups
                    "fleetsim.time.mode = manual\nfleetsim.cloud.campaign-group-size = 16")
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(SingleNode.config("CampaignFleetTest")));
    clock = SimClock.get(testKit.system());
    flush = Campaign.flushAfter(testKit.system().settings().config());
    SingleNode.joinSelf(testKit.system());
    pump(
        () -> assertEquals(MemberStatus.up(), Cluster.get(testKit.system()).selfMember().status()));
    cloud =
        CloudSharding.init(
            testKit.system(),
            (vin, campaignId) -> notified.add(campaignId + ":" + vin),
            new InMemoryFleetStore(),
            "pekko.persistence.testkit.query",
            false);
    v1 = publish("1.0", 200);
    v2 = publish("2.0", 200);
    for (int i = 0; i < FLEET; i++) {
      String vin = String.format("WVW%05d", i);
      cars.put(vin, new FakeVehicle(vin, i % 2 == 0 ? "Munich" : "Berlin", "hw-a", "1.0"));
    }
    List<StatusReply<Done>> registered =
        TestProbeReplies.<StatusReply<Done>>collect(
            FLEET,
            replyTo ->
                cars.values()
                    .forEach(car -> cloud.refs().director(car.vin).tell(car.register(replyTo))));
    registered.forEach(r -> assertTrue(r.isSuccess(), r::toString));
    pump(
        () ->
            assertEquals(
                FLEET,
                cloud.fleet().count(TargetFilter.ecuType("engine")).toCompletableFuture().join()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static FirmwareImage publish(String version, int size) {
    StatusReply<FirmwareImage> r =
        ask(
            cloud.refs().imageRepository(),
            replyTo ->
                new ImageRepository.Publish(
                    "engine", List.of("hw-a"), version, 1, null, size, replyTo));
    return r.getValue();
  }

  static <Q, R> R ask(RecipientRef<Q> ref, Function<ActorRef<R>, Q> msg) {
    return TestProbeReplies.<R>collect(1, replyTo -> ref.tell(msg.apply(replyTo))).get(0);
  }

  /**
   * Sends {@code n} requests at once and gathers the replies. Entities answer at the instant they
   * are asked, so no simulated time passes; the wait is for the work to get done.
   */
  static final class TestProbeReplies {
    static <R> List<R> collect(int n, java.util.function.Consumer<ActorRef<R>> send) {
      TestProbe<R> probe = testKit.createTestProbe();
      send.accept(probe.ref());
      List<R> got = new ArrayList<>();
      probe.awaitAssert(
          Duration.ofSeconds(30),
          Duration.ofMillis(10),
          () -> {
            drain(probe, got);
            assertEquals(n, got.size());
            return null;
          });
      return got;
    }

    private static <R> void drain(TestProbe<R> probe, List<R> into) {
      while (true) {
        try {
          into.add(probe.receiveMessage(Duration.ofMillis(2)));
        } catch (AssertionError noMore) {
          return;
        }
      }
    }
  }

  /**
   * Retries {@code check}, letting one campaign flush delay of simulated time pass before each try
   * so the campaigns write the facts they gathered; far below the soak. (Retried because the fleet
   * read model follows the journal in wall time.)
   */
  static void pump(Runnable check) {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(15),
        Duration.ofMillis(10),
        () -> {
          clock.advance(flush);
          check.run();
          return null;
        });
  }

  static CampaignProgress progress(String id) {
    TestProbe<CampaignProgress> probe = testKit.createTestProbe();
    cloud.refs().campaign(id).tell(new Campaign.GetProgress(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  static Set<String> notifiedFor(String campaignId) {
    Set<String> vins = new HashSet<>();
    for (String n : notified) {
      if (n.startsWith(campaignId + ":")) {
        vins.add(n.substring(campaignId.length() + 1));
      }
    }
    return vins;
  }

  static void reportAll(java.util.Collection<String> vins, Function<FakeVehicle, byte[]> manifest) {
    List<String> order = List.copyOf(vins);
    List<StatusReply<Director.ManifestResult>> replies =
        TestProbeReplies.<StatusReply<Director.ManifestResult>>collect(
            order.size(),
            replyTo ->
                order.forEach(
                    vin ->
                        cloud
                            .refs()
                            .director(vin)
                            .tell(
                                new Director.ReportManifest(
                                    manifest.apply(cars.get(vin)), replyTo))));
    replies.forEach(r -> assertTrue(r.isSuccess(), r::toString));
  }

  static void report(String vin, byte[] manifest) {
    StatusReply<Director.ManifestResult> r =
        ask(cloud.refs().director(vin), replyTo -> new Director.ReportManifest(manifest, replyTo));
    assertTrue(r.isSuccess(), () -> vin + ": " + r);
  }

  /** The id of the vehicle's open assignment, as its Director signed it. */
  static String openId(String vin) {
    StatusReply<Director.VehicleView> view =
        ask(cloud.refs().director(vin), Director.GetVehicle::new);
    return view.getValue().assignments().get(0).assignmentId();
  }

  static StatusReply<Done> command(
      String id, Function<ActorRef<StatusReply<Done>>, Campaign.Command> c) {
    return ask(cloud.refs().campaign(id), c);
  }

  @Test
  void wavesAreGatedByTheSoakAndThresholdsAndCanBeRolledBackAndStopped() {
    Campaign.Spec spec =
        new Campaign.Spec(
            "engine 2.0",
            TargetFilter.ecuType("engine").withCurrentVersions("1.0"),
            "2.0",
            WavePlan.percentages(1, 10, 50, 100),
            RolloutPolicy.of(95, 5, SOAK));
    assertTrue(command("c1", r -> new Campaign.Create(spec, r)).isSuccess());
    StatusReply<CampaignProgress> started = ask(cloud.refs().campaign("c1"), Campaign.Start::new);
    assertEquals(
        List.of(2, 18, 80, 100),
        started.getValue().waves().stream().map(CampaignProgress.Wave::size).toList());

    // Wave 1 (the canary): assigned, notified, installs; the soak still holds the next wave.
    pump(() -> assertEquals(2, notifiedFor("c1").size()));
    List<String> canary = List.copyOf(notifiedFor("c1"));
    reportAll(canary, car -> car.installed(v2, openId(car.vin)));
    pump(() -> assertEquals(2, progress("c1").waves().get(0).succeeded()));
    assertEquals(0, progress("c1").currentWave(), "soak not over yet");
    assertEquals(2, notifiedFor("c1").size(), "no vehicle of wave 2 assigned before the soak");

    clock.advance(SOAK);
    pump(() -> assertEquals(1, progress("c1").currentWave()));
    pump(() -> assertEquals(20, notifiedFor("c1").size()));
    List<String> wave2 = new ArrayList<>(notifiedFor("c1"));
    wave2.removeAll(canary);
    wave2.sort(null);

    // Wave 2: 16 succeed, then one failure is 1 of 18 = 5.6 % >= 5 %: the campaign pauses.
    reportAll(wave2.subList(0, 16), car -> car.installed(v2, openId(car.vin)));
    report(
        wave2.get(16), cars.get(wave2.get(16)).ended(openId(wave2.get(16)), UpdateOutcome.FAILED));
    pump(() -> assertEquals(Campaign.Status.PAUSED, progress("c1").status()));
    CampaignProgress paused = progress("c1");
    assertTrue(
        paused.reason().startsWith("failureThreshold: wave 2 reached 5.6 % failed"),
        paused.reason());
    report(
        wave2.get(17),
        cars.get(wave2.get(17)).ended(openId(wave2.get(17)), UpdateOutcome.ROLLED_BACK));
    pump(() -> assertEquals(1, progress("c1").waves().get(1).count(UpdateOutcome.ROLLED_BACK)));

    StatusReply<Done> resume = command("c1", r -> new Campaign.Resume(false, r));
    assertTrue(
        resume.getError().getMessage().startsWith("failureThreshold: wave 2 is still at 11.1 %"));

    // Retry the two failed vehicles; they succeed this time and the campaign may go on.
    notified.clear();
    StatusReply<Integer> retried = ask(cloud.refs().campaign("c1"), Campaign.RetryFailed::new);
    assertEquals(2, retried.getValue());
    pump(() -> assertEquals(Set.copyOf(wave2.subList(16, 18)), notifiedFor("c1")));
    pump(() -> assertEquals(2, progress("c1").waves().get(1).inProgress()));
    reportAll(wave2.subList(16, 18), car -> car.installed(v2, openId(car.vin)));
    pump(() -> assertEquals(18, progress("c1").waves().get(1).succeeded()));
    assertTrue(command("c1", r -> new Campaign.Resume(false, r)).isSuccess());
    assertEquals(Campaign.Status.RUNNING, progress("c1").status());
    clock.advance(SOAK);
    pump(() -> assertEquals(2, progress("c1").currentWave()));
    Set<String> retriedOrWave3 = new HashSet<>();
    pump(
        () -> {
          retriedOrWave3.clear();
          retriedOrWave3.addAll(notifiedFor("c1"));
          retriedOrWave3.removeAll(wave2);
          assertEquals(80, retriedOrWave3.size());
        });

    // While wave 3's assignments are open, a second campaign for the same ECU is refused.
    Set<String> wave3 = Set.copyOf(retriedOrWave3);
    String someWave3Vin = wave3.iterator().next();
    pump(() -> assertEquals(80, progress("c1").waves().get(2).inProgress()));
    // The read model has seen the 20 updated vehicles, so the second campaign targets only
    // vehicles still on 1.0: those in c1's open wave 3 (refused) and in its wave 4.
    pump(
        () ->
            assertEquals(
                20,
                cloud
                    .fleet()
                    .count(TargetFilter.ecuType("engine").withCurrentVersions("2.0"))
                    .toCompletableFuture()
                    .join()));
    Campaign.Spec conflicting =
        new Campaign.Spec(
            "engine 2.0 again",
            TargetFilter.ecuType("engine")
                .inRegions(cars.get(someWave3Vin).region)
                .withCurrentVersions("1.0"),
            "2.0",
            WavePlan.percentages(100),
            RolloutPolicy.of(95, 5, SOAK));
    assertTrue(command("c2", r -> new Campaign.Create(conflicting, r)).isSuccess());
    assertTrue(ask(cloud.refs().campaign("c2"), Campaign.Start::new).isSuccess());
    pump(() -> assertTrue(progress("c2").reasons().containsKey(someWave3Vin)));
    assertTrue(
        progress("c2").reasons().get(someWave3Vin).startsWith("REFUSED: ")
            && progress("c2")
                .reasons()
                .get(someWave3Vin)
                .contains("already assigned by campaign c1"),
        progress("c2").reasons().get(someWave3Vin));

    reportAll(wave3, car -> car.installed(v2, openId(car.vin)));
    pump(() -> assertEquals(80, progress("c1").waves().get(2).succeeded()));

    // Emergency stop halts both running campaigns at once.
    StatusReply<List<String>> stopped =
        ask(cloud.refs().registry(), r -> new CampaignRegistry.EmergencyStop("bad batch", r));
    assertEquals(List.of("c1", "c2"), stopped.getValue());
    pump(() -> assertEquals(Campaign.Status.PAUSED, progress("c1").status()));
    pump(() -> assertEquals(Campaign.Status.PAUSED, progress("c2").status()));
    assertEquals("emergency stop: bad batch", progress("c1").reason());
    clock.advance(SOAK);
    assertEquals(2, progress("c1").currentWave(), "a halted campaign does not advance");

    // Rollback: a campaign of its own assigns the 1.0 image, published again under a higher
    // release counter, to the 100 vehicles c1 updated (2 + 18 + 80).
    notified.clear();
    StatusReply<List<String>> rolledBack = ask(cloud.refs().campaign("c1"), Campaign.Rollback::new);
    assertEquals(List.of("c1-rollback-1"), rolledBack.getValue());
    assertEquals(Campaign.Status.ROLLED_BACK, progress("c1").status());
    assertEquals(List.of("c1-rollback-1"), progress("c1").rolledBackBy());
    CampaignProgress rb = progress("c1-rollback-1");
    assertEquals("c1", rb.undoes());
    assertEquals(100, rb.targeted());
    pump(() -> assertEquals(100, notifiedFor("c1-rollback-1").size()));
    StatusReply<Director.VehicleView> view =
        ask(cloud.refs().director(canary.get(0)), Director.GetVehicle::new);
    Director.Assignment back = view.getValue().assignments().get(0);
    assertEquals("1.0+r2", back.image().version());
    assertEquals(2, back.image().releaseCounter(), "above the 1 that 2.0 carries");
    assertEquals(v1.sha256(), back.image().sha256(), "the very bytes of 1.0");
    report(canary.get(0), cars.get(canary.get(0)).installed(back.image(), back.assignmentId()));
    pump(() -> assertEquals(1, progress("c1-rollback-1").count(UpdateOutcome.SUCCEEDED)));
    // Asking again does not start a second rollback.
    StatusReply<List<String>> twice = ask(cloud.refs().campaign("c1"), Campaign.Rollback::new);
    assertTrue(twice.isError());
  }
}
