package io.fleetsim.vehicle;

import io.fleetsim.cluster.Seeds;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * The time model of one vehicle's link to the cloud. It never waits: it computes how long an
 * exchange takes in simulated time, and the Vehicle schedules that through SimClock.
 *
 * <p>An exchange of {@code bytes} costs one round trip (latency plus a jitter draw), the
 * serialisation time {@code bytes * 8 / bandwidth}, and for every lost attempt a retry after a
 * timeout of twice the latency. If the link is inside a disconnection window when the exchange
 * would start, it starts when the window ends; a window that opens during a transfer pauses it (the
 * client resumes with a range request) for the rest of the window.
 *
 * <p>Outage windows repeat every {@code outageEvery}; each vehicle has its own phase (drawn once
 * from its seeded generator) so that a fleet's outages do not all coincide.
 *
 * <p>A link made from a seed ({@link #seeded}) draws each exchange's losses and jitter from a
 * generator of that exchange's own, seeded by the link's seed, the simulated instant the exchange
 * starts and how many exchanges started before it at that instant: what it computes then depends on
 * nothing the vehicle held in memory, so a vehicle passivated and started again between two
 * exchanges sees the same link as one that stayed.
 */
public final class NetworkLink {

  private static final int MAX_ATTEMPTS = 8;

  private final NetworkProfile profile;
  private final Random sequence;
  private final long seed;
  private final long outagePhaseMillis;
  private long lastStart = Long.MIN_VALUE;
  private int atLastStart;

  /** A link drawing from {@code rng} in sequence, exchange after exchange. */
  public NetworkLink(NetworkProfile profile, Random rng) {
    this(profile, rng, 0);
  }

  private NetworkLink(NetworkProfile profile, Random rng, long seed) {
    this.profile = profile;
    this.sequence = rng;
    this.seed = seed;
    Random phase = rng != null ? rng : new Random(seed);
    this.outagePhaseMillis =
        profile.hasOutages() ? (long) (phase.nextDouble() * profile.outageEvery().toMillis()) : 0;
  }

  /** A link whose draws are a function of {@code seed} and of when each exchange starts. */
  public static NetworkLink seeded(NetworkProfile profile, long seed) {
    return new NetworkLink(profile, null, seed);
  }

  private Random draws(Instant start) {
    if (sequence != null) {
      return sequence;
    }
    long at = start.toEpochMilli();
    atLastStart = at == lastStart ? atLastStart + 1 : 0;
    lastStart = at;
    return new Random(Seeds.splitMix64(Seeds.splitMix64(seed ^ at) + atLastStart));
  }

  public NetworkProfile profile() {
    return profile;
  }

  /** The outcome of one exchange: its simulated duration, or that every attempt was lost. */
  public record Exchange(Duration duration, int attempts, boolean delivered) {}

  /**
   * Simulates one request/response exchange carrying {@code bytes} of payload, starting at {@code
   * start}.
   */
  public Exchange exchange(long bytes, Instant start) {
    Random rng = draws(start);
    Duration total = untilUp(start);
    Duration timeout = profile.latency().multipliedBy(2).plusMillis(100);
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (rng.nextDouble() >= profile.loss()) {
        Duration transfer = roundTrip(rng).plus(serialisation(bytes));
        total = total.plus(transfer).plus(outageOverlap(start.plus(total), transfer));
        return new Exchange(total, attempt, true);
      }
      total = total.plus(timeout);
      timeout = timeout.multipliedBy(2);
    }
    return new Exchange(total, MAX_ATTEMPTS, false);
  }

  /** Whether the link is up at {@code at}. */
  public boolean isUp(Instant at) {
    return untilUp(at).isZero();
  }

  /** Time from {@code at} until the link is up again (zero when it is up). */
  public Duration untilUp(Instant at) {
    if (!profile.hasOutages()) {
      return Duration.ZERO;
    }
    long every = profile.outageEvery().toMillis();
    long pos = Math.floorMod(at.toEpochMilli() + outagePhaseMillis, every);
    long length = profile.outageLength().toMillis();
    return pos < length ? Duration.ofMillis(length - pos) : Duration.ZERO;
  }

  private Duration roundTrip(Random rng) {
    double jitterMs = Math.abs(rng.nextGaussian()) * profile.jitter().toNanos() / 1e6;
    return profile.latency().plusNanos((long) (jitterMs * 1e6));
  }

  private Duration serialisation(long bytes) {
    return Duration.ofNanos((long) (bytes * 8.0 * 1e9 / profile.bandwidthBitsPerSecond()));
  }

  /**
   * Extra time an exchange of length {@code d} starting at {@code from} spends inside outage
   * windows.
   */
  private Duration outageOverlap(Instant from, Duration d) {
    if (!profile.hasOutages()) {
      return Duration.ZERO;
    }
    long every = profile.outageEvery().toMillis();
    long length = profile.outageLength().toMillis();
    long remaining = d.toMillis();
    long pos = Math.floorMod(from.toEpochMilli() + outagePhaseMillis, every);
    long extra = 0;
    // Walk the up-periods the transfer needs; each window crossed adds its length.
    while (remaining > 0) {
      long upLeft = every - Math.max(pos, length);
      if (remaining <= upLeft) {
        break;
      }
      remaining -= upLeft;
      extra += length;
      pos = 0;
    }
    return Duration.ofMillis(extra);
  }
}
