package io.fleetsim.node;

import io.fleetsim.cluster.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The journal write floor of this machine: events per wall second the node's journal takes when
 * many entities persist at once, each one event at a time as the simulation's entities do. A
 * campaign cannot go faster than this divided by the events one vehicle update writes.
 */
final class JournalFloor {

  private JournalFloor() {}

  record Result(long events, Duration wall) {
    double perSecond() {
      return events / (wall.toNanos() / 1e9);
    }
  }

  record Write(int left, ActorRef<Integer> replyTo) implements CborSerializable {}

  record Written(int n) implements CborSerializable {}

  /** An entity that persists {@code left} events one after the other, then answers. */
  static final class Writer extends EventSourcedBehavior<Write, Written, Integer> {
    private final ActorRef<Write> self;

    Writer(String id, ActorRef<Write> self) {
      super(PersistenceId.ofUniqueId(id));
      this.self = self;
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Write, Written, Integer> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onAnyCommand(
              (s, c) ->
                  Effect()
                      .persist(new Written(c.left()))
                      .thenRun(
                          x -> {
                            if (c.left() > 1) {
                              self.tell(new Write(c.left() - 1, c.replyTo()));
                            } else {
                              c.replyTo().tell(s + 1);
                            }
                          }));
    }

    @Override
    public EventHandler<Integer, Written> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s + 1);
    }
  }

  static Behavior<Write> writer(String id) {
    return Behaviors.setup(ctx -> new Writer(id, ctx.getSelf()));
  }

  /**
   * {@code writers} entities persisting {@code eachWrites} events each, all at once, after the same
   * run once unmeasured: a cold JVM writes several times slower than a warm one.
   */
  static Result measure(ActorSystem<?> system, int writers, int eachWrites) throws Exception {
    run(system, "warm-up", writers, eachWrites);
    return run(system, "measured", writers, eachWrites);
  }

  private static Result run(ActorSystem<?> system, String round, int writers, int eachWrites)
      throws Exception {
    List<ActorRef<Write>> refs = new ArrayList<>();
    long run = System.nanoTime();
    for (int i = 0; i < writers; i++) {
      String id = "journal-floor-" + round + "-" + run + "-" + i;
      refs.add(system.systemActorOf(writer(id), id, org.apache.pekko.actor.typed.Props.empty()));
    }
    long start = System.nanoTime();
    List<CompletableFuture<Integer>> done = new ArrayList<>();
    for (ActorRef<Write> w : refs) {
      done.add(
          AskPattern.<Write, Integer>ask(
                  w, r -> new Write(eachWrites, r), Duration.ofMinutes(5), system.scheduler())
              .toCompletableFuture());
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    Duration wall = Duration.ofNanos(System.nanoTime() - start);
    refs.forEach(r -> system.classicSystem().stop(Adapter.toClassic(r)));
    return new Result((long) writers * eachWrites, wall);
  }
}
