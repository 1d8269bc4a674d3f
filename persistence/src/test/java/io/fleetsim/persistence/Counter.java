package io.fleetsim.persistence;

import io.fleetsim.cluster.CborSerializable;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/** The smallest entity that exercises journal, snapshots, tags and recovery. */
final class Counter extends EventSourcedBehavior<Counter.Command, Counter.Added, Counter.State> {

  static final String ENTITY_TYPE = "Counter";

  sealed interface Command extends CborSerializable {}

  record Add(int amount, ActorRef<StatusReply<Integer>> replyTo) implements Command {}

  record Get(ActorRef<State> replyTo) implements Command {}

  record Added(int amount) implements CborSerializable {}

  record State(int total, int additions) implements CborSerializable {}

  static Behavior<Command> create(String id) {
    return Behaviors.setup(
        ctx ->
            new Counter(
                PersistenceId.of(ENTITY_TYPE, id),
                PersistenceSetup.retention(ctx.getSystem()),
                Tags.forEntity(
                    ctx.getSystem(), ENTITY_TYPE, PersistenceId.of(ENTITY_TYPE, id).id())));
  }

  private final RetentionCriteria retention;
  private final String tag;

  private Counter(PersistenceId pid, RetentionCriteria retention, String tag) {
    super(pid);
    this.retention = retention;
    this.tag = tag;
  }

  @Override
  public State emptyState() {
    return new State(0, 0);
  }

  @Override
  public CommandHandler<Command, Added, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(
            Add.class,
            (state, cmd) -> {
              if (cmd.amount() <= 0) {
                return Effect().reply(cmd.replyTo(), StatusReply.error("amount must be positive"));
              }
              return Effect()
                  .persist(new Added(cmd.amount()))
                  .thenReply(cmd.replyTo(), s -> StatusReply.success(s.total()));
            })
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
        .build();
  }

  @Override
  public EventHandler<State, Added> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Added.class, (s, e) -> new State(s.total() + e.amount(), s.additions() + 1))
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return retention;
  }

  @Override
  public Set<String> tagsFor(Added event) {
    return Set.of(tag);
  }
}
