package io.fleetsim.cloud;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fleet read model in three plain tables (vehicles, their ECUs, their tags) of the same
 * database as the journal, so target selection is one SQL query with EXISTS clauses however big the
 * fleet. SQL is the subset H2 and PostgreSQL share. One connection, used under a lock: the
 * projection writes one vehicle at a time and queries are rare compared to events.
 */
public final class JdbcFleetStore implements FleetStore, AutoCloseable {

  private static final List<String> SCHEMA =
      List.of(
          "CREATE TABLE IF NOT EXISTS fleet_vehicle (vin VARCHAR(64) PRIMARY KEY, region"
              + " VARCHAR(128) NOT NULL, environment VARCHAR(16) NOT NULL, update_state"
              + " VARCHAR(32) NOT NULL, last_report_ms BIGINT NOT NULL)",
          "CREATE TABLE IF NOT EXISTS fleet_ecu (vin VARCHAR(64) NOT NULL, serial VARCHAR(128)"
              + " NOT NULL, ecu_type VARCHAR(128) NOT NULL, hardware_id VARCHAR(128) NOT NULL,"
              + " installed_version VARCHAR(128) NOT NULL, PRIMARY KEY (vin, serial))",
          "CREATE INDEX IF NOT EXISTS fleet_ecu_type_idx ON fleet_ecu (ecu_type, hardware_id)",
          "CREATE TABLE IF NOT EXISTS fleet_tag (vin VARCHAR(64) NOT NULL, tag VARCHAR(128) NOT"
              + " NULL, PRIMARY KEY (vin, tag))",
          "CREATE TABLE IF NOT EXISTS fleet_projection_offset (projection VARCHAR(128) PRIMARY"
              + " KEY, offset_value BIGINT NOT NULL)");

  private final Connection connection;

  public JdbcFleetStore(String url, String user, String password) {
    try {
      this.connection = DriverManager.getConnection(url, user, password);
      connection.setAutoCommit(false);
      try (Statement st = connection.createStatement()) {
        for (String ddl : SCHEMA) {
          st.execute(ddl);
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("fleet read model: cannot open " + url, e);
    }
  }

  /**
   * Uses the journal's database as configured for pekko-persistence-jdbc, so the read model lives
   * next to the events it is built from.
   */
  public static JdbcFleetStore fromConfig(Config config) {
    List<String> paths = new ArrayList<>();
    if (config.hasPath("jdbc-read-journal.use-shared-db")) {
      paths.add(
          "pekko-persistence-jdbc.shared-databases."
              + config.getString("jdbc-read-journal.use-shared-db")
              + ".db");
    }
    paths.add("jdbc-read-journal.slick.db");
    paths.add("jdbc-journal.slick.db");
    for (String path : paths) {
      if (config.hasPath(path + ".url")) {
        Config db = config.getConfig(path);
        return new JdbcFleetStore(
            db.getString("url"),
            db.hasPath("user") ? db.getString("user") : "",
            db.hasPath("password") ? db.getString("password") : "");
      }
    }
    throw new IllegalArgumentException("fleet read model: no JDBC url in the persistence config");
  }

  @Override
  public synchronized void upsert(FleetVehicle v) {
    try {
      for (String table : List.of("fleet_vehicle", "fleet_ecu", "fleet_tag")) {
        try (PreparedStatement ps =
            connection.prepareStatement("DELETE FROM " + table + " WHERE vin = ?")) {
          ps.setString(1, v.vin());
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps =
          connection.prepareStatement("INSERT INTO fleet_vehicle VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, v.vin());
        ps.setString(2, v.region());
        ps.setString(3, v.environment());
        ps.setString(4, v.updateState());
        ps.setLong(5, v.lastReport().toEpochMilli());
        ps.executeUpdate();
      }
      try (PreparedStatement ps =
          connection.prepareStatement("INSERT INTO fleet_ecu VALUES (?, ?, ?, ?, ?)")) {
        for (FleetVehicle.Ecu e : v.ecus()) {
          ps.setString(1, v.vin());
          ps.setString(2, e.serial());
          ps.setString(3, e.ecuType());
          ps.setString(4, e.hardwareId());
          ps.setString(5, e.installedVersion());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps =
          connection.prepareStatement("INSERT INTO fleet_tag VALUES (?, ?)")) {
        for (String tag : v.tags()) {
          ps.setString(1, v.vin());
          ps.setString(2, tag);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      connection.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new IllegalStateException("fleet read model: cannot store " + v.vin(), e);
    }
  }

  @Override
  public synchronized Optional<FleetVehicle> get(String vin) {
    try {
      List<FleetVehicle> found =
          load("SELECT * FROM fleet_vehicle v WHERE v.vin = ?", List.of(vin));
      connection.commit();
      return found.stream().findFirst();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new IllegalStateException("fleet read model: cannot read " + vin, e);
    }
  }

  @Override
  public synchronized List<FleetVehicle> list(TargetFilter filter, int offset, int limit) {
    List<Object> params = new ArrayList<>();
    String where = where(filter, params);
    params.add(limit);
    params.add(offset);
    try {
      List<FleetVehicle> found =
          load(
              "SELECT * FROM fleet_vehicle v" + where + " ORDER BY v.vin LIMIT ? OFFSET ?", params);
      connection.commit();
      return found;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new IllegalStateException("fleet read model: cannot list vehicles", e);
    }
  }

  @Override
  public synchronized long count(TargetFilter filter) {
    List<Object> params = new ArrayList<>();
    String sql = "SELECT COUNT(*) FROM fleet_vehicle v" + where(filter, params);
    try (PreparedStatement ps = prepare(sql, params);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      long n = rs.getLong(1);
      connection.commit();
      return n;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new IllegalStateException("fleet read model: cannot count vehicles", e);
    }
  }

  @Override
  public synchronized long loadOffset(String projection) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT offset_value FROM fleet_projection_offset WHERE projection = ?")) {
      ps.setString(1, projection);
      try (ResultSet rs = ps.executeQuery()) {
        long offset = rs.next() ? rs.getLong(1) : -1L;
        connection.commit();
        return offset;
      }
    } catch (SQLException e) {
      rollbackQuietly();
      throw new IllegalStateException("fleet read model: cannot read offset", e);
    }
  }

  @Override
  public synchronized void saveOffset(String projection, long offset) {
    try {
      try (PreparedStatement ps =
          connection.prepareStatement("DELETE FROM fleet_projection_offset WHERE projection = ?")) {
        ps.setString(1, projection);
        ps.executeUpdate();
      }
      try (PreparedStatement ps =
          connection.prepareStatement("INSERT INTO fleet_projection_offset VALUES (?, ?)")) {
        ps.setString(1, projection);
        ps.setLong(2, offset);
        ps.executeUpdate();
      }
      connection.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new IllegalStateException("fleet read model: cannot store offset", e);
    }
  }

  @Override
  public synchronized void close() throws SQLException {
    connection.close();
  }

  private static String where(TargetFilter f, List<Object> params) {
    List<String> conditions = new ArrayList<>();
    if (!f.regions().isEmpty()) {
      conditions.add("v.region IN (" + placeholders(f.regions().size()) + ")");
      params.addAll(f.regions());
    }
    if (f.environment() != null && !f.environment().isBlank()) {
      conditions.add("v.environment = ?");
      params.add(f.environment());
    }
    for (String tag : f.tags()) {
      conditions.add("EXISTS (SELECT 1 FROM fleet_tag t WHERE t.vin = v.vin AND t.tag = ?)");
      params.add(tag);
    }
    List<String> ecu = new ArrayList<>();
    if (f.ecuType() != null) {
      ecu.add("e.ecu_type = ?");
      params.add(f.ecuType());
    }
    if (!f.hardwareIds().isEmpty()) {
      ecu.add("e.hardware_id IN (" + placeholders(f.hardwareIds().size()) + ")");
      params.addAll(f.hardwareIds());
    }
    if (!f.currentVersions().isEmpty()) {
      ecu.add("e.installed_version IN (" + placeholders(f.currentVersions().size()) + ")");
      params.addAll(f.currentVersions());
    }
    if (!ecu.isEmpty()) {
      conditions.add(
          "EXISTS (SELECT 1 FROM fleet_ecu e WHERE e.vin = v.vin AND "
              + String.join(" AND ", ecu)
              + ")");
    }
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private PreparedStatement prepare(String sql, List<Object> params) throws SQLException {
    PreparedStatement ps = connection.prepareStatement(sql);
    for (int i = 0; i < params.size(); i++) {
      ps.setObject(i + 1, params.get(i));
    }
    return ps;
  }

  private List<FleetVehicle> load(String sql, List<Object> params) throws SQLException {
    Map<String, String[]> rows = new LinkedHashMap<>();
    Map<String, Long> lastReports = new HashMap<>();
    try (PreparedStatement ps = prepare(sql, params);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String vin = rs.getString("vin");
        rows.put(
            vin,
            new String[] {
              rs.getString("region"), rs.getString("environment"), rs.getString("update_state")
            });
        lastReports.put(vin, rs.getLong("last_report_ms"));
      }
    }
    if (rows.isEmpty()) {
      return List.of();
    }
    Map<String, List<FleetVehicle.Ecu>> ecus = new HashMap<>();
    Map<String, Set<String>> tags = new HashMap<>();
    List<String> vins = new ArrayList<>(rows.keySet());
    for (int from = 0; from < vins.size(); from += 500) {
      List<Object> chunk = new ArrayList<>(vins.subList(from, Math.min(vins.size(), from + 500)));
      String in = " WHERE vin IN (" + placeholders(chunk.size()) + ")";
      try (PreparedStatement ps =
              prepare("SELECT * FROM fleet_ecu" + in + " ORDER BY serial", chunk);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ecus.computeIfAbsent(rs.getString("vin"), k -> new ArrayList<>())
              .add(
                  new FleetVehicle.Ecu(
                      rs.getString("serial"),
                      rs.getString("ecu_type"),
                      rs.getString("hardware_id"),
                      rs.getString("installed_version")));
        }
      }
      try (PreparedStatement ps = prepare("SELECT * FROM fleet_tag" + in, chunk);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tags.computeIfAbsent(rs.getString("vin"), k -> new HashSet<>()).add(rs.getString("tag"));
        }
      }
    }
    List<FleetVehicle> result = new ArrayList<>();
    rows.forEach(
        (vin, r) ->
            result.add(
                new FleetVehicle(
                    vin,
                    r[0],
                    r[1],
                    tags.getOrDefault(vin, Set.of()),
                    ecus.getOrDefault(vin, List.of()),
                    r[2],
                    Instant.ofEpochMilli(lastReports.get(vin)))));
    return result;
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // the original failure is the one worth reporting
    }
  }
}
