package io.fleetsim.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Where a sharded entity lives: the node keeps its simulated timers under its type and id and
 * delivers them through sharding ({@link io.fleetsim.cluster.time.SimTimers#forEntity}), so a due
 * timer starts a passivated entity again; and it passivates through its shard. An entity created
 * outside sharding (a unit test's test kit) has no home and keeps its timers itself.
 *
 * @param typeName the entity type's name
 * @param entityId the entity's id
 * @param route the entity's address through sharding
 * @param shard its shard, which stops it on {@link #passivate}
 * @param passivation whether idle entities are passivated at all ({@code
 *     fleetsim.passivation.enabled})
 */
public record EntityHome(
    String typeName,
    String entityId,
    RecipientRef<Object> route,
    ActorRef<ClusterSharding.ShardCommand> shard,
    boolean passivation) {

  /**
   * The home of the entity {@code ctx} is about to create; {@code passivation} as read once per
   * entity type ({@link #passivationEnabled}).
   */
  public static <M> EntityHome of(ActorSystem<?> system, EntityContext<M> ctx, boolean on) {
    return new EntityHome(
        ctx.getEntityTypeKey().name(),
        ctx.getEntityId(),
        route(system, ctx.getEntityTypeKey(), ctx.getEntityId()),
        ctx.getShard(),
        on);
  }

  /** The address through sharding of the entity {@code entityId} of {@code type}. */
  @SuppressWarnings("unchecked")
  public static RecipientRef<Object> route(
      ActorSystem<?> system, EntityTypeKey<?> type, String entityId) {
    return (RecipientRef<Object>)
        (RecipientRef<?>) ClusterSharding.get(system).entityRefFor(type, entityId);
  }

  /** The node-wide key of the timers of the entity {@code entityId} of type {@code typeName}. */
  public static String key(String typeName, String entityId) {
    return typeName + "|" + entityId;
  }

  /** {@code fleetsim.passivation.enabled}. */
  public static boolean passivationEnabled(ActorSystem<?> system) {
    return system.settings().config().getBoolean("fleetsim.passivation.enabled");
  }

  /** The node-wide key of this entity's timers. */
  public String key() {
    return key(typeName, entityId);
  }

  /** Asks the shard to stop {@code self}; messages that arrive meanwhile start it again. */
  public <M> void passivate(ActorRef<M> self) {
    if (passivation) {
      shard.tell(new ClusterSharding.Passivate<>(self));
    }
  }
}
