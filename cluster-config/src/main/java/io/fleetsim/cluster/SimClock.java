package io.fleetsim.cluster;

import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Simulated time. Simulated durations (radio latency, CAN transfer, flash, reboot, poll interval)
 * are divided by {@code fleetsim.time-scale} before they reach a timer, so nothing ever waits on a
 * real-time model: callers schedule {@code clock.toWall(d)} with their {@code TimerScheduler}.
 *
 * <p>{@link #now()} maps the wall clock to simulated time around a shared anchor, so metadata
 * expiry and reports see time advance at the same scale as the timers.
 */
public final class SimClock implements Extension {

  private static final Id ID = new Id();

  /** Pekko extension id; use {@link SimClock#get}. */
  public static final class Id extends ExtensionId<SimClock> {
    private Id() {}

    @Override
    public SimClock createExtension(ActorSystem<?> system) {
      return fromConfig(system.settings().config(), Clock.systemUTC());
    }
  }

  private final double timeScale;
  private final Instant simEpoch;
  private final Instant wallAnchor;
  private final Clock wall;

  /**
   * A clock independent of any actor system, for tests and tools.
   *
   * @param timeScale simulated seconds per wall second, strictly positive and finite
   * @param simEpoch the simulated instant at {@code wallAnchor}
   * @param wallAnchor the wall instant at which simulated time equals {@code simEpoch}
   * @param wall the wall clock
   */
  public SimClock(double timeScale, Instant simEpoch, Instant wallAnchor, Clock wall) {
    if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
      throw new IllegalArgumentException(
          "fleetsim.time-scale must be a positive finite number, was " + timeScale);
    }
    this.timeScale = timeScale;
    this.simEpoch = Objects.requireNonNull(simEpoch, "simEpoch");
    this.wallAnchor = Objects.requireNonNull(wallAnchor, "wallAnchor");
    this.wall = Objects.requireNonNull(wall, "wall");
  }

  public static SimClock get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Reads {@code fleetsim.time-scale}, {@code fleetsim.sim-epoch} and {@code wall-anchor}. */
  public static SimClock fromConfig(Config config, Clock wall) {
    Instant started = wall.instant();
    Instant anchor = instantSetting(config, "fleetsim.wall-anchor", started);
    Instant epoch = instantSetting(config, "fleetsim.sim-epoch", anchor);
    return new SimClock(config.getDouble("fleetsim.time-scale"), epoch, anchor, wall);
  }

  private static Instant instantSetting(Config config, String path, Instant now) {
    String value = config.getString(path).trim();
    if (value.equalsIgnoreCase("now")) {
      return now;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          path
              + " must be \"now\" or an ISO-8601 instant such as 2030-01-01T00:00:00Z, was "
              + value,
          e);
    }
  }

  /** Simulated seconds per wall second. */
  public double timeScale() {
    return timeScale;
  }

  /**
   * The wall-clock delay to hand to a timer for a simulated duration. Rounded to whole nanoseconds;
   * durations too small to survive the scale become zero, which timers accept.
   *
   * @throws IllegalArgumentException if {@code simulated} is negative
   */
  public Duration toWall(Duration simulated) {
    requireNonNegative(simulated, "simulated");
    return scale(simulated, 1.0 / timeScale);
  }

  /** The simulated duration that passes during a wall-clock duration (for reports). */
  public Duration toSimulated(Duration wallDuration) {
    requireNonNegative(wallDuration, "wallDuration");
    return scale(wallDuration, timeScale);
  }

  /** Simulated now: sim-epoch plus the wall time elapsed since the anchor, times the scale. */
  public Instant now() {
    Duration sinceAnchor = Duration.between(wallAnchor, wall.instant());
    if (sinceAnchor.isNegative()) {
      // A configured anchor in the future (a run scheduled to start later) holds time still.
      return simEpoch;
    }
    return simEpoch.plus(scale(sinceAnchor, timeScale));
  }

  /** The simulated instant that corresponds to wall-clock time {@code wallAnchor}. */
  public Instant simEpoch() {
    return simEpoch;
  }

  private static void requireNonNegative(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " duration must not be negative, was " + d);
    }
  }

  private static Duration scale(Duration d, double factor) {
    // Seconds and nanos separately: a simulated week in nanoseconds overflows long arithmetic
    // once multiplied by a large scale, and doubles lose nanosecond precision beyond ~100 days.
    double seconds = d.getSeconds() * factor;
    double nanos = d.getNano() * factor;
    long wholeSeconds = (long) Math.floor(seconds);
    double remainderNanos = (seconds - wholeSeconds) * 1_000_000_000d + nanos;
    return Duration.ofSeconds(wholeSeconds).plusNanos(Math.round(remainderNanos));
  }

  @Override
  public String toString() {
    return "SimClock(scale=" + timeScale + ", epoch=" + simEpoch + ", anchor=" + wallAnchor + ")";
  }
}
