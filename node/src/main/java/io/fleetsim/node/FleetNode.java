package io.fleetsim.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.fleetsim.cloud.CloudSharding;
import io.fleetsim.cluster.SingleNode;
import io.fleetsim.cluster.time.CountedDispatchers;
import io.fleetsim.persistence.PersistenceSetup;
import io.fleetsim.vehicle.Vehicle;
import io.fleetsim.vehicle.VehicleSharding;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/**
 * One fleetsim node: the place where every module is wired together. Start-up order matters and
 * reads top to bottom in {@link #start}: configuration (with the JDBC journal opted in), journal
 * tables, the actor system, cluster membership, then sharding for the cloud and the vehicles with
 * the cloud waking vehicles through {@link VehicleSharding#notifier}.
 */
public final class FleetNode implements AutoCloseable {

  /** Where the journal lives. */
  public enum Db {
    /** Embedded H2 file in the data directory; one node only. */
    H2,
    /** In-memory H2 private to this node; nothing survives the process (tests, benchmarks). */
    H2_MEMORY,
    /** The PostgreSQL server named by {@code fleetsim.postgres.*}; required for several nodes. */
    POSTGRES
  }

  /**
   * How to start a node.
   *
   * @param dataDir where the H2 file goes (ignored for the other databases)
   * @param pace at most this many simulated seconds per wall second; 0 for as fast as the node goes
   *     (the results are the same either way)
   * @param seed scenario seed: the same seed builds the same fleet, keys and waves
   * @param port cluster port; 0 picks a free one
   * @param seedNodes addresses such as {@code pekko://fleetsim@10.0.0.1:2551}; empty makes this
   *     node a cluster of its own
   * @param settings configuration values set over the node's configuration, by path (such as {@code
   *     fleetsim.passivation.enabled})
   */
  public record Options(
      Path dataDir,
      Db db,
      double pace,
      long seed,
      int port,
      List<String> seedNodes,
      Map<String, Object> settings) {

    public Options {
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(db, "db");
      if (!(pace >= 0) || Double.isInfinite(pace)) {
        throw new IllegalArgumentException(
            "pace must be zero (none) or a positive number, was " + pace);
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be within 0..65535, was " + port);
      }
      seedNodes = seedNodes == null ? List.of() : List.copyOf(seedNodes);
      settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    /** A one-node fleet on an H2 file in {@code dataDir}. */
    public static Options singleNode(Path dataDir, double pace, long seed) {
      return new Options(dataDir, Db.H2, pace, seed, 0, List.of(), Map.of());
    }

    public Options withDb(Db newDb) {
      return new Options(dataDir, newDb, pace, seed, port, seedNodes, settings);
    }

    /** As these options, with the configuration value at {@code path} set to {@code value}. */
    public Options with(String path, Object value) {
      Map<String, Object> next = new java.util.TreeMap<>(settings);
      next.put(path, value);
      return new Options(dataDir, db, pace, seed, port, seedNodes, next);
    }

    /** Whether idle entities passivate ({@code fleetsim.passivation.enabled}). */
    public Options withPassivation(boolean on) {
      return with("fleetsim.passivation.enabled", on);
    }

    /** Whether polls foreseen to find nothing new are skipped ({@code ForeseenPoll}). */
    public Options withForeseenPollsSkipped(boolean on) {
      return with("fleetsim.vehicle.skip-foreseen-polls", on);
    }
  }

  private final ActorSystem<Void> system;
  private final CloudSharding.Cloud cloud;
  private final Config config;

  private FleetNode(ActorSystem<Void> system, CloudSharding.Cloud cloud, Config config) {
    this.system = system;
    this.cloud = cloud;
    this.config = config;
  }

  /** Starts a node and returns once its entities can be addressed (messages buffer until up). */
  public static FleetNode start(Options options) {
    Config config = config(options);
    // The clock trusts "idle" only when every dispatcher simulation work runs on counts its tasks.
    CountedDispatchers.require(config);
    // The tables must exist before the first entity recovers or the read model polls the journal.
    PersistenceSetup.createSchema(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "fleetsim", config);
    try {
      join(system, options.seedNodes());
      CloudSharding.Cloud cloud = CloudSharding.init(system, VehicleSharding.notifier(system));
      VehicleSharding.init(system);
      return new FleetNode(system, cloud, config);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /** The node's configuration: the options over the loaded settings, JDBC journal selected. */
  static Config config(Options o) {
    Config overlay =
        ConfigFactory.empty()
            .withValue("fleetsim.time.pace", ConfigValueFactory.fromAnyRef(o.pace()))
            .withValue("fleetsim.seed", ConfigValueFactory.fromAnyRef(o.seed()))
            .withValue("fleetsim.node.port", ConfigValueFactory.fromAnyRef(o.port()))
            .withValue(
                "pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(o.port()))
            .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(o.seedNodes()))
            // Entities are persistent, so handing shards over needs no long wait; the default
            // ten seconds would make every CLI run linger after its work is done.
            .withValue(
                "pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout",
                ConfigValueFactory.fromAnyRef("3s"))
            // A wave start makes thousands of Directors and vehicles persist at one simulated
            // instant; the journal's default queue of 1,000 writes overflows and its circuit
            // breaker then fails every entity fast. Queue more and give big batches longer.
            .withValue("jdbc-journal.bufferSize", ConfigValueFactory.fromAnyRef(100_000))
            // A campaign entity receives every vehicle's assignment reply and outcome while it
            // persists; past the default stash of 4,096 Pekko drops them silently and those
            // vehicles never settle, so a large wave would stall below its success threshold.
            .withValue(
                "pekko.persistence.typed.stash-capacity", ConfigValueFactory.fromAnyRef(1_000_000))
            .withValue(
                "jdbc-journal.circuit-breaker.call-timeout", ConfigValueFactory.fromAnyRef("60s"))
            .withValue(
                "jdbc-snapshot-store.circuit-breaker.call-timeout",
                ConfigValueFactory.fromAnyRef("60s"));
    for (Map.Entry<String, Object> e : o.settings().entrySet()) {
      overlay = overlay.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
    }
    overlay =
        switch (o.db()) {
          case H2 ->
              overlay
                  .withValue("fleetsim.db", ConfigValueFactory.fromAnyRef("h2"))
                  .withValue(
                      "fleetsim.h2.url", ConfigValueFactory.fromAnyRef(h2FileUrl(o.dataDir())));
          case H2_MEMORY ->
              overlay
                  .withValue("fleetsim.db", ConfigValueFactory.fromAnyRef("h2"))
                  .withValue(
                      "fleetsim.h2.url",
                      ConfigValueFactory.fromAnyRef(
                          "jdbc:h2:mem:fleetsim_"
                              + UUID.randomUUID().toString().replace('-', '_')
                              + ";DB_CLOSE_DELAY=-1"));
          case POSTGRES ->
              overlay.withValue("fleetsim.db", ConfigValueFactory.fromAnyRef("postgres"));
        };
    Config settings = overlay.withFallback(SingleNode.config("fleetsim")).resolve();
    // The persistence module leaves the journal unselected; a node is where it is chosen.
    return PersistenceSetup.fromSettings(settings).withFallback(settings).resolve();
  }

  private static String h2FileUrl(Path dataDir) {
    return "jdbc:h2:file:"
        + dataDir.toAbsolutePath().normalize().resolve("fleetsim")
        + ";DB_CLOSE_ON_EXIT=FALSE";
  }

  /**
   * A node alone in its cluster has no peer to lose: a full collection of a large heap delays its
   * heartbeat tick by seconds, and the warning that follows ("may cause failure detection to mark
   * members as unreachable") would only alarm whoever watches a big run. With peers it stays.
   */
  private static void quietHeartbeatOnOneNode() {
    if (org.slf4j.LoggerFactory.getLogger("org.apache.pekko.cluster.ClusterHeartbeat")
        instanceof ch.qos.logback.classic.Logger heartbeat) {
      heartbeat.setLevel(ch.qos.logback.classic.Level.ERROR);
    }
  }

  private static void join(ActorSystem<?> system, List<String> seedNodes) {
    if (seedNodes.isEmpty()) {
      SingleNode.joinSelf(system);
      quietHeartbeatOnOneNode();
      return;
    }
    List<org.apache.pekko.actor.Address> addresses =
        seedNodes.stream().map(org.apache.pekko.actor.AddressFromURIString::parse).toList();
    Cluster.get(system).manager().tell(new JoinSeedNodes(addresses));
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public CloudSharding.Cloud cloud() {
    return cloud;
  }

  public Config config() {
    return config;
  }

  public EntityRef<Vehicle.Command> vehicle(String vin) {
    return VehicleSharding.vehicle(system, vin);
  }

  /**
   * Rows in the event journal: a cheap count of the events written so far (the ordering column is
   * an identity, so its maximum is the number of events ever appended when nothing was deleted).
   */
  public long journalEvents() {
    String schema = config.getString("jdbc-journal.tables.event_journal.schemaName");
    String table = config.getString("jdbc-journal.tables.event_journal.tableName");
    String qualified = (schema.isEmpty() ? "" : "\"" + schema + "\".") + "\"" + table + "\"";
    try (Connection connection = PersistenceSetup.journalConnection(config);
        Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(\"ordering\"), 0) FROM " + qualified)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count journal events: " + e.getMessage(), e);
    }
  }

  /**
   * Leaves the cluster and stops the system through coordinated shutdown, so shards hand over and
   * the journal connections close before the JVM moves on.
   */
  @Override
  public void close() {
    cloud.readModel().shutdown();
    CoordinatedShutdown.get(system)
        .runAll(CoordinatedShutdown.clusterLeavingReason())
        .toCompletableFuture()
        .orTimeout(30, TimeUnit.SECONDS)
        .exceptionally(e -> null)
        .join();
    system.terminate();
    try {
      system
          .getWhenTerminated()
          .toCompletableFuture()
          .get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      // Best effort: a node that cannot stop in time is abandoned rather than blocking the CLI.
    }
  }
}
