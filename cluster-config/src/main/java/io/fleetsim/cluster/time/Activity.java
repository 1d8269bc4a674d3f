package io.fleetsim.cluster.time;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How much simulation work a node has in hand: tasks queued or running on the counted dispatchers,
 * journal and snapshot operations in flight, and holds taken by drivers. The clock advances only
 * when it reads zero.
 *
 * <p>Soundness rests on one rule: every unit of work registers the work it causes ({@link #enter})
 * before it deregisters itself ({@link #exit}). A message sent from a running task is enqueued, and
 * its mailbox scheduled on a counted executor, inside that task; a journal write is entered by the
 * journal actor's task and exited only after its completion has been handed to a counted executor.
 * So the count never reads zero between a cause and its effect, and zero means that nothing at the
 * current instant is left to happen. See docs/architecture.md, "Virtual time".
 *
 * <p>One instance per actor system, found through the system's classic scheduler, which both the
 * dispatcher configurator and the clock can see.
 */
public final class Activity {

  private static final Map<Object, Activity> BY_SYSTEM =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final AtomicLong inHand = new AtomicLong();
  private volatile Thread waiter;

  /** The activity of the actor system whose classic scheduler is {@code scheduler}. */
  public static Activity of(Object scheduler) {
    return BY_SYSTEM.computeIfAbsent(scheduler, s -> new Activity());
  }

  /** A unit of work starts. */
  public void enter() {
    inHand.incrementAndGet();
  }

  /** A unit of work ended, after it registered everything it caused. */
  public void exit() {
    long left = inHand.decrementAndGet();
    if (left == 0) {
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    } else if (left < 0) {
      inHand.incrementAndGet();
      throw new IllegalStateException("activity exited more often than it entered");
    }
  }

  /** Units of work in hand now. */
  long inHand() {
    return inHand.get();
  }

  /** Whether no work is in hand. */
  boolean idle() {
    return inHand.get() == 0;
  }

  /**
   * The thread to wake when the count reads zero or {@link #nudge} is called: the clock's thread,
   * or in manual mode the thread advancing it. Waking is by {@link LockSupport#unpark}, whose
   * permit makes a wake-up before the park count.
   */
  void waiter(Thread thread) {
    waiter = thread;
  }

  /** The clock's waiting thread, if any, looks again (a timer was scheduled, a setting changed). */
  void nudge() {
    Thread w = waiter;
    if (w != null) {
      LockSupport.unpark(w);
    }
  }
}
