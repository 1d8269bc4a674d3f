package io.fleetsim.cloud;

import io.fleetsim.cluster.EntitySharding;
import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.UniqueKillSwitch;

/**
 * The cloud's one entry point for a node: initialises sharding for ImageRepository, Director,
 * Campaign, its target groups (CampaignTargets) and the CampaignRegistry, and starts the fleet read
 * model. What callers need later (entity refs, fleet queries) is in the returned {@link Cloud}.
 */
public final class CloudSharding {

  private CloudSharding() {}

  /** What {@link #init} started. */
  public record Cloud(
      CloudRefs refs, FleetQueries fleet, DirectorKeys directorKeys, UniqueKillSwitch readModel) {}

  /**
   * Uses {@code fleetsim.cloud.*}: the read model in the journal's database (or in memory), fed
   * from {@code fleetsim.cloud.read-journal}.
   */
  public static Cloud init(ActorSystem<?> system, VehicleNotifier notifier) {
    var config = system.settings().config().getConfig("fleetsim.cloud");
    FleetStore store =
        config.getString("read-model").equals("memory")
            ? new InMemoryFleetStore()
            : JdbcFleetStore.fromConfig(system.settings().config());
    // The JDBC read journal orders tagged events globally, so the projection can resume.
    return init(system, notifier, store, config.getString("read-journal"), true);
  }

  /**
   * As {@link #init(ActorSystem, VehicleNotifier)} with an explicit store and read journal (tests
   * use the in-memory store over the persistence testkit's journal).
   */
  public static Cloud init(
      ActorSystem<?> system,
      VehicleNotifier notifier,
      FleetStore store,
      String readJournalPluginId,
      boolean globalOffsets) {
    FleetQueries fleet = FleetQueries.create(system, store);
    String imagesId = system.settings().config().getString("fleetsim.cloud.image-repository-id");
    DirectorKeys keys = DirectorKeys.get(system);
    ClusterSharding sharding = ClusterSharding.get(system);
    // Entity refs resolve at call time, so the regions referring to each other can start in
    // any order; only the two single refs below need their region first.
    Function<String, RecipientRef<Campaign.Command>> campaigns =
        id -> sharding.entityRefFor(Campaign.TYPE_KEY, id);
    EntitySharding.init(
        system, ImageRepository.TYPE_KEY, ctx -> ImageRepository.create(ctx.getEntityId()));
    EntitySharding.init(
        system, CampaignRegistry.TYPE_KEY, ctx -> CampaignRegistry.create(campaigns));
    CloudRefs refs = CloudRefs.sharded(system, imagesId, fleet);
    EntitySharding.initHomed(
        system,
        Director.TYPE_KEY,
        home -> Director.create(home.entityId(), keys, notifier, campaigns, home));
    EntitySharding.init(system, Campaign.TYPE_KEY, ctx -> Campaign.create(ctx.getEntityId(), refs));
    EntitySharding.init(
        system, CampaignTargets.TYPE_KEY, ctx -> CampaignTargets.create(ctx.getEntityId(), refs));
    UniqueKillSwitch readModel =
        FleetProjection.run(
            system, readJournalPluginId, store, globalOffsets, Duration.ofMillis(100));
    return new Cloud(refs, fleet, keys, readModel);
  }
}
