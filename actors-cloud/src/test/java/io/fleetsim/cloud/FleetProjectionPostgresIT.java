package io.fleetsim.cloud;

import io.fleetsim.cluster.SingleNode;
import io.fleetsim.persistence.PersistenceSetup;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link FleetProjectionIT} on PostgreSQL (127.0.0.1:5432, database test, user postgres): journal,
 * read model and the projection's offset table in a schema of their own. Skipped when no server
 * answers, unless CI=true.
 */
class FleetProjectionPostgresIT {
  static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";

  @Test
  void followsTheJournalAndResumesFromItsOffset() throws Exception {
    String schema = "fleet_projection_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection admin = DriverManager.getConnection(URL, "postgres", "");
        Statement st = admin.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      if ("true".equals(System.getenv("CI"))) {
        throw e;
      }
      System.out.println(
          "FleetProjectionPostgresIT skipped: no PostgreSQL at " + URL + ": " + e.getMessage());
      Assumptions.abort("no PostgreSQL at " + URL);
    }
    ActorTestKit testKit =
        ActorTestKit.create(
            "FleetProjectionPostgresIT",
            PersistenceSetup.postgres(URL, "postgres", "", schema)
                .withFallback(SingleNode.config("FleetProjectionPostgresIT")));
    try {
      PersistenceSetup.createSchema(testKit.system()).toCompletableFuture().get();
      FleetProjectionIT.followsTheJournalAndResumes(
          testKit, new JdbcFleetStore(URL + "?currentSchema=" + schema, "postgres", ""));
    } finally {
      testKit.shutdownTestKit();
      try (Connection admin = DriverManager.getConnection(URL, "postgres", "");
          Statement st = admin.createStatement()) {
        st.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }
}
