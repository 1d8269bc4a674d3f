package io.fleetsim.cluster;

import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/** Thin helper over {@link ClusterSharding#init} so every entity type starts the same way. */
public final class EntitySharding {

  private EntitySharding() {}

  /**
   * Starts (or returns the already started) shard region for {@code key}. Calling it again for the
   * same key on the same node returns the existing region, so modules may init independently.
   */
  public static <M> ActorRef<ShardingEnvelope<M>> init(
      ActorSystem<?> system, EntityTypeKey<M> key, Function<EntityContext<M>, Behavior<M>> create) {
    return init(system, key, create, UnaryOperator.identity());
  }

  /**
   * As {@link #init(ActorSystem, EntityTypeKey, Function)}, with a hook to set a role, stop message
   * or other {@link Entity} option.
   */
  public static <M> ActorRef<ShardingEnvelope<M>> init(
      ActorSystem<?> system,
      EntityTypeKey<M> key,
      Function<EntityContext<M>, Behavior<M>> create,
      UnaryOperator<Entity<M, ShardingEnvelope<M>>> customize) {
    Entity<M, ShardingEnvelope<M>> entity = Entity.of(key, create::apply);
    return ClusterSharding.get(system).init(customize.apply(entity));
  }

  /**
   * Starts the shard region for an entity type that keeps its timers with the node and passivates
   * itself when idle: {@code create} gets the entity's {@link EntityHome}.
   */
  public static <M> ActorRef<ShardingEnvelope<M>> initHomed(
      ActorSystem<?> system, EntityTypeKey<M> key, Function<EntityHome, Behavior<M>> create) {
    boolean passivation = EntityHome.passivationEnabled(system);
    return init(system, key, ctx -> create.apply(EntityHome.of(system, ctx, passivation)));
  }

  /** A reference to one entity, wherever in the cluster it lives. */
  public static <M> EntityRef<M> entityRef(
      ActorSystem<?> system, EntityTypeKey<M> key, String entityId) {
    return ClusterSharding.get(system).entityRefFor(key, entityId);
  }
}
