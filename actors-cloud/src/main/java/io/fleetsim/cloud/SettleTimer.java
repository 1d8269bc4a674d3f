package io.fleetsim.cloud;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * A campaign's one simulated timer ({@link Campaign.Settle}) and the two things it waits for: the
 * per-vehicle facts gathered but not yet written, and the end of the running wave's soak. The timer
 * always points at the earlier of the soak's end and {@code flushAfter} after the earliest
 * unwritten fact. One timer rather than two, so that a soak ending at the instant a batch is due is
 * settled in one step, never in an order that depends on how two timer messages happen to be
 * queued.
 *
 * <p>Not state: after a crash the campaign restarts the soak of a running wave, and the facts lost
 * with the unwritten batch come again from their Directors.
 */
final class SettleTimer {

  private static final String KEY = "settle";

  /** What is due at a settle: the facts to write and the wave whose soak ended, if one did. */
  record Due(List<Campaign.Command> facts, OptionalInt soakEnded) {}

  private final SimTimers<Campaign.Command> timers;
  private final SimClock clock;
  private final Duration flushAfter;
  private final FactBuffer<Campaign.Command> unwritten = new FactBuffer<>(CampaignSpecs.FACT_ORDER);

  /** When the current wave's soak ends (simulated ms), or -1 while no soak runs. */
  private long soakDueMillis = -1;

  /** The wave the running soak belongs to. */
  private int soakWave = -1;

  SettleTimer(SimTimers<Campaign.Command> timers, SimClock clock, Duration flushAfter) {
    this.timers = timers;
    this.clock = clock;
    this.flushAfter = flushAfter;
  }

  /**
   * {@code fleetsim.cloud.campaign-flush-after}: simulated time from the first unwritten fact to
   * the write that counts it; at least the clock's resolution, since a batch takes only facts of
   * instants before its own.
   */
  static Duration flushAfter(com.typesafe.config.Config config) {
    Duration d = config.getDuration("fleetsim.cloud.campaign-flush-after");
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException(
          "fleetsim.cloud.campaign-flush-after must be at least 1ms of simulated time, was " + d);
    }
    return d;
  }

  /** Wave {@code wave}'s soak runs from now for {@code soak} (simulated). */
  void startSoak(int wave, Duration soak) {
    soakWave = wave;
    soakDueMillis = clock.nowMillis() + SimClock.delayMillis(soak);
    arm();
  }

  /**
   * Stops the soak clock only: facts already gathered must still be written, so the timer still
   * runs for them.
   */
  void stopSoak() {
    soakDueMillis = -1;
    soakWave = -1;
    arm();
  }

  /**
   * Gathers a per-vehicle fact with the instant it arrived at; the first settle that comes at least
   * {@code flushAfter} later, or at the soak's end if that is earlier, takes it.
   */
  void gather(Campaign.Command fact) {
    boolean wasEmpty = unwritten.isEmpty();
    unwritten.add(fact, clock.nowMillis());
    if (wasEmpty) {
      arm();
    }
  }

  /**
   * At the settle instant: takes the gathered facts that arrived before it, in canonical order, and
   * ends the soak if it is due, then points the timer at what comes next. Facts that arrive at this
   * very instant wait for the next settle.
   */
  Due takeDue() {
    long now = clock.nowMillis();
    List<Campaign.Command> facts = unwritten.drainBefore(now);
    OptionalInt soakEnded = OptionalInt.empty();
    if (soakDueMillis >= 0 && soakDueMillis <= now) {
      soakEnded = OptionalInt.of(soakWave);
      soakDueMillis = -1;
      soakWave = -1;
    }
    arm();
    return new Due(facts, soakEnded);
  }

  private void arm() {
    long due = Long.MAX_VALUE;
    if (soakDueMillis >= 0) {
      due = soakDueMillis;
    }
    var first = unwritten.earliest();
    if (first.isPresent()) {
      due = Math.min(due, first.getAsLong() + SimClock.delayMillis(flushAfter));
    }
    if (due == Long.MAX_VALUE) {
      timers.cancel(KEY);
      return;
    }
    timers.startSingleTimer(
        KEY, new Campaign.Settle(), Duration.ofMillis(Math.max(0, due - clock.nowMillis())));
  }
}
