package io.fleetsim.cluster.time;

import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The node's discrete-event clock. Simulated time is a number of milliseconds since {@link
 * #epoch()}; it changes only when the node has nothing left to do at the current instant (its
 * {@link Activity} reads zero), and then jumps to the earliest due timer. Computation, messaging
 * and database latency therefore cost no simulated time, and a modelled duration costs exactly what
 * its model says, rounded up to the whole millisecond (the clock's resolution).
 *
 * <p>In {@code auto} mode a daemon thread drives the clock as fast as the node goes, or at most
 * {@link #pace()} simulated seconds per wall second. In {@code manual} mode (tests) time moves only
 * in {@link #advance}. Drivers that must act at one instant take a {@link #hold()}.
 *
 * <p>Timers ({@link #schedule}) run their action on the clock's thread; an action may only hand
 * work to the simulation (tell an actor, execute on a counted dispatcher), never do it, so that the
 * work is counted. Entities use {@link SimTimers}, which does that.
 */
public final class SimClock implements Extension {

  /** How the clock is driven. */
  public enum Mode {
    AUTO,
    MANUAL
  }

  /** A scheduled action that may still be cancelled. */
  public interface Timer {
    /** Cancels the action; false when it already ran or was cancelled. */
    boolean cancel();
  }

  private static final Id ID = new Id();

  /** Pekko extension id; use {@link SimClock#get}. */
  public static final class Id extends ExtensionId<SimClock> {
    private Id() {}

    @Override
    public SimClock createExtension(ActorSystem<?> system) {
      Config c = system.settings().config().getConfig("fleetsim.time");
      SimClock clock =
          new SimClock(
              Activity.of(Adapter.toClassic(system).scheduler()),
              epochSetting(c.getString("epoch")),
              Mode.valueOf(c.getString("mode").trim().toUpperCase(java.util.Locale.ROOT)),
              c.getDouble("pace"));
      if (clock.mode == Mode.AUTO) {
        clock.start("fleetsim-clock-" + system.name());
        system.getWhenTerminated().thenRun(clock::stop);
      }
      return clock;
    }
  }

  private final Activity activity;
  private final Instant epoch;
  private final Mode mode;

  private final Object lock = new Object();
  private final TreeSet<Entry> queue = new TreeSet<>();
  private final LinkedHashSet<EndAction> endOfInstant = new LinkedHashSet<>();
  private long sequence;
  private long holds;

  private volatile long nowMillis;
  private volatile long advances;
  private volatile long limitMillis = Long.MAX_VALUE;
  private CompletableFuture<Instant> limitReached;
  private volatile double pace;
  private long anchorSimMillis;
  private long anchorWallNanos;

  private volatile boolean running;
  private Thread thread;

  /** A clock on {@code activity}; {@link #get} builds the node's. */
  SimClock(Activity activity, Instant epoch, Mode mode, double pace) {
    this.activity = Objects.requireNonNull(activity, "activity");
    this.epoch = Objects.requireNonNull(epoch, "epoch");
    this.mode = Objects.requireNonNull(mode, "mode");
    setPace(pace);
  }

  public static SimClock get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  static Instant epochSetting(String value) {
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "fleetsim.time.epoch must be an ISO-8601 instant such as 2030-01-01T00:00:00Z, was "
              + value,
          e);
    }
  }

  // ---- reading time --------------------------------------------------------------------------

  /** The current simulated instant. */
  public Instant now() {
    return epoch.plusMillis(nowMillis);
  }

  /** Simulated milliseconds since the epoch. */
  public long nowMillis() {
    return nowMillis;
  }

  /** Simulated time zero. */
  public Instant epoch() {
    return epoch;
  }

  /** How many times the clock moved to a later instant. */
  public long advances() {
    return advances;
  }

  public Mode mode() {
    return mode;
  }

  // ---- scheduling ----------------------------------------------------------------------------

  /**
   * Whole milliseconds a timer of {@code delay} waits: the delay rounded up, so a timer never fires
   * before its modelled duration has passed.
   */
  public static long delayMillis(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("a timer's delay must not be negative, was " + delay);
    }
    long millis = delay.toMillis();
    return Duration.ofMillis(millis).equals(delay) ? millis : millis + 1;
  }

  /**
   * Runs {@code action} on the clock's thread at now plus {@code delay} (rounded up to the
   * millisecond). A zero delay runs it at this instant, once the work of this instant has settled.
   */
  public Timer schedule(Duration delay, Runnable action) {
    Objects.requireNonNull(action, "action");
    long due = nowMillis + delayMillis(delay);
    Entry e;
    boolean first;
    synchronized (lock) {
      e = new Entry(due, sequence++, action);
      queue.add(e);
      first = queue.first() == e;
    }
    if (first) {
      activity.nudge();
    }
    return e;
  }

  /**
   * Runs {@code action} at the end of this instant: once the node is idle and no timer is due now
   * any more, before time moves on. What it does is the last work of the instant; if it makes more
   * work, that work settles (and may add end-of-instant actions) before the clock moves.
   */
  public Timer atEndOfInstant(Runnable action) {
    Objects.requireNonNull(action, "action");
    EndAction a = new EndAction(action);
    synchronized (lock) {
      endOfInstant.add(a);
    }
    activity.nudge();
    return a;
  }

  private final class EndAction implements Timer {
    final Runnable action;

    EndAction(Runnable action) {
      this.action = action;
    }

    @Override
    public boolean cancel() {
      synchronized (lock) {
        return endOfInstant.remove(this);
      }
    }
  }

  private final class Entry implements Comparable<Entry>, Timer {
    final long due;
    final long seq;
    final Runnable action;

    Entry(long due, long seq, Runnable action) {
      this.due = due;
      this.seq = seq;
      this.action = action;
    }

    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }

    @Override
    public boolean cancel() {
      synchronized (lock) {
        return queue.remove(this);
      }
    }
  }

  // ---- driving -------------------------------------------------------------------------------

  /** Work a driver does at the current instant: the clock does not advance until it is closed. */
  public final class Hold implements AutoCloseable {
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Hold() {
      activity.enter();
      // A step that was already moving time finishes before the hold is granted; any later one
      // sees the hold (steps decide under the lock), so time stands still from here on.
      synchronized (lock) {
        holds++;
      }
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        activity.exit();
      }
    }
  }

  /** Stops the clock at this instant until the hold is closed. */
  public Hold hold() {
    return new Hold();
  }

  /** Simulated seconds per wall second at most; zero for as fast as the node goes. */
  public double pace() {
    return pace;
  }

  public void setPace(double simSecondsPerWallSecond) {
    if (!(simSecondsPerWallSecond >= 0) || Double.isInfinite(simSecondsPerWallSecond)) {
      throw new IllegalArgumentException(
          "the pace must be zero (none) or a positive number of simulated seconds per wall"
              + " second, was "
              + simSecondsPerWallSecond);
    }
    synchronized (lock) {
      this.pace = simSecondsPerWallSecond;
      anchor(nowMillis);
    }
    activity.nudge();
  }

  /**
   * Auto mode: lets the clock run to {@code at} and no further. The future completes when the clock
   * stands at {@code at} with the node idle, so a driver can look at (or act on) the simulation at
   * an exact instant, whatever the wall time it took to get there. Time stays there until the next
   * call, or {@link #unlimited()}.
   */
  public CompletableFuture<Instant> runUntil(Instant at) {
    if (mode != Mode.AUTO) {
      throw new IllegalStateException("runUntil is for a clock in auto mode; use advance");
    }
    long limit = Duration.between(epoch, at).toMillis();
    CompletableFuture<Instant> reached = new CompletableFuture<>();
    synchronized (lock) {
      if (limit < nowMillis) {
        throw new IllegalArgumentException("cannot run until " + at + ", it is already " + now());
      }
      if (limitReached != null) {
        limitReached.cancel(false);
      }
      limitMillis = limit;
      limitReached = reached;
    }
    activity.nudge();
    return reached;
  }

  /** Auto mode: lifts the limit {@link #runUntil} set. */
  public void unlimited() {
    synchronized (lock) {
      limitMillis = Long.MAX_VALUE;
      if (limitReached != null) {
        limitReached.cancel(false);
        limitReached = null;
      }
    }
    activity.nudge();
  }

  /** Completes the {@link #runUntil} future once the clock stands idle at the limit. */
  private void checkLimitReached() {
    CompletableFuture<Instant> reached;
    synchronized (lock) {
      if (limitReached == null || nowMillis != limitMillis) {
        return;
      }
      reached = limitReached;
      limitReached = null;
    }
    reached.complete(now());
  }

  private void anchor(long simMillis) {
    anchorSimMillis = simMillis;
    anchorWallNanos = System.nanoTime();
  }

  /** What {@link #step} returns when nothing is due up to the limit. */
  private static final long NOTHING = Long.MAX_VALUE;

  /**
   * One step, called with no work in hand: delivers the timers due now, else moves to the next due
   * instant not beyond {@code limit} and delivers its timers. Returns {@code 0} when it delivered,
   * a {@link System#nanoTime} deadline when the pace says to wait, or {@link #NOTHING}.
   */
  private long step(long limit) {
    List<Entry> due = new ArrayList<>();
    List<EndAction> ending = null;
    synchronized (lock) {
      if (!activity.idle()) {
        // Work came in (a hold, an outside message) since the caller looked: not idle after all.
        return 0;
      }
      if (!endOfInstant.isEmpty() && (queue.isEmpty() || queue.first().due > nowMillis)) {
        ending = new ArrayList<>(endOfInstant);
        endOfInstant.clear();
      }
    }
    if (ending != null) {
      for (EndAction a : ending) {
        a.action.run();
      }
      return 0;
    }
    synchronized (lock) {
      if (!activity.idle()) {
        return 0;
      }
      if (queue.isEmpty() || queue.first().due > limit) {
        if (limit != Long.MAX_VALUE && nowMillis < limit) {
          // Nothing happens before the limit: stand at it, so that whoever set it acts there.
          nowMillis = limit;
          advances++;
        }
        return NOTHING;
      }
      long next = queue.first().due;
      if (next > nowMillis) {
        if (pace > 0 && mode == Mode.AUTO) {
          long wallAt = anchorWallNanos + (long) ((next - anchorSimMillis) * 1e6 / pace);
          long nowNanos = System.nanoTime();
          if (wallAt - nowNanos > 0) {
            return wallAt;
          }
          if (nowNanos - wallAt > 1_000_000_000L) {
            // Far behind the pace (the node was busy): carry on from here rather than rush.
            anchorSimMillis = next;
            anchorWallNanos = nowNanos;
          }
        }
        nowMillis = next;
        advances++;
      }
      while (!queue.isEmpty() && queue.first().due <= nowMillis) {
        due.add(queue.pollFirst());
      }
    }
    for (Entry e : due) {
      e.action.run();
    }
    return 0;
  }

  private void start(String name) {
    running = true;
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void stop() {
    running = false;
    activity.nudge();
  }

  private void run() {
    activity.waiter(Thread.currentThread());
    while (running) {
      if (!activity.idle()) {
        LockSupport.park(this);
        continue;
      }
      long r = step(limitMillis);
      if (r == NOTHING) {
        // Idle with nothing due (before the limit): say so to a driver waiting at the limit,
        // then sleep until a timer is scheduled or work comes and goes.
        checkLimitReached();
        LockSupport.park(this);
      } else if (r != 0) {
        // Not yet at this pace.
        LockSupport.parkNanos(this, r - System.nanoTime());
      }
    }
  }

  /**
   * Manual mode: moves time forward by {@code by}, delivering every timer due on the way at its own
   * instant and letting each instant's work settle before the next; returns with the node idle at
   * the new instant.
   */
  public void advance(Duration by) {
    if (mode != Mode.MANUAL) {
      throw new IllegalStateException("advance is for a clock in manual mode (fleetsim.time.mode)");
    }
    long target = nowMillis + delayMillis(by);
    while (true) {
      awaitIdle();
      if (step(target) == NOTHING) {
        break;
      }
    }
    synchronized (lock) {
      if (target > nowMillis) {
        nowMillis = target;
        advances++;
      }
    }
    awaitIdle();
  }

  /** Blocks the caller until the node has no work in hand (manual mode, or under a test). */
  public void awaitIdle() {
    if (mode == Mode.AUTO) {
      // The clock thread is the one woken in auto mode; look without taking its place.
      while (!activity.idle()) {
        LockSupport.parkNanos(this, 100_000);
      }
      return;
    }
    activity.waiter(Thread.currentThread());
    while (!activity.idle()) {
      LockSupport.park(this);
    }
  }

  @Override
  public String toString() {
    return "SimClock("
        + now()
        + ", "
        + mode
        + ", pace "
        + pace
        + ", "
        + advances
        + " advances, "
        + holds
        + " holds)";
  }
}
