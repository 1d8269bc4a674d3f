package io.fleetsim.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.fleetsim.cluster.time.CountedDispatchers;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * A one-node cluster: what every module's tests and the default single-node fleet run on. Sharding
 * needs a cluster even on one machine; this node joins itself.
 */
public final class SingleNode {

  private SingleNode() {}

  /**
   * Cluster provider, Artery on 127.0.0.1 with a free port (tests run in parallel JVMs and must not
   * collide), no JVM exit on shutdown, and the counted dispatchers ({@link CountedDispatchers}).
   * Falls back to the loaded application configuration, so callers can layer their own settings on
   * top with {@code withFallback}.
   */
  public static Config config(String systemName) {
    return ConfigFactory.parseString(
            """
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.seed-nodes = []
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.coordinated-shutdown.exit-jvm = off
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            pekko.cluster.run-coordinated-shutdown-when-down = on
            # A test that shuts its node down waits for coordinated shutdown (leave, hand shards
            # off, stop the journal), which can outlast the testkit's default 10 s on a loaded
            # machine. Harmless outside tests: only ActorTestKit reads it.
            pekko.actor.testkit.typed.system-shutdown-default = 60s
            """)
        .withValue("fleetsim.node.name", ConfigValueFactory.fromAnyRef(systemName))
        // -D settings still win over the counted dispatchers' sizes; a node refuses to start on
        // a dispatcher they make uncounted (CountedDispatchers.require).
        .withFallback(ConfigFactory.systemProperties())
        .withFallback(CountedDispatchers.config())
        .withFallback(ConfigFactory.load());
  }

  /** Makes the node a one-member cluster; sharding buffers messages until it is up. */
  public static void joinSelf(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }
}
