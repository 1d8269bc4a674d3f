package io.fleetsim.cloud;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
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
