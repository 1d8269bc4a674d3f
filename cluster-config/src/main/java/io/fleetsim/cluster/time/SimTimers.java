package io.fleetsim.cluster.time;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Keyed single timers on simulated time, the shape of Pekko's {@code TimerScheduler}: starting a
 * timer under a key replaces the one under that key, and a cancelled or replaced timer's message is
 * never delivered, even when the clock had already sent it. Timers end with the actor (stop or
 * restart).
 *
 * <p>Used from the actor's own thread only, like {@code TimerScheduler}. Pekko's timers stay for
 * what is wall time (ask timeouts, safety nets).
 */
public final class SimTimers<T> {

  /** Wraps {@code factory}'s behavior with simulated timers. */
  public static <T> Behavior<T> withTimers(Function<SimTimers<T>, Behavior<T>> factory) {
    return Behaviors.setup(
        ctx -> {
          SimTimers<T> timers =
              new SimTimers<>(SimClock.get(ctx.getSystem()), ctx.getSelf().unsafeUpcast());
          Behavior<Object> wrapped =
              Behaviors.intercept(() -> new Interceptor<>(timers), factory.apply(timers));
          @SuppressWarnings("unchecked")
          Behavior<T> typed = (Behavior<T>) (Behavior<?>) wrapped;
          return typed;
        });
  }

  private record Fired(SimTimers<?> owner, Object key, long generation, Object message) {}

  private record Pending(long generation, SimClock.Timer timer) {}

  private final SimClock clock;
  private final ActorRef<Object> self;
  private final Map<Object, Pending> pending = new HashMap<>();
  private long generation;

  private SimTimers(SimClock clock, ActorRef<Object> self) {
    this.clock = clock;
    this.self = self;
  }

  /** The clock the timers run on. */
  public SimClock clock() {
    return clock;
  }

  /** Delivers {@code message} to this actor after {@code delay} of simulated time. */
  public void startSingleTimer(Object key, T message, Duration delay) {
    cancel(key);
    long g = ++generation;
    SimClock.Timer t = clock.schedule(delay, () -> self.tell(new Fired(this, key, g, message)));
    pending.put(key, new Pending(g, t));
  }

  /** As above, with the message as its own key. */
  public void startSingleTimer(T message, Duration delay) {
    startSingleTimer(message, message, delay);
  }

  public boolean isTimerActive(Object key) {
    return pending.containsKey(key);
  }

  public void cancel(Object key) {
    Pending p = pending.remove(key);
    if (p != null) {
      p.timer().cancel();
    }
  }

  public void cancelAll() {
    pending.values().forEach(p -> p.timer().cancel());
    pending.clear();
  }

  /** Whether a fired timer is still the one pending under its key; it is then no longer pending. */
  private boolean accept(Fired f) {
    Pending p = pending.get(f.key());
    if (f.owner() != this || p == null || p.generation() != f.generation()) {
      return false;
    }
    pending.remove(f.key());
    return true;
  }

  private static final class Interceptor<T> extends BehaviorInterceptor<Object, T> {
    private final SimTimers<T> timers;

    Interceptor(SimTimers<T> timers) {
      super(Object.class);
      this.timers = timers;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Behavior<T> aroundReceive(
        TypedActorContext<Object> ctx, Object msg, ReceiveTarget<T> target) {
      if (msg instanceof Fired f) {
        return timers.accept(f) ? target.apply(ctx, (T) f.message()) : Behaviors.same();
      }
      return target.apply(ctx, (T) msg);
    }

    @Override
    public Behavior<T> aroundSignal(
        TypedActorContext<Object> ctx, Signal signal, SignalTarget<T> target) {
      if (signal instanceof PostStop || signal instanceof PreRestart) {
        timers.cancelAll();
      }
      return target.apply(ctx, signal);
    }
  }
}
