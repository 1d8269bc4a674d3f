package io.fleetsim.cluster.time;

import io.fleetsim.cluster.EntityHome;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Keyed single timers on simulated time, the shape of Pekko's {@code TimerScheduler}: starting a
 * timer under a key replaces the one under that key, and a cancelled or replaced timer's message is
 * never delivered, even when the clock had already sent it.
 *
 * <p>Two kinds of owner:
 *
 * <ul>
 *   <li>a plain actor ({@link #withTimers}): the timers are its own, delivered to it, and end with
 *       it (stop or restart);
 *   <li>a sharded entity ({@link #forEntity}): the node keeps the timers under the entity's type
 *       and id ({@link EntityTimers}) and delivers them through sharding, so they outlive the
 *       entity's incarnation: a passivated entity is started again by its due timer, and acts at
 *       exactly the due instant. At the end of each instant in which it handled a message, when the
 *       whole node is idle, the entity is sent its idle check, to which it answers by passivating
 *       when nothing of it is left in memory.
 * </ul>
 *
 * <p>A timer may come with a {@link Foresight}: when it is due, the node first asks it whether the
 * timer's outcome is already known. If it is, the message is not delivered (a passivated entity is
 * not started) and the timer is due again when the foresight says; the entity can still ask until
 * when that unseen firing had effect ({@link #foreseenUntil}). This is how a poll that cannot find
 * anything new costs nothing.
 *
 * <p>Used from the actor's own thread only, like {@code TimerScheduler}; a foreseen firing re-arms
 * its timer from the clock's thread, with a compare-and-set that loses to anything the actor did to
 * the same key meanwhile. Pekko's timers stay for what is wall time (ask timeouts, safety nets).
 */
public final class SimTimers<T> {

  /** Wraps {@code factory}'s behavior with simulated timers of its own. */
  public static <T> Behavior<T> withTimers(Function<SimTimers<T>, Behavior<T>> factory) {
    return Behaviors.setup(
        ctx -> {
          Consumer<Object> self = ctx.getSelf().unsafeUpcast()::tell;
          SimTimers<T> timers =
              new SimTimers<>(
                  SimClock.get(ctx.getSystem()),
                  EntityTimers.get(ctx.getSystem()),
                  new ConcurrentHashMap<>(),
                  self,
                  null);
          return intercepted(timers, factory.apply(timers));
        });
  }

  /**
   * Wraps a sharded entity's behavior with timers the node keeps for it ({@code home}); {@code
   * idleCheck} is the message it is sent once an instant in which it worked has settled. Without a
   * home (the entity is run outside sharding) the timers are its own, as with {@link #withTimers}.
   */
  public static <T> Behavior<T> forEntity(
      EntityHome home, T idleCheck, Function<SimTimers<T>, Behavior<T>> factory) {
    if (home == null) {
      return withTimers(factory);
    }
    return Behaviors.setup(
        ctx -> {
          EntityTimers registry = EntityTimers.get(ctx.getSystem());
          Incarnation alive = new Incarnation(ctx.getSelf().unsafeUpcast(), home);
          SimTimers<T> timers =
              new SimTimers<>(
                  SimClock.get(ctx.getSystem()),
                  registry,
                  registry.of(home.key()),
                  alive::deliver,
                  idleCheck);
          timers.incarnation = alive;
          return intercepted(timers, factory.apply(timers));
        });
  }

  /**
   * Arms a timer of the sharded entity {@code entityId} of {@code type} while it does not run, as
   * if it had armed it itself ({@link #startSingleTimer(Object, Object, Duration, Foresight)}): the
   * node keeps it, and when it is delivered, through sharding, the entity starts and finds it
   * pending under {@code key}. For entities created in bulk, straight into the journal.
   */
  public static void startForEntity(
      ActorSystem<?> system,
      EntityTypeKey<?> type,
      String entityId,
      Object key,
      Object message,
      Duration delay,
      Foresight foresight) {
    RecipientRef<Object> route = EntityHome.route(system, type, entityId);
    EntityTimers registry = EntityTimers.get(system);
    new SimTimers<Object>(
            SimClock.get(system),
            registry,
            registry.of(EntityHome.key(type.name(), entityId)),
            route::tell,
            null)
        .startSingleTimer(key, message, delay, foresight);
  }

  private static <T> Behavior<T> intercepted(SimTimers<T> timers, Behavior<T> inner) {
    Behavior<Object> wrapped = Behaviors.intercept(() -> new Interceptor<>(timers), inner);
    @SuppressWarnings("unchecked")
    Behavior<T> typed = (Behavior<T>) (Behavior<?>) wrapped;
    return typed;
  }

  /**
   * Where a sharded entity's timers go: straight to the running incarnation, or through sharding
   * once it asked to be passivated, which buffers them while it stops and then starts the next
   * incarnation. An entity passivates only at the end of an instant, with the node idle, so no
   * timer of it is on its way to the stopping incarnation.
   */
  private static final class Incarnation {
    private volatile ActorRef<Object> self;
    private final EntityHome home;

    Incarnation(ActorRef<Object> self, EntityHome home) {
      this.self = self;
      this.home = home;
    }

    void deliver(Object message) {
      ActorRef<Object> s = self;
      if (s != null) {
        s.tell(message);
      } else {
        home.route().tell(message);
      }
    }

    /** Asks the shard to stop this incarnation; from now on timers go through sharding. */
    void passivate() {
      ActorRef<Object> s = self;
      if (s != null && home.passivation()) {
        self = null;
        home.passivate(s);
      }
    }
  }

  /** A due timer's message on its way; delivered only if it is still the key's pending timer. */
  record Fired(Object key, long generation, Object message) {}

  /**
   * A timer the clock holds, the generation that tells it from later ones under its key, and until
   * when its last firing that was foreseen rather than delivered had effect (0 if none).
   */
  record Pending(long generation, SimClock.Timer timer, long foreseenUntil) {
    Pending(long generation, SimClock.Timer timer) {
      this(generation, timer, 0);
    }
  }

  /**
   * Asked, on the clock's thread, when a timer is due: whether its outcome is known without the
   * entity. It may read only what is safe to read from any thread, and must answer the same for the
   * same simulation.
   */
  public interface Foresight {
    /** The firing due at {@code nowMillis} foreseen, or null to deliver the message. */
    Foreseen at(long nowMillis);
  }

  /**
   * A firing not delivered because its outcome is known: what it would have set going lasts until
   * {@code untilMillis} (at least the firing's instant), and the timer is due again at {@code
   * nextDueMillis} (later than that).
   */
  public record Foreseen(long nextDueMillis, long untilMillis) {}

  private static final Object IDLE_KEY = new Object();

  private final SimClock clock;
  private final EntityTimers registry;
  private final Map<Object, Pending> pending;
  private final Consumer<Object> deliver;
  private final T idleCheck;
  private Incarnation incarnation;

  private SimTimers(
      SimClock clock,
      EntityTimers registry,
      Map<Object, Pending> pending,
      Consumer<Object> deliver,
      T idleCheck) {
    this.clock = clock;
    this.registry = registry;
    this.pending = pending;
    this.deliver = deliver;
    this.idleCheck = idleCheck;
  }

  /** The clock the timers run on. */
  public SimClock clock() {
    return clock;
  }

  /** Delivers {@code message} to this actor after {@code delay} of simulated time. */
  public void startSingleTimer(Object key, T message, Duration delay) {
    cancel(key);
    long g = registry.nextGeneration();
    SimClock.Timer t = clock.schedule(delay, () -> deliver.accept(new Fired(key, g, message)));
    pending.put(key, new Pending(g, t));
  }

  /**
   * As above; when due, {@code foresight} may answer for the entity instead ({@link Foresight}), as
   * often as it knows the outcome, and the message is delivered at the first firing it does not.
   */
  public void startSingleTimer(Object key, T message, Duration delay, Foresight foresight) {
    cancel(key);
    pending.put(key, armed(key, message, foresight, SimClock.delayMillis(delay), 0));
  }

  /** A foreseen timer, its due firing put to {@code foresight} first. */
  private Pending armed(
      Object key, T message, Foresight foresight, long delayMillis, long foreseenUntil) {
    long g = registry.nextGeneration();
    AtomicReference<Pending> self = new AtomicReference<>();
    SimClock.Timer t =
        clock.schedule(
            Duration.ofMillis(delayMillis),
            () -> {
              long now = clock.nowMillis();
              Foreseen f = foresight.at(now);
              // A foresight that cannot say when the timer is due next is not trusted: the
              // message is delivered, which is always what an unforeseen timer does.
              if (f == null || f.untilMillis() < now || f.nextDueMillis() <= f.untilMillis()) {
                deliver.accept(new Fired(key, g, message));
              } else {
                rearm(key, message, foresight, f, self.get());
              }
            });
    self.set(new Pending(g, t, foreseenUntil));
    return self.get();
  }

  /** On the clock's thread: the foreseen timer is due again, unless the actor changed it since. */
  private void rearm(Object key, T message, Foresight foresight, Foreseen f, Pending fired) {
    long now = clock.nowMillis();
    Pending next = armed(key, message, foresight, f.nextDueMillis() - now, f.untilMillis());
    if (!pending.replace(key, fired, next)) {
      next.timer().cancel();
    }
  }

  /**
   * Until when the last firing of the timer under {@code key} that was foreseen rather than
   * delivered had effect, in simulated milliseconds; 0 when there was none since it was started.
   */
  public long foreseenUntil(Object key) {
    Pending p = pending.get(key);
    return p == null ? 0 : p.foreseenUntil();
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

  /**
   * A sharded entity with nothing in memory asks to be passivated; its timers stay with the node
   * and the next one due starts it again. Nothing for an actor outside sharding, or with {@code
   * fleetsim.passivation.enabled} off.
   */
  public void passivate() {
    if (incarnation != null) {
      incarnation.passivate();
    }
  }

  /**
   * Whether timers other than the idle check and those whose key {@code ignored} accepts are
   * pending.
   */
  public boolean anyPendingOtherThan(Predicate<Object> ignored) {
    for (Object key : pending.keySet()) {
      if (key != IDLE_KEY && !ignored.test(key)) {
        return true;
      }
    }
    return false;
  }

  /** Cancels every timer, the idle check's too. */
  public void cancelAll() {
    pending.values().forEach(p -> p.timer().cancel());
    pending.clear();
  }

  /** Whether timers other than the idle check are pending: an entity with one is not idle. */
  public boolean anyPending() {
    return anyPendingOtherThan(k -> false);
  }

  /** Whether timers other than the idle check and the one under {@code key} are pending. */
  public boolean anyPendingBut(Object key) {
    return anyPendingOtherThan(key::equals);
  }

  /** Whether a fired timer is still the one pending under its key; it is then no longer pending. */
  private boolean accept(Fired f) {
    Pending p = pending.get(f.key());
    if (p == null || p.generation() != f.generation()) {
      return false;
    }
    pending.remove(f.key());
    return true;
  }

  /**
   * After a message of an entity's: its idle check at the end of this instant ({@link
   * SimClock#atEndOfInstant}), when the whole node is idle, so that nothing can reach the entity
   * between its decision to passivate and its shard's stop.
   */
  private void worked(Object msg) {
    if (idleCheck != null && msg != idleCheck && !pending.containsKey(IDLE_KEY)) {
      long g = registry.nextGeneration();
      SimClock.Timer t =
          clock.atEndOfInstant(() -> deliver.accept(new Fired(IDLE_KEY, g, idleCheck)));
      pending.put(IDLE_KEY, new Pending(g, t));
    }
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
      Object m = msg;
      if (msg instanceof Fired f) {
        if (!timers.accept(f)) {
          return Behaviors.same();
        }
        m = f.message();
      }
      timers.worked(m);
      return target.apply(ctx, (T) m);
    }

    @Override
    public Behavior<T> aroundSignal(
        TypedActorContext<Object> ctx, Signal signal, SignalTarget<T> target) {
      if (timers.idleCheck == null
          && (signal instanceof PostStop || signal instanceof PreRestart)) {
        timers.cancelAll();
      }
      return target.apply(ctx, signal);
    }
  }
}
