package io.fleetsim.cloud;

import io.fleetsim.uptane.repository.Expiries;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/**
 * The target groups of a campaign run under {@link EventSourcedBehaviorTestKit}: real {@link
 * CampaignTargets} entities on the test's journal, whose messages to the campaign go to a probe the
 * test passes on to the kit ({@link #forwardReplies}).
 */
final class TestGroups {
  final ActorTestKit testKit;
  final TestProbe<Campaign.Command> toCampaign;
  final Map<String, ActorRef<CampaignTargets.Command>> groups = new ConcurrentHashMap<>();
  final CloudRefs refs;

  TestGroups(
      ActorTestKit testKit,
      Function<String, RecipientRef<Director.Command>> directors,
      RecipientRef<ImageRepository.Command> images,
      RecipientRef<CampaignRegistry.Command> registry,
      FleetQueries fleet) {
    this.testKit = testKit;
    this.toCampaign = testKit.createTestProbe();
    this.refs =
        new CloudRefs(directors, id -> toCampaign.ref(), this::group, images, registry, fleet);
  }

  private RecipientRef<CampaignTargets.Command> group(String id) {
    return groups.computeIfAbsent(id, k -> testKit.spawn(CampaignTargets.create(k, refs)));
  }

  /** An image repository with engine 2.0 (hardware hw-a) published. */
  static ActorRef<ImageRepository.Command> imagesWithEngine20(ActorTestKit testKit) {
    ActorRef<ImageRepository.Command> images =
        testKit.spawn(
            ImageRepository.create(
                "images", new ImageRepository.Settings(1 << 20, List.of(), Expiries.defaults())));
    TestProbe<StatusReply<FirmwareImage>> probe = testKit.createTestProbe();
    images.tell(
        new ImageRepository.Publish("engine", List.of("hw-a"), "2.0", 1, null, 100, probe.ref()));
    if (!probe.receiveMessage().isSuccess()) {
      throw new AssertionError("engine 2.0 was not published");
    }
    return images;
  }

  /** Vehicles VIN0 to VIN{n-1} in Munich, each with one engine ECU at 1.0. */
  static void register(FleetStore store, int n) {
    for (int i = 0; i < n; i++) {
      FleetProjection.apply(
          store,
          new Director.Registered(
              "VIN" + i,
              "Munich",
              "blue",
              Set.of(),
              "P" + i,
              "00",
              List.of(new Director.EcuInfo("E" + i, "e", "engine", "hw-a", "00", "1.0", 1)),
              Instant.EPOCH));
    }
  }

  /** Stops the group's actor: the next message starts it again from its journal. */
  void restart(String id) {
    ActorRef<CampaignTargets.Command> g = groups.remove(id);
    if (g != null) {
      testKit.stop(g);
    }
  }

  /** Passes {@code n} Director answers, as the groups sent them, to the campaign under test. */
  void forwardReplies(
      EventSourcedBehaviorTestKit<Campaign.Command, Campaign.Event, Campaign.State> kit, int n) {
    for (int i = 0; i < n; i++) {
      kit.runCommand(toCampaign.expectMessageClass(Campaign.AssignmentReplied.class));
    }
  }

  /** The state of group {@code n} of {@code campaignId}. */
  CampaignTargets.State state(String campaignId, int n) {
    TestProbe<CampaignTargets.State> probe = testKit.createTestProbe();
    group(CampaignTargets.groupId(campaignId, n)).tell(new CampaignTargets.GetState(probe.ref()));
    return probe.receiveMessage();
  }
}
