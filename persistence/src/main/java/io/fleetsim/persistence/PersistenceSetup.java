package io.fleetsim.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * Journal, snapshot store and read journal on JDBC. The {@code h2*} and {@code postgres} methods
 * return configuration overlays: layer them over the rest with {@code withFallback}, e.g. {@code
 * PersistenceSetup.h2InMemory("t").withFallback(SingleNode.config("t"))}. Call {@link
 * #createSchema} once the actor system is up and before entities persist.
 */
public final class PersistenceSetup {

  private static final Pattern SCHEMA_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final String PLUGINS =
      """
      pekko.persistence.journal.plugin = "jdbc-journal"
      pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
      # Counted as simulation work, so the virtual clock waits for them (see Counted).
      jdbc-journal.class = "io.fleetsim.persistence.CountedJdbcJournal"
      jdbc-snapshot-store.class = "io.fleetsim.persistence.CountedJdbcSnapshotStore"
      # Events stamped with the simulated instant of their write (see CountedJdbcJournal).
      jdbc-journal.dao = "io.fleetsim.persistence.SimTimeJournalDao"
      """;

  private PersistenceSetup() {}

  /**
   * An in-memory H2 database named {@code dbName}. It lives as long as the JVM, so a second actor
   * system with the same name sees the first one's events (how recovery is tested); use distinct
   * names for independent tests.
   */
  public static Config h2InMemory(String dbName) {
    requireSchemaLikeName(dbName, "dbName");
    return h2Url("jdbc:h2:mem:" + dbName + ";DB_CLOSE_DELAY=-1");
  }

  /** An in-memory H2 database with a fresh random name. */
  public static Config h2InMemory() {
    return h2InMemory("fleetsim_" + UUID.randomUUID().toString().replace('-', '_'));
  }

  /** An embedded H2 file database {@code fleetsim.mv.db} in {@code dir}. */
  public static Config h2File(Path dir) {
    Objects.requireNonNull(dir, "dir");
    String path = dir.toAbsolutePath().normalize().resolve("fleetsim").toString();
    return h2Url("jdbc:h2:file:" + path + ";DB_CLOSE_ON_EXIT=FALSE;CACHE_SIZE=262144");
  }

  private static Config h2Url(String url) {
    return ConfigFactory.parseString(PLUGINS)
        .withValue("fleetsim.db", ConfigValueFactory.fromAnyRef("h2"))
        .withValue("fleetsim.h2.url", ConfigValueFactory.fromAnyRef(url))
        .withValue(
            "pekko-persistence-jdbc.shared-databases.h2.db.url", ConfigValueFactory.fromAnyRef(url))
        .withFallback(useSharedDb("h2"));
  }

  /** PostgreSQL, tables in the {@code public} schema. */
  public static Config postgres(String url, String user, String password) {
    return postgres(url, user, password, "public");
  }

  /**
   * PostgreSQL, tables in {@code schema} (created by {@link #createSchema} if missing). Separate
   * schemas keep independent runs or tests on one server apart.
   */
  public static Config postgres(String url, String user, String password, String schema) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    requireSchemaLikeName(schema, "schema");
    String prefix = "pekko-persistence-jdbc.shared-databases.postgres.db.";
    Config overlay =
        ConfigFactory.parseString(PLUGINS)
            .withValue("fleetsim.db", ConfigValueFactory.fromAnyRef("postgres"))
            .withValue("fleetsim.postgres.url", ConfigValueFactory.fromAnyRef(url))
            .withValue("fleetsim.postgres.user", ConfigValueFactory.fromAnyRef(user))
            .withValue("fleetsim.postgres.password", ConfigValueFactory.fromAnyRef(password))
            .withValue("fleetsim.postgres.schema", ConfigValueFactory.fromAnyRef(schema))
            .withValue(prefix + "url", ConfigValueFactory.fromAnyRef(url))
            .withValue(prefix + "user", ConfigValueFactory.fromAnyRef(user))
            .withValue(prefix + "password", ConfigValueFactory.fromAnyRef(password));
    // The read journal's table settings were copied from the journal's when reference.conf was
    // resolved, so each copy needs the schema set explicitly.
    for (String table :
        List.of(
            "jdbc-journal.tables.event_journal",
            "jdbc-journal.tables.event_tag",
            "jdbc-read-journal.tables.event_journal",
            "jdbc-read-journal.tables.event_tag",
            "jdbc-snapshot-store.tables.snapshot")) {
      overlay = overlay.withValue(table + ".schemaName", ConfigValueFactory.fromAnyRef(schema));
    }
    return overlay.withFallback(useSharedDb("postgres"));
  }

  /**
   * The overlay that {@code fleetsim.db} (and {@code fleetsim.h2.*} / {@code fleetsim.postgres.*})
   * in {@code settings} asks for; what the node applies to its loaded configuration.
   */
  public static Config fromSettings(Config settings) {
    String db = settings.getString("fleetsim.db");
    return switch (db) {
      case "h2" -> h2Url(settings.getString("fleetsim.h2.url"));
      case "postgres" ->
          postgres(
              settings.getString("fleetsim.postgres.url"),
              settings.getString("fleetsim.postgres.user"),
              settings.getString("fleetsim.postgres.password"),
              settings.getString("fleetsim.postgres.schema"));
      default ->
          throw new IllegalArgumentException(
              "fleetsim.db must be \"h2\" or \"postgres\", was \"" + db + "\"");
    };
  }

  private static Config useSharedDb(String name) {
    return ConfigFactory.parseMap(
        Map.of(
            "jdbc-journal.use-shared-db", name,
            "jdbc-snapshot-store.use-shared-db", name,
            "jdbc-read-journal.use-shared-db", name));
  }

  /** {@code fleetsim.snapshot-every}: events between snapshots. */
  public static int snapshotEvery(ActorSystem<?> system) {
    int n = system.settings().config().getInt("fleetsim.snapshot-every");
    if (n < 1) {
      throw new IllegalArgumentException("fleetsim.snapshot-every must be at least 1, was " + n);
    }
    return n;
  }

  /**
   * Snapshot every {@link #snapshotEvery} events and keep two, so a snapshot that fails to load
   * still leaves an older one to recover from.
   */
  public static RetentionCriteria retention(ActorSystem<?> system) {
    return RetentionCriteria.snapshotEvery(snapshotEvery(system), 2);
  }

  /**
   * A plain JDBC connection to the database the journal of {@code config} uses (its shared
   * database's url, user and password), for work beside the plugin: the schema, counts, traces.
   */
  public static Connection journalConnection(Config config) throws SQLException {
    Config c = journalDb(config);
    return DriverManager.getConnection(
        c.getString("url"),
        c.hasPath("user") ? c.getString("user") : null,
        c.hasPath("password") ? c.getString("password") : null);
  }

  private static Config journalDb(Config config) {
    String db = config.getString("jdbc-journal.use-shared-db");
    return config.getConfig("pekko-persistence-jdbc.shared-databases." + db + ".db");
  }

  /**
   * Creates the journal, tag and snapshot tables if they do not exist. Idempotent and safe to run
   * from several nodes at once (PostgreSQL serialises it with an advisory lock). The blocking JDBC
   * work runs on Pekko's blocking-IO dispatcher.
   */
  public static CompletionStage<Done> createSchema(ActorSystem<?> system) {
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    Config config = system.settings().config();
    return CompletableFuture.supplyAsync(() -> createSchema(config), blocking);
  }

  /** The synchronous form of {@link #createSchema(ActorSystem)}, for tools without a system. */
  public static Done createSchema(Config config) {
    Dialect dialect = Dialect.of(config);
    String schema = config.getString("jdbc-journal.tables.event_journal.schemaName");
    if (schema.isEmpty()) {
      schema = dialect.defaultSchema;
    }
    requireSchemaLikeName(schema, "schema");
    List<String> statements = statements(loadScript(dialect.script), schema);
    try (Connection connection = journalConnection(config);
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      if (dialect == Dialect.POSTGRES) {
        statement.execute("SELECT pg_advisory_lock(" + SCHEMA_LOCK_KEY + ")");
      }
      try {
        for (String sql : statements) {
          statement.execute(sql);
        }
      } finally {
        if (dialect == Dialect.POSTGRES) {
          statement.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK_KEY + ")");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Could not create the journal schema in " + journalDb(config).getString("url") + ": " + e,
          e);
    }
    return Done.getInstance();
  }

  /** Arbitrary but fixed: every fleetsim node takes the same lock while creating tables. */
  private static final long SCHEMA_LOCK_KEY = 0x666c656574L;

  private enum Dialect {
    H2("fleetsim/schema/h2.sql", "PUBLIC"),
    POSTGRES("fleetsim/schema/postgres.sql", "public");

    final String script;
    final String defaultSchema;

    Dialect(String script, String defaultSchema) {
      this.script = script;
      this.defaultSchema = defaultSchema;
    }

    static Dialect of(Config config) {
      String db = config.getString("jdbc-journal.use-shared-db");
      String profile =
          config.getString("pekko-persistence-jdbc.shared-databases." + db + ".profile");
      if (profile.contains("H2Profile")) {
        return H2;
      }
      if (profile.contains("PostgresProfile")) {
        return POSTGRES;
      }
      throw new IllegalArgumentException("No fleetsim schema script for Slick profile " + profile);
    }
  }

  private static String loadScript(String resource) {
    try (InputStream in = PersistenceSetup.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing schema script " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> statements(String script, String schema) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.strip().startsWith("--")) {
        withoutComments.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String sql : withoutComments.toString().replace("{schema}", schema).split(";")) {
      if (!sql.isBlank()) {
        statements.add(sql.strip());
      }
    }
    return statements;
  }

  private static void requireSchemaLikeName(String name, String what) {
    Objects.requireNonNull(name, what);
    // Names end up inside SQL and JDBC URLs; only plain identifiers are accepted.
    if (!SCHEMA_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what + " must be a plain identifier (letters, digits, underscore), was \"" + name + "\"");
    }
  }
}
