package io.fleetsim.cloud;

import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * How the cloud entities reach one another. In a node these are sharding entity refs; entity tests
 * pass probes instead, so each entity can be tested alone.
 */
public record CloudRefs(
    Function<String, RecipientRef<Director.Command>> director,
    Function<String, RecipientRef<Campaign.Command>> campaign,
    Function<String, RecipientRef<CampaignTargets.Command>> targets,
    RecipientRef<ImageRepository.Command> imageRepository,
    RecipientRef<CampaignRegistry.Command> registry,
    FleetQueries fleet) {

  public RecipientRef<Director.Command> director(String vin) {
    return director.apply(vin);
  }

  public RecipientRef<Campaign.Command> campaign(String campaignId) {
    return campaign.apply(campaignId);
  }

  /** A campaign's target group, by its entity id ({@link CampaignTargets#groupId}). */
  public RecipientRef<CampaignTargets.Command> targets(String groupId) {
    return targets.apply(groupId);
  }

  public static CloudRefs sharded(
      ActorSystem<?> system, String imageRepositoryId, FleetQueries fleet) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return new CloudRefs(
        vin -> sharding.entityRefFor(Director.TYPE_KEY, vin),
        id -> sharding.entityRefFor(Campaign.TYPE_KEY, id),
        id -> sharding.entityRefFor(CampaignTargets.TYPE_KEY, id),
        sharding.entityRefFor(ImageRepository.TYPE_KEY, imageRepositoryId),
        sharding.entityRefFor(CampaignRegistry.TYPE_KEY, CampaignRegistry.ENTITY_ID),
        fleet);
  }
}
