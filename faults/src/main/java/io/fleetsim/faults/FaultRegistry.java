package io.fleetsim.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.StatusReply;

/**
 * The node's writer and reader of the cluster-wide rules (Distributed Data), which hands every
 * state it reads to {@link Faults}.
 *
 * <p>The replicator's answers reach this actor by different paths (a subscription for changes, an
 * ask per update and per read), so they may arrive out of the order in which the replicator sent
 * them, and publishing a state carried by a late message could take back a newer one. So a message
 * from the replicator is only a cue: the state published is always read afresh from the local
 * replica, with one read in flight at a time. Reads are then answered in the order they were made,
 * and each reflects everything the replica held when the previous one was answered. A write is
 * answered once a read made after its success has been published, so that when {@link Faults#add}
 * completes the node already applies the rule, without waiting for the subscription's notification,
 * which comes only at a wall-time interval.
 */
final class FaultRegistry extends AbstractBehavior<FaultRegistry.Command> {

  /** The key every node reads and writes: one map of rules by id for the whole cluster. */
  static final Key<LWWMap<String, FaultRule>> KEY = LWWMapKey.create("fleetsim-faults");

  /** How long a write waits for a majority of nodes before it is answered anyway. */
  static final Duration MAJORITY_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Longer than any answer the replicator owes: it answers every write within its consistency
   * timeout, so an ask that still times out means a broken replicator, and restarting is right.
   */
  private static final Duration REPLICATOR_ASK_TIMEOUT = Duration.ofSeconds(20);

  /** What the registry is asked to do. Local only: never crosses the wire. */
  sealed interface Command {}

  /** Adds or replaces the rule with the same id. */
  record Put(FaultRule rule, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Removes the rule {@code id}; fails when the replica does not hold it. */
  record Remove(String id, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  private record Written(
      Replicator.UpdateResponse<LWWMap<String, FaultRule>> response,
      String what,
      ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  private record ReplicaChanged() implements Command {}

  private record Read(Replicator.GetResponse<LWWMap<String, FaultRule>> response)
      implements Command {}

  /** The registry, restarted if the replicator ever fails it, publishing to {@code publish}. */
  static Behavior<Command> create(Consumer<List<FaultRule>> publish) {
    return Behaviors.supervise(Behaviors.<Command>setup(ctx -> new FaultRegistry(ctx, publish)))
        .onFailure(SupervisorStrategy.restart());
  }

  private final ReplicatorMessageAdapter<Command, LWWMap<String, FaultRule>> replicator;
  private final SelfUniqueAddress self;
  private final Cluster cluster;
  private final Consumer<List<FaultRule>> publish;

  /** Whether a read of the replica is in flight. */
  private boolean reading;

  /** Whether the replica may have changed since the read in flight was made. */
  private boolean stale;

  /** Writers answered when the read in flight is published. */
  private List<ActorRef<StatusReply<Done>>> answeredByThisRead = new ArrayList<>();

  /** Writers whose write succeeded after the read in flight was made: the next read answers. */
  private List<ActorRef<StatusReply<Done>>> answeredByNextRead = new ArrayList<>();

  private FaultRegistry(ActorContext<Command> ctx, Consumer<List<FaultRule>> publish) {
    super(ctx);
    this.replicator =
        new ReplicatorMessageAdapter<>(
            ctx, DistributedData.get(ctx.getSystem()).replicator(), REPLICATOR_ASK_TIMEOUT);
    this.self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
    this.cluster = Cluster.get(ctx.getSystem());
    this.publish = publish;
    replicator.subscribe(KEY, changed -> new ReplicaChanged());
    // Rules may already be known (a restart, or a node joining a cluster that has some).
    read();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Put.class, this::onPut)
        .onMessage(Remove.class, this::onRemove)
        .onMessage(Written.class, this::onWritten)
        .onMessage(ReplicaChanged.class, m -> read())
        .onMessage(Read.class, this::onRead)
        .build();
  }

  private Behavior<Command> onPut(Put put) {
    FaultRule rule = put.rule();
    replicator.askUpdate(
        replyTo ->
            new Replicator.Update<>(
                KEY,
                LWWMap.empty(),
                consistency(),
                replyTo,
                rules -> rules.put(self, rule.id(), rule)),
        rsp -> new Written(rsp, "adding fault rule " + rule.id(), put.replyTo()));
    return this;
  }

  private Behavior<Command> onRemove(Remove remove) {
    String id = remove.id();
    replicator.askUpdate(
        replyTo ->
            new Replicator.Update<>(
                KEY,
                LWWMap.empty(),
                consistency(),
                replyTo,
                rules -> {
                  // Checked against the replica itself, inside the update, so that the answer
                  // cannot disagree with what the replica held when the removal was applied.
                  if (!rules.contains(id)) {
                    throw new IllegalArgumentException("no fault rule '" + id + "' to remove");
                  }
                  return rules.remove(self, id);
                }),
        rsp -> new Written(rsp, "removing fault rule " + id, remove.replyTo()));
    return this;
  }

  /**
   * Alone, a node has no one to wait for; with others, a majority holding the change means a node
   * that fails right after does not take it with it.
   */
  private Replicator.WriteConsistency consistency() {
    int members = 0;
    for (var ignored : cluster.state().getMembers()) {
      members++;
    }
    return members <= 1 ? Replicator.writeLocal() : new Replicator.WriteMajority(MAJORITY_TIMEOUT);
  }

  private Behavior<Command> onWritten(Written w) {
    if (w.response() instanceof Replicator.UpdateSuccess<?>) {
      answeredByNextRead.add(w.replyTo());
      read();
    } else if (w.response() instanceof Replicator.UpdateTimeout<?>) {
      // The local replica holds the change and gossip spreads it once the others are reachable:
      // this node applies it, which is what the caller waits for.
      getContext()
          .getLog()
          .warn(
              "{}: not confirmed by a majority in {}; it spreads by gossip",
              w.what(),
              MAJORITY_TIMEOUT);
      answeredByNextRead.add(w.replyTo());
      read();
    } else if (w.response() instanceof Replicator.ModifyFailure<?> failure) {
      w.replyTo().tell(StatusReply.error(failure.cause()));
    } else {
      w.replyTo()
          .tell(
              StatusReply.error(new IllegalStateException(w.what() + " failed: " + w.response())));
    }
    return this;
  }

  /** Reads the replica now, or right after the read in flight when there is one. */
  private Behavior<Command> read() {
    if (reading) {
      stale = true;
      return this;
    }
    reading = true;
    stale = false;
    answeredByThisRead = answeredByNextRead;
    answeredByNextRead = new ArrayList<>();
    replicator.askGet(
        replyTo -> new Replicator.Get<>(KEY, Replicator.readLocal(), replyTo), Read::new);
    return this;
  }

  private Behavior<Command> onRead(Read r) {
    if (r.response() instanceof Replicator.GetSuccess<LWWMap<String, FaultRule>> found) {
      publish.accept(List.copyOf(new TreeMap<>(found.get(KEY).getEntries()).values()));
      answeredByThisRead.forEach(replyTo -> replyTo.tell(StatusReply.ack()));
    } else if (r.response() instanceof Replicator.NotFound<?>
        || r.response() instanceof Replicator.GetDataDeleted<?>) {
      publish.accept(List.of());
      answeredByThisRead.forEach(replyTo -> replyTo.tell(StatusReply.ack()));
    } else {
      // A local read does not fail. Should it ever, retrying at once could spin; the writers learn
      // that their change is written but not known to apply here, and the next change reads again.
      getContext().getLog().warn("reading the fault rules failed: {}", r.response());
      answeredByThisRead.forEach(
          replyTo ->
              replyTo.tell(
                  StatusReply.error(
                      new IllegalStateException(
                          "the fault rules were written but could not be read back: "
                              + r.response()))));
    }
    answeredByThisRead = new ArrayList<>();
    reading = false;
    if (stale || !answeredByNextRead.isEmpty()) {
      read();
    }
    return this;
  }
}
