package io.fleetsim.cluster;

import io.fleetsim.cluster.time.SimClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;

/**
 * Asks whose answers continue on a given executor, normally the asking actor's dispatcher.
 *
 * <p>The stages Pekko's ask returns run every dependent stage asynchronously on the common
 * fork-join pool, and on a machine with fewer than three cores the JDK then starts a new thread per
 * stage. Continuing from a plain future completed on the given executor keeps a chain of small
 * continuations (a metadata check has a dozen) on threads that already exist.
 */
public final class Asks {

  /**
   * The wall-clock limit of Pekko's own ask under the simulated one: a safety net that frees the
   * temporary actor of an answer that never comes, never what decides an outcome.
   */
  static final Duration WALL_SAFETY_NET = Duration.ofMinutes(10);

  private final Scheduler scheduler;
  private final SimClock clock;
  private final Duration timeout;
  private final Executor executor;

  /**
   * Asks that fail after {@code timeout} of simulated time, continuing on {@code executor} (which
   * must be a counted dispatcher, such as the asking actor's, for the continuation to count as
   * simulation work).
   */
  public Asks(ActorSystem<?> system, Duration timeout, Executor executor) {
    this.scheduler = system.scheduler();
    this.clock = SimClock.get(system);
    this.timeout = timeout;
    this.executor = executor;
  }

  /** Asks {@code target}; the future fails after this helper's timeout, in simulated time. */
  public <Req, Res> CompletableFuture<Res> ask(
      RecipientRef<Req> target, Function<ActorRef<Res>, Req> message) {
    return limited(
        on(AskPattern.ask(target, message::apply, WALL_SAFETY_NET, scheduler), executor), target);
  }

  /** Asks for a {@link StatusReply}: an error reply fails the future with its message. */
  public <Req, Res> CompletableFuture<Res> askWithStatus(
      RecipientRef<Req> target, Function<ActorRef<StatusReply<Res>>, Req> message) {
    return limited(
        on(AskPattern.askWithStatus(target, message::apply, WALL_SAFETY_NET, scheduler), executor),
        target);
  }

  private <T> CompletableFuture<T> limited(CompletableFuture<T> answer, RecipientRef<?> target) {
    SimClock.Timer limit =
        clock.schedule(
            timeout,
            () ->
                executor.execute(
                    () ->
                        answer.completeExceptionally(
                            new TimeoutException(
                                "no answer from "
                                    + target
                                    + " within "
                                    + timeout
                                    + " of simulated time"))));
    answer.whenComplete((v, e) -> limit.cancel());
    return answer;
  }

  /** A plain future completed on {@code executor} with the outcome of {@code stage}. */
  public static <T> CompletableFuture<T> on(CompletionStage<T> stage, Executor executor) {
    CompletableFuture<T> f = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, err) -> {
          if (err != null) {
            f.completeExceptionally(err);
          } else {
            f.complete(value);
          }
        },
        executor);
    return f;
  }

  /** Every value, in the order of {@code stages}; fails as soon as one of them fails. */
  public static <T> CompletableFuture<List<T>> allOf(List<? extends CompletionStage<T>> stages) {
    List<CompletableFuture<T>> fs =
        stages.stream().map(CompletionStage::toCompletableFuture).toList();
    return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new))
        .thenApply(x -> fs.stream().map(CompletableFuture::join).toList());
  }

  /**
   * The message of what really went wrong, below the wrappers futures add; the class name when the
   * cause has no message.
   */
  public static String rootCause(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
