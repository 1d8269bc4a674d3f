package io.fleetsim.cluster.time;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's simulated timers of sharded entities, by entity ({@link SimTimers#forEntity}): what
 * lets an entity be passivated without losing its next poll or its phase timeout. An entity's entry
 * is dropped when its last timer is gone, so an idle fleet costs one small map per vehicle with a
 * poll pending and nothing for the rest.
 *
 * <p>Each entity's map is used by that entity, one incarnation at a time (sharding starts the next
 * one only after the last has stopped), and by the clock's thread when it re-arms a foreseen timer
 * ({@link SimTimers.Foresight}) with a compare-and-set; changes that add or drop an entity's map
 * are made under the entity's entry in the registry.
 */
public final class EntityTimers implements Extension {

  private final ConcurrentHashMap<String, Map<Object, SimTimers.Pending>> byEntity =
      new ConcurrentHashMap<>();
  private final AtomicLong generations = new AtomicLong();

  /** The pending timers of the entity {@code key}, kept while it has any. */
  Map<Object, SimTimers.Pending> of(String key) {
    return new Entry(key);
  }

  long nextGeneration() {
    return generations.incrementAndGet();
  }

  /** Entities that have a timer pending. */
  public int entities() {
    return byEntity.size();
  }

  /** A view of one entity's timers that adds its map on the first put and drops it when empty. */
  private final class Entry extends AbstractMap<Object, SimTimers.Pending> {
    private final String key;

    Entry(String key) {
      this.key = key;
    }

    private Map<Object, SimTimers.Pending> map() {
      Map<Object, SimTimers.Pending> m = byEntity.get(key);
      return m == null ? Map.of() : m;
    }

    @Override
    public SimTimers.Pending get(Object k) {
      return map().get(k);
    }

    @Override
    public boolean containsKey(Object k) {
      return map().containsKey(k);
    }

    @Override
    public int size() {
      return map().size();
    }

    @Override
    public SimTimers.Pending put(Object k, SimTimers.Pending v) {
      SimTimers.Pending[] before = new SimTimers.Pending[1];
      byEntity.compute(
          key,
          (x, m) -> {
            Map<Object, SimTimers.Pending> map = m == null ? new ConcurrentHashMap<>(2) : m;
            before[0] = map.put(k, v);
            return map;
          });
      return before[0];
    }

    @Override
    public SimTimers.Pending remove(Object k) {
      SimTimers.Pending[] removed = new SimTimers.Pending[1];
      byEntity.computeIfPresent(
          key,
          (x, m) -> {
            removed[0] = m.remove(k);
            return m.isEmpty() ? null : m;
          });
      return removed[0];
    }

    @Override
    public boolean replace(Object k, SimTimers.Pending expected, SimTimers.Pending v) {
      boolean[] replaced = new boolean[1];
      byEntity.computeIfPresent(
          key,
          (x, m) -> {
            replaced[0] = m.replace(k, expected, v);
            return m;
          });
      return replaced[0];
    }

    @Override
    public void clear() {
      byEntity.remove(key);
    }

    @Override
    public Set<Map.Entry<Object, SimTimers.Pending>> entrySet() {
      return map().entrySet();
    }
  }

  public static EntityTimers get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private static final Id ID = new Id();

  public static final class Id extends ExtensionId<EntityTimers> {
    @Override
    public EntityTimers createExtension(ActorSystem<?> system) {
      return new EntityTimers();
    }
  }
}
