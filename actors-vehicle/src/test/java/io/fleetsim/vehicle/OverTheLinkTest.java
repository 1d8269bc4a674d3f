package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Finished work crosses the link: it arrives after the link's delay, or is lost with a reason. */
class OverTheLinkTest {

  static final ActorTestKit testKit = ActorTestKit.create("OverTheLinkTest");

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static NetworkProfile profile(double loss) {
    return new NetworkProfile(
        "test",
        Duration.ofMillis(20),
        Duration.ZERO,
        1_000_000,
        loss,
        Duration.ZERO,
        Duration.ZERO);
  }

  /**
   * Starts the work on an actor that carries it over a link of {@code loss}; results go to probe.
   */
  static void send(CompletionStage<String> work, double loss, ActorRef<Vehicle.Command> probe) {
    Behavior<Vehicle.Command> sender =
        Behaviors.setup(
            ctx ->
                SimTimers.withTimers(
                    timers -> {
                      OverTheLink link =
                          new OverTheLink(
                              ctx,
                              timers,
                              SimClock.get(ctx.getSystem()),
                              new NetworkLink(profile(loss), new Random(7)));
                      link.send(
                          work,
                          String::length,
                          v -> new Vehicle.CheckFailed("arrived " + v),
                          reason -> new Vehicle.CheckFailed("lost: " + reason));
                      return Behaviors.receiveMessage(
                          m -> {
                            if (m instanceof Vehicle.Carried c) {
                              link.carry(c);
                            } else {
                              probe.tell(m);
                            }
                            return Behaviors.same();
                          });
                    }));
    testKit.spawn(sender);
  }

  @Test
  void finishedWorkArrivesAfterTheLinkCarriedIt() {
    TestProbe<Vehicle.Command> probe = testKit.createTestProbe();
    send(CompletableFuture.completedFuture("manifest"), 0, probe.ref());
    assertEquals(new Vehicle.CheckFailed("arrived manifest"), probe.receiveMessage());
  }

  @Test
  void aLinkThatLosesEveryAttemptLosesTheResult() {
    TestProbe<Vehicle.Command> probe = testKit.createTestProbe();
    send(CompletableFuture.completedFuture("manifest"), 0.999999, probe.ref());
    assertEquals(new Vehicle.CheckFailed("lost: " + OverTheLink.LOST), probe.receiveMessage());
  }

  @Test
  void failedWorkNeverTakesTheLinkAndSaysWhy() {
    TestProbe<Vehicle.Command> probe = testKit.createTestProbe();
    send(CompletableFuture.failedFuture(new IllegalStateException("no blob")), 0, probe.ref());
    assertEquals(new Vehicle.CheckFailed("lost: no blob"), probe.receiveMessage());
  }
}
