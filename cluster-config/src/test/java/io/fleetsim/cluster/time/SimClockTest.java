package io.fleetsim.cluster.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The clock in auto mode, as a driver uses it: holds, running to an instant, the epoch. */
class SimClockTest {

  static final ActorTestKit testKit = ActorTestKit.create("SimClockTest");
  static final SimClock clock = SimClock.get(testKit.system());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void timeStartsAtTheConfiguredEpoch() {
    assertEquals(Instant.parse("2030-01-01T00:00:00Z"), clock.epoch());
    assertEquals(SimClock.Mode.AUTO, clock.mode());
  }

  @Test
  void runUntilStandsAtTheInstantAndDeliversNothingBeyondIt() throws Exception {
    TestProbe<String> probe = testKit.createTestProbe();
    Instant start;
    try (SimClock.Hold hold = clock.hold()) {
      start = clock.now();
      clock.runUntil(start); // nothing before it
      clock.schedule(Duration.ofSeconds(1), () -> probe.ref().tell("1s"));
      clock.schedule(Duration.ofSeconds(3), () -> probe.ref().tell("3s"));
    }
    Instant reached = clock.runUntil(start.plusSeconds(2)).get(30, TimeUnit.SECONDS);
    assertEquals(start.plusSeconds(2), reached);
    assertEquals(start.plusSeconds(2), clock.now());
    assertEquals("1s", probe.receiveMessage());
    probe.expectNoMessage(Duration.ofMillis(100));
    clock.runUntil(start.plusSeconds(4)).get(30, TimeUnit.SECONDS);
    assertEquals("3s", probe.receiveMessage());
    clock.unlimited();
    assertThrows(IllegalArgumentException.class, () -> clock.runUntil(start));
  }

  @Test
  void anEndOfInstantActionRunsAfterEverythingDueAtItsInstantAndBeforeTimeMoves() throws Exception {
    TestProbe<String> probe = testKit.createTestProbe();
    Instant start;
    try (SimClock.Hold hold = clock.hold()) {
      start = clock.now();
      clock.runUntil(start);
      clock.atEndOfInstant(() -> probe.ref().tell("end@" + clock.nowMillis()));
      SimClock.Timer cancelled = clock.atEndOfInstant(() -> probe.ref().tell("cancelled"));
      assertEquals(true, cancelled.cancel());
      // due now, and a zero delay scheduled from it: both before the end of the instant
      clock.schedule(
          Duration.ZERO,
          () -> {
            probe.ref().tell("now");
            clock.schedule(Duration.ZERO, () -> probe.ref().tell("now again"));
          });
      clock.schedule(Duration.ofMillis(1), () -> probe.ref().tell("next"));
    }
    clock.runUntil(start.plusMillis(1)).get(30, TimeUnit.SECONDS);
    long at = start.toEpochMilli() - clock.epoch().toEpochMilli();
    assertEquals("now", probe.receiveMessage());
    assertEquals("now again", probe.receiveMessage());
    assertEquals("end@" + at, probe.receiveMessage());
    assertEquals("next", probe.receiveMessage());
    probe.expectNoMessage(Duration.ofMillis(50));
    clock.unlimited();
  }

  /**
   * How a driver ends its setup instant without letting time move (CampaignRun): the limit is set
   * while it still holds the clock, so a timer due a millisecond later cannot slip in between.
   */
  @Test
  void aLimitSetUnderAHoldSettlesTheInstantBeforeATimerDueAMillisecondLater() throws Exception {
    TestProbe<String> probe = testKit.createTestProbe();
    SimClock.Hold hold = clock.hold();
    Instant at = clock.now();
    clock.schedule(Duration.ofMillis(1), () -> probe.ref().tell("the next instant"));
    java.util.concurrent.CompletableFuture<Instant> settled = clock.runUntil(at);
    hold.close();
    assertEquals(at, settled.get(30, TimeUnit.SECONDS));
    assertEquals(at, clock.now());
    probe.expectNoMessage(Duration.ofMillis(100));
    clock.unlimited();
    assertEquals("the next instant", probe.receiveMessage());
  }

  @Test
  void aHoldStopsTimeUntilItIsClosed() {
    TestProbe<Long> probe = testKit.createTestProbe();
    long at;
    SimClock.Hold hold = clock.hold();
    at = clock.nowMillis();
    clock.schedule(Duration.ofMillis(5), () -> probe.ref().tell(clock.nowMillis()));
    probe.expectNoMessage(Duration.ofMillis(100));
    assertEquals(at, clock.nowMillis());
    hold.close();
    hold.close(); // closing twice releases once
    assertEquals(at + 5, probe.receiveMessage());
  }

  @Test
  void waitingForIdleInAutoModeLeavesTheClockRunning() throws Exception {
    TestProbe<String> probe = testKit.createTestProbe();
    clock.awaitIdle();
    Instant start = clock.now();
    clock.schedule(Duration.ofSeconds(1), () -> probe.ref().tell("on"));
    assertEquals(
        start.plusSeconds(2), clock.runUntil(start.plusSeconds(2)).get(30, TimeUnit.SECONDS));
    assertEquals("on", probe.receiveMessage());
    clock.unlimited();
  }

  @Test
  void aPaceMustBeZeroOrPositive() {
    assertThrows(IllegalArgumentException.class, () -> clock.setPace(-1));
    assertThrows(IllegalArgumentException.class, () -> clock.setPace(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> clock.setPace(Double.POSITIVE_INFINITY));
  }

  @Test
  void anEpochThatIsNoInstantIsRefusedWithTheSetting() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SimClock.epochSetting("now"));
    assertEquals(
        "fleetsim.time.epoch must be an ISO-8601 instant such as 2030-01-01T00:00:00Z, was now",
        e.getMessage());
  }
}
