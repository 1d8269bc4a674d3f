package io.fleetsim.cloud;

import io.fleetsim.cluster.EntitySharding;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.UniqueKillSwitch;

/**
 * The cloud's one entry point for a node: initialises sharding for ImageRepository, Director,
 * Campaign and the CampaignRegistry, and starts the fleet read model. What callers need later
 * (entity refs, fleet queries) is in the returned {@link Cloud}.
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
    boolean resume = store instanceof JdbcFleetStore;
    return init(system, notifier, store, config.getString("read-journal"), resume);
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
      boolean resumeFromStoredOffset) {
    FleetQueries fleet = FleetQueries.create(system, store);
    String imagesId = system.settings().config().getString("fleetsim.cloud.image-repository-id");
    CloudRefs refs = CloudRefs.sharded(system, imagesId, fleet);
    DirectorKeys keys = DirectorKeys.get(system);
    EntitySharding.init(
        system, ImageRepository.TYPE_KEY, ctx -> ImageRepository.create(ctx.getEntityId()));
    EntitySharding.init(
        system,
        Director.TYPE_KEY,
        ctx -> Director.create(ctx.getEntityId(), keys, notifier, refs.campaign()));
    EntitySharding.init(system, Campaign.TYPE_KEY, ctx -> Campaign.create(ctx.getEntityId(), refs));
    EntitySharding.init(
        system, CampaignRegistry.TYPE_KEY, ctx -> CampaignRegistry.create(refs.campaign()));
    UniqueKillSwitch readModel =
        FleetProjection.run(system, readJournalPluginId, store, resumeFromStoredOffset);
    return new Cloud(refs, fleet, keys, readModel);
  }
}
