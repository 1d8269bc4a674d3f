package io.fleetsim.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

class SimClockTest {

  private static final Instant EPOCH = Instant.parse("2030-01-01T00:00:00Z");
  private static final Instant ANCHOR = Instant.parse("2025-06-01T12:00:00Z");

  /** A wall clock the test moves by hand. */
  private static final class MovableClock extends Clock {
    private final AtomicReference<Instant> now;

    MovableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void compressesSimulatedDurationsByTheScale() {
    SimClock clock = new SimClock(3600.0, EPOCH, ANCHOR, Clock.systemUTC());
    assertEquals(Duration.ofSeconds(1), clock.toWall(Duration.ofHours(1)));
    assertEquals(Duration.ofMillis(24_000), clock.toWall(Duration.ofDays(1)));
    assertEquals(Duration.ofHours(1), clock.toSimulated(Duration.ofSeconds(1)));
  }

  @Test
  void slowsDownWhenTheScaleIsBelowOne() {
    SimClock clock = new SimClock(0.5, EPOCH, ANCHOR, Clock.systemUTC());
    assertEquals(Duration.ofSeconds(2), clock.toWall(Duration.ofSeconds(1)));
    assertEquals(Duration.ofMillis(1500), clock.toWall(Duration.ofMillis(750)));
  }

  @Test
  void keepsSubMillisecondPrecisionAndAcceptsZero() {
    SimClock clock = new SimClock(1000.0, EPOCH, ANCHOR, Clock.systemUTC());
    // One CAN frame at 500 kbit/s is ~250 microseconds; compressed 1000x it is 250 ns.
    assertEquals(Duration.ofNanos(250), clock.toWall(Duration.ofNanos(250_000)));
    assertEquals(Duration.ZERO, clock.toWall(Duration.ZERO));
    // Below a nanosecond of wall time it rounds to zero, which timers accept, never negative.
    assertEquals(Duration.ZERO, clock.toWall(Duration.ofNanos(1)));
  }

  @Test
  void largeDurationsAtLargeScalesDoNotOverflow() {
    SimClock clock = new SimClock(1_000_000.0, EPOCH, ANCHOR, Clock.systemUTC());
    assertEquals(Duration.ofMillis(31_536_000), clock.toWall(Duration.ofDays(365_000)));
    SimClock slow = new SimClock(1e-6, EPOCH, ANCHOR, Clock.systemUTC());
    assertEquals(Duration.ofDays(365_000_000L), slow.toWall(Duration.ofDays(365)));
  }

  @Test
  void refusesNegativeDurationsAndBadScales() {
    SimClock clock = new SimClock(2.0, EPOCH, ANCHOR, Clock.systemUTC());
    assertThrows(IllegalArgumentException.class, () -> clock.toWall(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> clock.toSimulated(Duration.ofMillis(-1)));
    assertThrows(NullPointerException.class, () -> clock.toWall(null));
    for (double bad :
        new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> new SimClock(bad, EPOCH, ANCHOR, Clock.systemUTC()),
          "scale " + bad);
    }
  }

  @Test
  void nowAdvancesAtTheScaleFromTheEpoch() {
    MovableClock wall = new MovableClock(ANCHOR);
    SimClock clock = new SimClock(60.0, EPOCH, ANCHOR, wall);
    assertEquals(EPOCH, clock.now());
    wall.advance(Duration.ofSeconds(10));
    assertEquals(EPOCH.plus(Duration.ofMinutes(10)), clock.now());
    wall.advance(Duration.ofMillis(500));
    assertEquals(EPOCH.plus(Duration.ofSeconds(630)), clock.now());
  }

  @Test
  void aFutureAnchorHoldsSimulatedTimeAtTheEpoch() {
    MovableClock wall = new MovableClock(ANCHOR.minusSeconds(5));
    SimClock clock = new SimClock(60.0, EPOCH, ANCHOR, wall);
    assertEquals(EPOCH, clock.now());
  }

  @Test
  void readsItsSettingsAndRejectsMalformedInstants() {
    MovableClock wall = new MovableClock(ANCHOR);
    var config =
        ConfigFactory.parseString(
                "fleetsim.time-scale = 120, fleetsim.sim-epoch = \"2030-01-01T00:00:00Z\"")
            .withFallback(ConfigFactory.defaultReference());
    SimClock clock = SimClock.fromConfig(config, wall);
    assertEquals(120.0, clock.timeScale());
    assertEquals(EPOCH, clock.now());

    SimClock defaults = SimClock.fromConfig(ConfigFactory.defaultReference(), wall);
    assertEquals(1.0, defaults.timeScale());
    assertEquals(ANCHOR, defaults.now(), "sim-epoch = now starts simulated time at wall time");

    var bad =
        ConfigFactory.parseString("fleetsim.sim-epoch = \"yesterday\"")
            .withFallback(ConfigFactory.defaultReference());
    assertThrows(IllegalArgumentException.class, () -> SimClock.fromConfig(bad, wall));
    var zero =
        ConfigFactory.parseString("fleetsim.time-scale = 0")
            .withFallback(ConfigFactory.defaultReference());
    assertThrows(IllegalArgumentException.class, () -> SimClock.fromConfig(zero, wall));
  }

  private record Fired(String what) {}

  private static Behavior<String> delayed(ActorRef<Fired> probe, Duration simulated) {
    return Behaviors.withTimers(
        timers ->
            Behaviors.setup(
                ctx -> {
                  timers.startSingleTimer("done", SimClock.get(ctx.getSystem()).toWall(simulated));
                  return Behaviors.receiveMessage(
                      msg -> {
                        probe.tell(new Fired(msg));
                        return Behaviors.stopped();
                      });
                }));
  }

  @Test
  void aSimulatedHourFiresAfterOneWallSecondAtScale3600() {
    ActorTestKit testKit =
        ActorTestKit.create(
            ConfigFactory.parseString("fleetsim.time-scale = 3600")
                .withFallback(ManualTime.config())
                .withFallback(ConfigFactory.parseString("pekko.actor.provider = local")));
    try {
      ManualTime manualTime = ManualTime.get(testKit.system());
      TestProbe<Fired> probe = testKit.createTestProbe();
      assertEquals(3600.0, SimClock.get(testKit.system()).timeScale());
      testKit.spawn(delayed(probe.ref(), Duration.ofHours(1)));
      manualTime.expectNoMessageFor(Duration.ofMillis(999), probe);
      manualTime.timePasses(Duration.ofMillis(1));
      assertEquals(new Fired("done"), probe.receiveMessage());
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
