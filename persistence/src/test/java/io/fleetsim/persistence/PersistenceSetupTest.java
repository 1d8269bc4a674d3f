package io.fleetsim.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceSetupTest {

  private static Config resolved(Config overlay) {
    return overlay.withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void theDefaultIsAnH2FileUnderData() {
    Config loaded = ConfigFactory.load();
    // Having the jar on the classpath changes nothing; only the composition root opts in.
    assertEquals("", loaded.getString("pekko.persistence.journal.plugin"));
    assertEquals("", loaded.getString("pekko.persistence.snapshot-store.plugin"));
    Config config = resolved(PersistenceSetup.fromSettings(loaded));
    assertEquals("jdbc-journal", config.getString("pekko.persistence.journal.plugin"));
    assertEquals(
        "jdbc-snapshot-store", config.getString("pekko.persistence.snapshot-store.plugin"));
    assertEquals("h2", config.getString("jdbc-journal.use-shared-db"));
    assertEquals("h2", config.getString("jdbc-read-journal.use-shared-db"));
    assertEquals(
        "jdbc:h2:file:./data/fleetsim;DB_CLOSE_ON_EXIT=FALSE",
        config.getString("pekko-persistence-jdbc.shared-databases.h2.db.url"));
    assertEquals(100, config.getInt("fleetsim.snapshot-every"));
  }

  @Test
  void aSystemPropertyStyleOverrideSwitchesToPostgres() {
    // What -Dfleetsim.db=postgres does: the override is in place before reference.conf resolves.
    Config config =
        ConfigFactory.parseString("fleetsim.db = postgres, fleetsim.postgres.user = fleet")
            .withFallback(ConfigFactory.defaultReferenceUnresolved())
            .resolve();
    assertEquals("postgres", config.getString("jdbc-journal.use-shared-db"));
    assertEquals("postgres", config.getString("jdbc-snapshot-store.use-shared-db"));
    assertEquals(
        "fleet", config.getString("pekko-persistence-jdbc.shared-databases.postgres.db.user"));
    Config applied = PersistenceSetup.fromSettings(config);
    assertEquals("jdbc-journal", applied.getString("pekko.persistence.journal.plugin"));
    assertEquals("postgres", applied.getString("jdbc-read-journal.use-shared-db"));
    assertEquals("fleet", applied.getString("fleetsim.postgres.user"));
  }

  @Test
  void postgresOverlayPointsEveryPluginAtTheSchema() {
    Config config =
        resolved(PersistenceSetup.postgres("jdbc:postgresql://db:5432/fleet", "u", "p", "run7"));
    for (String plugin : List.of("jdbc-journal", "jdbc-snapshot-store", "jdbc-read-journal")) {
      assertEquals("postgres", config.getString(plugin + ".use-shared-db"));
    }
    assertEquals("run7", config.getString("jdbc-journal.tables.event_journal.schemaName"));
    assertEquals("run7", config.getString("jdbc-read-journal.tables.event_tag.schemaName"));
    assertEquals("run7", config.getString("jdbc-snapshot-store.tables.snapshot.schemaName"));
    assertEquals(
        "jdbc:postgresql://db:5432/fleet",
        config.getString("pekko-persistence-jdbc.shared-databases.postgres.db.url"));
  }

  @Test
  void fromSettingsFollowsFleetsimDb() {
    Config pg =
        PersistenceSetup.fromSettings(
            resolved(ConfigFactory.parseString("fleetsim.db = postgres")));
    assertEquals("postgres", pg.getString("jdbc-journal.use-shared-db"));
    assertEquals("public", pg.getString("jdbc-journal.tables.event_journal.schemaName"));
    Config h2 = PersistenceSetup.fromSettings(ConfigFactory.load());
    assertEquals("h2", h2.getString("jdbc-journal.use-shared-db"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            PersistenceSetup.fromSettings(
                resolved(ConfigFactory.parseString("fleetsim.db = mysql"))));
  }

  @Test
  void namesThatWouldEndUpInSqlAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> PersistenceSetup.h2InMemory("a;DROP"));
    assertThrows(IllegalArgumentException.class, () -> PersistenceSetup.h2InMemory(""));
    assertThrows(
        IllegalArgumentException.class,
        () -> PersistenceSetup.postgres("jdbc:postgresql://x/y", "u", "p", "public; drop"));
    assertThrows(
        IllegalArgumentException.class,
        () -> PersistenceSetup.postgres("jdbc:postgresql://x/y", "u", "p", "1abc"));
    assertThrows(NullPointerException.class, () -> PersistenceSetup.postgres(null, "u", "p"));
    assertNotEquals(
        PersistenceSetup.h2InMemory().getString("fleetsim.h2.url"),
        PersistenceSetup.h2InMemory().getString("fleetsim.h2.url"));
  }

  @Test
  void scriptsSplitIntoStatementsWithTheSchemaFilledIn() {
    List<String> sql =
        PersistenceSetup.statements(
            "-- comment; with a semicolon\nCREATE SCHEMA IF NOT EXISTS {schema};\n\n"
                + "CREATE TABLE {schema}.t (a INT);\n",
            "run1");
    assertEquals(List.of("CREATE SCHEMA IF NOT EXISTS run1", "CREATE TABLE run1.t (a INT)"), sql);
  }

  @Test
  void schemaCreationAgainstAnUnreachableDatabaseFailsTheStage() {
    ActorTestKit kit =
        ActorTestKit.create(
            "unreachable",
            PersistenceSetup.postgres("jdbc:postgresql://127.0.0.1:1/none", "x", "y")
                .withFallback(ConfigFactory.parseString("pekko.actor.provider = local")));
    try {
      ExecutionException failure =
          assertThrows(
              ExecutionException.class,
              () ->
                  PersistenceSetup.createSchema(kit.system())
                      .toCompletableFuture()
                      .get(30, TimeUnit.SECONDS));
      assertInstanceOf(IllegalStateException.class, failure.getCause());
      assertTrue(failure.getCause().getMessage().contains("127.0.0.1:1"));
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void snapshotEveryIsReadFromSettingsAndMustBePositive() {
    ActorTestKit kit =
        ActorTestKit.create(
            "retention",
            ConfigFactory.parseString(
                "pekko.actor.provider = local, fleetsim.snapshot-every = 25"));
    try {
      assertEquals(25, PersistenceSetup.snapshotEvery(kit.system()));
      assertEquals(
          RetentionCriteria.snapshotEvery(25, 2).asScala(),
          PersistenceSetup.retention(kit.system()).asScala());
    } finally {
      kit.shutdownTestKit();
    }
    ActorTestKit bad =
        ActorTestKit.create(
            "retention-bad",
            ConfigFactory.parseString("pekko.actor.provider = local, fleetsim.snapshot-every = 0"));
    try {
      assertThrows(
          IllegalArgumentException.class, () -> PersistenceSetup.snapshotEvery(bad.system()));
    } finally {
      bad.shutdownTestKit();
    }
  }

  @Test
  void anH2FileDatabaseSurvivesARestart(@TempDir Path dir) {
    Config config =
        PersistenceSetup.h2File(dir)
            .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"));
    for (int run = 1; run <= 2; run++) {
      ActorTestKit kit = ActorTestKit.create("file" + run, config);
      try {
        PersistenceSetup.createSchema(kit.system()).toCompletableFuture().join();
        ActorRef<Counter.Command> counter = kit.spawn(Counter.create("persistent"));
        TestProbe<StatusReply<Integer>> probe = kit.createTestProbe();
        counter.tell(new Counter.Add(10, probe.ref()));
        assertEquals(10 * run, probe.receiveMessage(Duration.ofSeconds(20)).getValue());
      } finally {
        kit.shutdownTestKit();
      }
    }
    assertTrue(Files.exists(dir.resolve("fleetsim.mv.db")));
  }
}
