package io.fleetsim.cluster.time;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The dispatchers simulation work runs on, and the check that each counts its tasks. A dispatcher
 * that does not leaves the clock blind for as long as a message waits in its queue: a journal
 * plugin on Pekko's thread-pool default let the clock read "idle" between an entity's persist and
 * the journal taking it up, and jump past the entity's next timers.
 *
 * <p>The settings live in {@code fleetsim-dispatchers.conf}, not in {@code reference.conf}: Pekko's
 * reference files set the same paths, and which reference file wins depends on the order of jars on
 * the class path.
 */
public final class CountedDispatchers {

  private CountedDispatchers() {}

  /** The dispatchers Pekko runs entities, sharding, streams and blocking work on. */
  static final List<String> ACTOR_DISPATCHERS =
      List.of(
          "pekko.actor.default-dispatcher",
          "pekko.actor.internal-dispatcher",
          "pekko.actor.default-blocking-io-dispatcher");

  /** The counted dispatcher settings, to lay over a loaded configuration. */
  public static Config config() {
    return ConfigFactory.parseResources(
        CountedDispatchers.class.getClassLoader(), "fleetsim-dispatchers.conf");
  }

  /**
   * The dispatchers of {@code config} simulation work runs on that do not count their tasks:
   * Pekko's own, and those of the configured journal and snapshot plugins (their {@code
   * plugin-dispatcher} and {@code replay-dispatcher}). Empty when the clock can trust "idle".
   */
  public static List<String> uncounted(Config config) {
    Set<String> ids = new LinkedHashSet<>(ACTOR_DISPATCHERS);
    for (String plugin :
        List.of("pekko.persistence.journal.plugin", "pekko.persistence.snapshot-store.plugin")) {
      if (config.hasPath(plugin) && !config.getString(plugin).isEmpty()) {
        String id = config.getString(plugin);
        for (String key : List.of("plugin-dispatcher", "replay-dispatcher")) {
          if (config.hasPath(id + "." + key)) {
            ids.add(config.getString(id + "." + key));
          }
        }
      }
    }
    List<String> uncounted = new ArrayList<>();
    for (String id : ids) {
      String executor = config.hasPath(id + ".executor") ? config.getString(id + ".executor") : "";
      if (!executor.equals(CountedExecutorConfigurator.class.getName())) {
        uncounted.add(id + " (executor " + (executor.isEmpty() ? "unset" : executor) + ")");
      }
    }
    return uncounted;
  }

  /** Throws when a dispatcher of {@code config} that simulation work runs on does not count. */
  public static void require(Config config) {
    List<String> bad = uncounted(config);
    if (!bad.isEmpty()) {
      throw new IllegalStateException(
          "these dispatchers do not count their tasks, so the virtual clock could move while work"
              + " waits on them: "
              + String.join(", ", bad)
              + "; lay CountedDispatchers.config() over the configuration");
    }
  }
}
