package io.fleetsim.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AsksTest {

  static final ActorTestKit testKit = ActorTestKit.create("AsksTest");

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  record Echo(String text, ActorRef<String> replyTo) {}

  record Check(int n, ActorRef<StatusReply<Integer>> replyTo) {}

  static Asks asks(Executor executor) {
    return new Asks(testKit.system(), Duration.ofSeconds(5), executor);
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void theAnswerIsCompletedByTheGivenExecutor() throws Exception {
    ActorRef<Echo> echo =
        testKit.spawn(
            Behaviors.receiveMessage(
                m -> {
                  m.replyTo().tell(m.text());
                  return Behaviors.same();
                }));
    // An executor that only queues: the answer is there, but the future stays open until the
    // executor runs what was handed to it.
    BlockingQueue<Runnable> queued = new LinkedBlockingQueue<>();
    CompletableFuture<String> answer =
        asks(queued::add).ask(echo, (ActorRef<String> r) -> new Echo("hi", r));
    Runnable completion = queued.poll(10, TimeUnit.SECONDS);
    assertFalse(answer.isDone());
    completion.run();
    assertEquals("hi", answer.getNow(null));
  }

  @Test
  void anErrorReplyFailsTheFutureWithItsMessage() throws Exception {
    ActorRef<Check> checker =
        testKit.spawn(
            Behaviors.receiveMessage(
                m -> {
                  m.replyTo()
                      .tell(
                          m.n() < 0
                              ? StatusReply.error("negative: " + m.n())
                              : StatusReply.success(m.n() * 2));
                  return Behaviors.same();
                }));
    Asks asks = asks(Runnable::run);
    assertEquals(
        4,
        await(asks.askWithStatus(checker, (ActorRef<StatusReply<Integer>> r) -> new Check(2, r))));
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                await(
                    asks.askWithStatus(
                        checker, (ActorRef<StatusReply<Integer>> r) -> new Check(-1, r))));
    assertEquals("negative: -1", Asks.rootCause(e));
  }

  @Test
  void anUnansweredAskTimesOut() {
    ActorRef<Echo> silent = testKit.spawn(Behaviors.ignore());
    Asks asks = new Asks(testKit.system(), Duration.ofMillis(50), Runnable::run);
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> await(asks.ask(silent, (ActorRef<String> r) -> new Echo("anyone?", r))));
    assertTrue(e.getCause() instanceof TimeoutException, e.toString());
  }

  @Test
  void allOfKeepsTheOrderAndFailsWithTheFirstFailure() throws Exception {
    CompletableFuture<Integer> late = new CompletableFuture<>();
    CompletableFuture<List<Integer>> all =
        Asks.allOf(List.of(late, CompletableFuture.completedFuture(2)));
    late.complete(1);
    assertEquals(List.of(1, 2), await(all));
    assertEquals(List.of(), await(Asks.allOf(List.<CompletableFuture<Integer>>of())));
    CompletableFuture<List<Integer>> failed =
        Asks.allOf(
            List.of(
                CompletableFuture.completedFuture(1),
                CompletableFuture.<Integer>failedFuture(new IllegalStateException("gone"))));
    assertEquals(
        "gone", Asks.rootCause(assertThrows(ExecutionException.class, () -> await(failed))));
  }

  @Test
  void rootCauseUnwrapsFutureWrappersOnly() {
    Throwable inner = new IllegalArgumentException("bad input");
    assertEquals(
        "bad input", Asks.rootCause(new CompletionException(new ExecutionException(inner))));
    assertEquals(
        "outer", Asks.rootCause(new RuntimeException("outer", new IllegalStateException("inner"))));
    assertEquals("IllegalStateException", Asks.rootCause(new IllegalStateException()));
  }
}
