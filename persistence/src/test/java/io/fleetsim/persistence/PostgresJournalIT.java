package io.fleetsim.persistence;

import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The journal contract against a real PostgreSQL (127.0.0.1:5432, db test, user postgres, or
 * FLEETSIM_PG_URL / FLEETSIM_PG_USER / FLEETSIM_PG_PASSWORD). Each run gets its own schema, dropped
 * afterwards. Skipped when the server is unreachable, except on CI where that is a failure.
 */
class PostgresJournalIT extends JournalContract {

  private static final String URL = env("FLEETSIM_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String USER = env("FLEETSIM_PG_USER", "postgres");
  private static final String PASSWORD = env("FLEETSIM_PG_PASSWORD", "");
  private static final String SCHEMA =
      "fleetsim_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  @BeforeAll
  static void requirePostgres() {
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
      c.isValid(5);
    } catch (SQLException e) {
      String reason = "PostgreSQL not reachable at " + URL + " as " + USER + ": " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(reason + " (CI=true requires it)");
      }
      System.out.println("Skipping PostgresJournalIT: " + reason);
      Assumptions.abort(reason);
    }
  }

  @AfterAll
  static void dropSchema() throws SQLException {
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    } catch (SQLException e) {
      // Unreachable server: the tests were skipped and created nothing.
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw e;
      }
    }
  }

  @Override
  Config backend() {
    return PersistenceSetup.postgres(URL, USER, PASSWORD, SCHEMA);
  }

  @Override
  Connection connect() throws Exception {
    return DriverManager.getConnection(URL, USER, PASSWORD);
  }

  @Override
  String table(String name) {
    return SCHEMA + "." + name;
  }

  @Override
  String column(String name) {
    return name;
  }
}
