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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.projection.jdbc.JdbcSession;

/**
 * The fleet read model in three plain tables (vehicles, their ECUs, their tags) of the same
 * database as the journal, so target selection, counts and counts per update state are each one SQL
 * query over indexes however big the fleet. SQL is the subset H2 and PostgreSQL share, except the
 * upserts ({@link Dialect}). Two connections, each under its own lock, so queries and the
 * projection's writes do not wait for each other: the projection writes a batch of events at a
 * time, in one transaction with one JDBC batch per statement and no reads but one query for which
 * registered vehicles were known before.
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
          "CREATE TABLE IF NOT EXISTS fleet_tag (vin VARCHAR(64) NOT NULL, tag VARCHAR(128) NOT"
              + " NULL, PRIMARY KEY (vin, tag))",
          "CREATE TABLE IF NOT EXISTS fleet_projection_offset (projection VARCHAR(128) PRIMARY"
              + " KEY, offset_value BIGINT NOT NULL)",
          // Target selection: each filter field has an index that starts with it and ends with
          // the VIN, so a condition yields its vehicles' keys without reading their rows.
          "CREATE INDEX IF NOT EXISTS fleet_vehicle_region_idx ON fleet_vehicle (region, vin)",
          "CREATE INDEX IF NOT EXISTS fleet_vehicle_env_idx ON fleet_vehicle (environment, vin)",
          "CREATE INDEX IF NOT EXISTS fleet_vehicle_state_idx ON fleet_vehicle (update_state,"
              + " vin)",
          "CREATE INDEX IF NOT EXISTS fleet_ecu_type_hw_idx ON fleet_ecu (ecu_type, hardware_id,"
              + " vin)",
          "CREATE INDEX IF NOT EXISTS fleet_ecu_type_version_idx ON fleet_ecu (ecu_type,"
              + " installed_version, vin)",
          "CREATE INDEX IF NOT EXISTS fleet_tag_tag_idx ON fleet_tag (tag, vin)",
          // Listings probe each vehicle's ECUs by VIN and type (see probes).
          "CREATE INDEX IF NOT EXISTS fleet_ecu_vin_type_idx ON fleet_ecu (vin, ecu_type)",
          // Superseded by fleet_ecu_type_hw_idx.
          "DROP INDEX IF EXISTS fleet_ecu_type_idx");

  /**
   * The one place SQL differs between the databases: upserts (H2 has {@code MERGE ... KEY},
   * PostgreSQL {@code INSERT ... ON CONFLICT}; the standard {@code MERGE} needs PostgreSQL 15) and
   * an index hint H2 needs.
   */
  enum Dialect {
    H2(
        // H2 would probe by the type/hardware index, whose VIN comes last, when hardware ids
        // are given as a list: 23 s for one page at 100,000 vehicles instead of 0.1 s.
        "fleet_ecu e USE INDEX (fleet_ecu_vin_type_idx)",
        "MERGE INTO fleet_vehicle (vin, region, environment, update_state, last_report_ms) KEY"
            + " (vin) VALUES (?, ?, ?, ?, ?)",
        "MERGE INTO fleet_projection_offset (projection, offset_value) KEY (projection) VALUES"
            + " (?, ?)"),
    POSTGRES(
        "fleet_ecu e",
        "INSERT INTO fleet_vehicle (vin, region, environment, update_state, last_report_ms)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (vin) DO UPDATE SET region = EXCLUDED.region,"
            + " environment = EXCLUDED.environment, update_state = EXCLUDED.update_state,"
            + " last_report_ms = EXCLUDED.last_report_ms",
        "INSERT INTO fleet_projection_offset (projection, offset_value) VALUES (?, ?) ON CONFLICT"
            + " (projection) DO UPDATE SET offset_value = EXCLUDED.offset_value");

    /** The ECU table as a listing's per-vehicle probe reads it. */
    final String ecuProbe;

    final String upsertVehicle;
    final String upsertOffset;

    Dialect(String ecuProbe, String upsertVehicle, String upsertOffset) {
      this.ecuProbe = ecuProbe;
      this.upsertVehicle = upsertVehicle;
      this.upsertOffset = upsertOffset;
    }

    static Dialect of(Connection c) throws SQLException {
      String product = c.getMetaData().getDatabaseProductName();
      if (product.equalsIgnoreCase("H2")) {
        return H2;
      }
      if (product.equalsIgnoreCase("PostgreSQL")) {
        return POSTGRES;
      }
      throw new SQLException("fleet read model: unsupported database " + product);
    }
  }

  /** The projection's writes (and its offset), under its own lock. */
  private final Connection connection;

  /**
   * Queries, under the store's monitor: a count over a million vehicles takes seconds on H2 and
   * must not hold up the projection's writes meanwhile (nor a batch a query).
   */
  private final Connection reader;

  private final Dialect dialect;

  public JdbcFleetStore(String url, String user, String password) {
    try {
      this.connection = DriverManager.getConnection(url, user, password);
      this.dialect = Dialect.of(connection);
      connection.setAutoCommit(false);
      try (Statement st = connection.createStatement()) {
        for (String ddl : SCHEMA) {
          st.execute(ddl);
        }
      }
      connection.commit();
      this.reader = DriverManager.getConnection(url, user, password);
      reader.setAutoCommit(false);
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
  public void apply(FleetChanges changes, String projection, long offset) {
    synchronized (connection) {
      try {
        write(connection, changes);
        if (projection != null) {
          try (PreparedStatement ps = connection.prepareStatement(dialect.upsertOffset)) {
            ps.setString(1, projection);
            ps.setLong(2, offset);
            ps.executeUpdate();
          }
        }
        connection.commit();
      } catch (SQLException e) {
        rollbackQuietly(connection);
        throw new IllegalStateException(
            "fleet read model: cannot store a batch of " + changes.events() + " events", e);
      }
    }
  }

  /**
   * Writes {@code changes} on {@code c} without committing: one JDBC batch per statement, whatever
   * the number of vehicles, and one read (which registered vehicles were known before). Used by
   * {@link #apply} and by whoever runs the read model's writes in a transaction of its own.
   */
  void write(Connection c, FleetChanges changes) throws SQLException {
    var registered = changes.registered();
    if (!registered.isEmpty()) {
      // A registration replaces the vehicle's ECUs and tags. Most registered vehicles are new,
      // so one query finds the few that were known before and only theirs are deleted.
      List<String> known = known(c, registered);
      try (PreparedStatement ps = c.prepareStatement(dialect.upsertVehicle)) {
        for (FleetVehicle v : registered) {
          ps.setString(1, v.vin());
          ps.setString(2, v.region());
          ps.setString(3, v.environment());
          ps.setString(4, v.updateState());
          ps.setLong(5, v.lastReport().toEpochMilli());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      if (!known.isEmpty()) {
        for (String table : List.of("fleet_ecu", "fleet_tag")) {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM " + table + " WHERE vin = ?")) {
            for (String vin : known) {
              ps.setString(1, vin);
              ps.addBatch();
            }
            ps.executeBatch();
          }
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO fleet_ecu (vin, serial, ecu_type, hardware_id, installed_version)"
                  + " VALUES (?, ?, ?, ?, ?)")) {
        for (FleetVehicle v : registered) {
          for (FleetVehicle.Ecu e : v.ecus()) {
            ps.setString(1, v.vin());
            ps.setString(2, e.serial());
            ps.setString(3, e.ecuType());
            ps.setString(4, e.hardwareId());
            ps.setString(5, e.installedVersion());
            ps.addBatch();
          }
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO fleet_tag (vin, tag) VALUES (?, ?)")) {
        for (FleetVehicle v : registered) {
          for (String tag : v.tags()) {
            ps.setString(1, v.vin());
            ps.setString(2, tag);
            ps.addBatch();
          }
        }
        ps.executeBatch();
      }
    }
    List<FleetChanges.Change> changed = changes.changed();
    if (!changed.isEmpty()) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE fleet_vehicle SET update_state = COALESCE(?, update_state),"
                  + " last_report_ms = ? WHERE vin = ?")) {
        for (FleetChanges.Change change : changed) {
          ps.setString(1, change.updateState());
          ps.setLong(2, change.at().toEpochMilli());
          ps.setString(3, change.vin());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      boolean versions = false;
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE fleet_ecu SET installed_version = ? WHERE vin = ? AND serial = ?")) {
        for (FleetChanges.Change change : changed) {
          for (Map.Entry<String, String> e : change.versions().entrySet()) {
            ps.setString(1, e.getValue());
            ps.setString(2, change.vin());
            ps.setString(3, e.getKey());
            ps.addBatch();
            versions = true;
          }
        }
        if (versions) {
          ps.executeBatch();
        }
      }
    }
  }

  @Override
  public synchronized Optional<FleetVehicle> get(String vin) {
    try {
      List<FleetVehicle> found =
          load("SELECT * FROM fleet_vehicle v WHERE v.vin = ?", List.of(vin));
      reader.commit();
      return found.stream().findFirst();
    } catch (SQLException e) {
      rollbackQuietly(reader);
      throw new IllegalStateException("fleet read model: cannot read " + vin, e);
    }
  }

  @Override
  public synchronized List<FleetVehicle> list(TargetFilter filter, int offset, int limit) {
    List<Object> params = new ArrayList<>();
    String where = probes(filter, params);
    params.add(limit);
    params.add(offset);
    try {
      List<FleetVehicle> found =
          load(
              "SELECT * FROM fleet_vehicle v" + where + " ORDER BY v.vin LIMIT ? OFFSET ?", params);
      reader.commit();
      return found;
    } catch (SQLException e) {
      rollbackQuietly(reader);
      throw new IllegalStateException("fleet read model: cannot list vehicles", e);
    }
  }

  @Override
  public synchronized List<FleetVehicle> all(TargetFilter filter) {
    List<Object> params = new ArrayList<>();
    String where = probes(filter, params);
    try {
      List<FleetVehicle> found = load("SELECT * FROM fleet_vehicle v" + where, params, true);
      reader.commit();
      return found;
    } catch (SQLException e) {
      rollbackQuietly(reader);
      throw new IllegalStateException("fleet read model: cannot list vehicles", e);
    }
  }

  @Override
  public synchronized long count(TargetFilter filter) {
    List<Object> params = new ArrayList<>();
    String sql = countSql(filter, params);
    try (PreparedStatement ps = prepare(sql, params);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      long n = rs.getLong(1);
      reader.commit();
      return n;
    } catch (SQLException e) {
      rollbackQuietly(reader);
      throw new IllegalStateException("fleet read model: cannot count vehicles", e);
    }
  }

  @Override
  public synchronized Map<String, Long> countByState(TargetFilter filter) {
    List<Object> params = new ArrayList<>();
    String sql =
        "SELECT v.update_state, COUNT(*) FROM fleet_vehicle v"
            + where(filter, params)
            + " GROUP BY v.update_state";
    try (PreparedStatement ps = prepare(sql, params);
        ResultSet rs = ps.executeQuery()) {
      Map<String, Long> counts = new TreeMap<>();
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
      }
      reader.commit();
      return counts;
    } catch (SQLException e) {
      rollbackQuietly(reader);
      throw new IllegalStateException("fleet read model: cannot count vehicles by state", e);
    }
  }

  /**
   * With only ECU conditions (how a campaign run waits for its fleet) the ECU index alone answers,
   * without looking each vehicle up: at a million vehicles on H2 0.5 to 1.5 s instead of 2.8 s.
   */
  private static String countSql(TargetFilter f, List<Object> params) {
    boolean vehicleConditions =
        !f.regions().isEmpty()
            || (f.environment() != null && !f.environment().isBlank())
            || !f.tags().isEmpty()
            || !f.models().isEmpty();
    if (!vehicleConditions) {
      String ecu = ecuConditions(f, params);
      if (!ecu.isEmpty()) {
        return "SELECT COUNT(DISTINCT e.vin) FROM fleet_ecu e WHERE " + ecu;
      }
    }
    return "SELECT COUNT(*) FROM fleet_vehicle v" + where(f, params);
  }

  /** The database's plan for {@link #count}, for checking which indexes it uses. */
  synchronized String explainCount(TargetFilter filter) {
    List<Object> params = new ArrayList<>();
    return explain("EXPLAIN " + countSql(filter, params), params);
  }

  /** The database's plan for {@link #countByState}. */
  synchronized String explainCountByState(TargetFilter filter) {
    return explain(
        "SELECT v.update_state, COUNT(*) FROM fleet_vehicle v", filter, " GROUP BY v.update_state");
  }

  /** The database's plan for {@link #list}'s first query. */
  synchronized String explainList(TargetFilter filter) {
    List<Object> params = new ArrayList<>();
    return explain(
        "EXPLAIN SELECT * FROM fleet_vehicle v"
            + probes(filter, params)
            + " ORDER BY v.vin LIMIT 1000 OFFSET 0",
        params);
  }

  private String explain(String select, TargetFilter filter, String tail) {
    List<Object> params = new ArrayList<>();
    String sql = "EXPLAIN " + select + where(filter, params) + tail;
    return explain(sql, params);
  }

  private String explain(String sql, List<Object> params) {
    try (PreparedStatement ps = prepare(sql, params);
        ResultSet rs = ps.executeQuery()) {
      StringBuilder plan = new StringBuilder();
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
      reader.commit();
      return plan.toString();
    } catch (SQLException e) {
      rollbackQuietly(reader);
      throw new IllegalStateException("fleet read model: cannot explain " + sql, e);
    }
  }

  @Override
  public synchronized long loadOffset(String projection) {
    try (PreparedStatement ps =
        reader.prepareStatement(
            "SELECT offset_value FROM fleet_projection_offset WHERE projection = ?")) {
      ps.setString(1, projection);
      try (ResultSet rs = ps.executeQuery()) {
        long offset = rs.next() ? rs.getLong(1) : -1L;
        reader.commit();
        return offset;
      }
    } catch (SQLException e) {
      rollbackQuietly(reader);
      throw new IllegalStateException("fleet read model: cannot read offset", e);
    }
  }

  /**
   * The offset Pekko Projections stored for {@code projection} (its {@code
   * pekko_projection_offset_store} table, in this database), or null when it stored none.
   */
  synchronized String projectionOffset(String projection) {
    try (PreparedStatement ps =
        reader.prepareStatement(
            "SELECT \"current_offset\" FROM \"pekko_projection_offset_store\" WHERE"
                + " \"projection_name\" = ?")) {
      ps.setString(1, projection);
      try (ResultSet rs = ps.executeQuery()) {
        String offset = rs.next() ? rs.getString(1) : null;
        reader.commit();
        return offset;
      }
    } catch (SQLException e) {
      rollbackQuietly(reader);
      throw new IllegalStateException("fleet read model: cannot read offset", e);
    }
  }

  /**
   * A JDBC session for Pekko Projections over the store's write connection: the projection's
   * handler writes a batch with {@link #write} and the projection stores its offset on the same
   * connection, and commits both together. Closing the session keeps the connection. While a
   * projection uses it, nothing else may write through this store ({@link #apply} commits).
   */
  JdbcSession session() {
    return new JdbcSession() {
      @Override
      public <R> R withConnection(org.apache.pekko.japi.function.Function<Connection, R> f)
          throws Exception {
        synchronized (connection) {
          return f.apply(connection);
        }
      }

      @Override
      public void commit() throws SQLException {
        synchronized (connection) {
          connection.commit();
        }
      }

      @Override
      public void rollback() throws SQLException {
        synchronized (connection) {
          connection.rollback();
        }
      }

      @Override
      public void close() {
        // the connection is the store's
      }
    };
  }

  @Override
  public void saveOffset(String projection, long offset) {
    apply(new FleetChanges(), projection, offset);
  }

  @Override
  public void close() throws SQLException {
    synchronized (this) {
      reader.close();
    }
    synchronized (connection) {
      connection.close();
    }
  }

  /**
   * The filter as conditions on the VIN: each tag and the ECU conditions are {@code v.vin IN
   * (SELECT vin ...)} over an index that starts with the filtered column and ends with the VIN, so
   * the database drives the query from those indexes and its cost follows the number of matching
   * vehicles. With correlated {@code EXISTS} probes instead, H2 probed the ECU index by type alone
   * for every vehicle: a page of a region, type, hardware and tag filter took 20 s at 100,000
   * vehicles, against 0.4 s this way.
   */
  private static String where(TargetFilter f, List<Object> params) {
    return conditions(
        f,
        params,
        "v.vin IN (SELECT t.vin FROM fleet_tag t WHERE t.tag = ?)",
        "v.vin IN (SELECT e.vin FROM fleet_ecu e WHERE %s)");
  }

  /**
   * The filter for listings: tags and ECU conditions as {@code EXISTS} probes by VIN (the tag
   * table's key, {@code fleet_ecu_vin_type_idx}), so the database walks the vehicles in VIN order
   * and stops once a page is full, and a complete listing is one pass without collecting every
   * matching VIN first. At a million vehicles the first page of every vehicle with an ADAS ECU took
   * 16 to 80 ms this way against 9.5 s with {@link #where}'s {@code IN} sets. The walk is what a
   * selective filter pays for: the first page of the 2.5 % of vehicles at one ADAS version took 7 s
   * at a million vehicles (0.3 s with the {@code IN} sets), and a region filter's page 3 s, as H2
   * then sorts the region's vehicles.
   */
  private String probes(TargetFilter f, List<Object> params) {
    return conditions(
        f,
        params,
        "EXISTS (SELECT 1 FROM fleet_tag t WHERE t.vin = v.vin AND t.tag = ?)",
        "EXISTS (SELECT 1 FROM " + dialect.ecuProbe + " WHERE e.vin = v.vin AND %s)");
  }

  /** The conditions on the vehicle row itself: region and environment. */
  private static List<String> vehicleConditions(TargetFilter f, List<Object> params) {
    List<String> conditions = new ArrayList<>();
    if (!f.regions().isEmpty()) {
      conditions.add("v.region IN (" + placeholders(f.regions().size()) + ")");
      params.addAll(f.regions());
    }
    if (f.environment() != null && !f.environment().isBlank()) {
      conditions.add("v.environment = ?");
      params.add(f.environment());
    }
    return conditions;
  }

  /**
   * The WHERE clause of {@code f}: the vehicle row's own conditions, then one {@code tag} per tag
   * and the ECU conditions put into {@code ecuTemplate} (where {@code %s} stands for them).
   */
  private static String conditions(
      TargetFilter f, List<Object> params, String tag, String ecuTemplate) {
    List<String> conditions = vehicleConditions(f, params);
    for (String t : f.tags()) {
      conditions.add(tag);
      params.add(t);
    }
    if (!f.models().isEmpty()) {
      // any of the models: one tag probe with a set instead of one probe per tag
      conditions.add(
          tag.replace("t.tag = ?", "t.tag IN (" + placeholders(f.models().size()) + ")"));
      params.addAll(f.models());
    }
    String ecu = ecuConditions(f, params);
    if (!ecu.isEmpty()) {
      conditions.add(ecuTemplate.replace("%s", ecu));
    }
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  /** The filter's conditions on one ECU ({@code e}), joined by AND; empty when there are none. */
  private static String ecuConditions(TargetFilter f, List<Object> params) {
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
    return String.join(" AND ", ecu);
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private PreparedStatement prepare(String sql, List<Object> params) throws SQLException {
    return prepare(reader, sql, params);
  }

  private static PreparedStatement prepare(Connection c, String sql, List<?> params)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    for (int i = 0; i < params.size(); i++) {
      ps.setObject(i + 1, params.get(i));
    }
    return ps;
  }

  private List<FleetVehicle> load(String sql, List<Object> params) throws SQLException {
    return load(sql, params, false);
  }

  /**
   * The vehicles {@code sql} selects, with their ECUs and tags (by VIN, 500 at a time, or for more
   * than {@link #SCAN_ABOVE} vehicles in one pass over each table), sorted by VIN here when {@code
   * unordered}.
   */
  private List<FleetVehicle> load(String sql, List<Object> params, boolean unordered)
      throws SQLException {
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
    if (rows.size() > SCAN_ABOVE) {
      // Most of the fleet: one pass over each table beats naming the VINs.
      readEcus("SELECT * FROM fleet_ecu", List.of(), rows.keySet(), ecus);
      readTags("SELECT * FROM fleet_tag", List.of(), rows.keySet(), tags);
    } else {
      List<String> vins = new ArrayList<>(rows.keySet());
      for (int from = 0; from < vins.size(); from += 500) {
        List<Object> chunk = new ArrayList<>(vins.subList(from, Math.min(vins.size(), from + 500)));
        String in = " WHERE vin IN (" + placeholders(chunk.size()) + ")";
        readEcus("SELECT * FROM fleet_ecu" + in, chunk, null, ecus);
        readTags("SELECT * FROM fleet_tag" + in, chunk, null, tags);
      }
    }
    // Sorted here rather than by the database: at a million vehicles H2 took 6 s to return the
    // vehicles in VIN order against 2.4 s unordered, and 17 s for the ECUs against 8 s.
    List<String> vins = new ArrayList<>(rows.keySet());
    if (unordered) {
      vins.sort(null);
    }
    List<FleetVehicle> result = new ArrayList<>(vins.size());
    for (String vin : vins) {
      String[] r = rows.get(vin);
      List<FleetVehicle.Ecu> own = ecus.getOrDefault(vin, List.of());
      if (own.size() > 1) {
        own.sort(BY_SERIAL);
      }
      result.add(
          new FleetVehicle(
              vin,
              r[0],
              r[1],
              tags.getOrDefault(vin, Set.of()),
              own,
              r[2],
              Instant.ofEpochMilli(lastReports.get(vin))));
    }
    return result;
  }

  private static final java.util.Comparator<FleetVehicle.Ecu> BY_SERIAL =
      java.util.Comparator.comparing(FleetVehicle.Ecu::serial);

  /** Which of these vehicles the store has, in one query per 500. */
  private static List<String> known(Connection c, Collection<FleetVehicle> vehicles)
      throws SQLException {
    List<Object> vins = new ArrayList<>(vehicles.size());
    vehicles.forEach(v -> vins.add(v.vin()));
    List<String> known = new ArrayList<>();
    for (int from = 0; from < vins.size(); from += 500) {
      List<Object> chunk = vins.subList(from, Math.min(vins.size(), from + 500));
      try (PreparedStatement ps =
              prepare(
                  c,
                  "SELECT vin FROM fleet_vehicle WHERE vin IN (" + placeholders(chunk.size()) + ")",
                  chunk);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          known.add(rs.getString(1));
        }
      }
    }
    return known;
  }

  /** Vehicles above which {@link #load} reads the ECU and tag tables whole. */
  private static final int SCAN_ABOVE = 50_000;

  private void readEcus(
      String sql, List<Object> params, Set<String> only, Map<String, List<FleetVehicle.Ecu>> into)
      throws SQLException {
    try (PreparedStatement ps = prepare(sql, params);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String vin = rs.getString("vin");
        if (only != null && !only.contains(vin)) {
          continue;
        }
        into.computeIfAbsent(vin, k -> new ArrayList<>())
            .add(
                new FleetVehicle.Ecu(
                    rs.getString("serial"),
                    rs.getString("ecu_type"),
                    rs.getString("hardware_id"),
                    rs.getString("installed_version")));
      }
    }
  }

  private void readTags(
      String sql, List<Object> params, Set<String> only, Map<String, Set<String>> into)
      throws SQLException {
    try (PreparedStatement ps = prepare(sql, params);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String vin = rs.getString("vin");
        if (only != null && !only.contains(vin)) {
          continue;
        }
        into.computeIfAbsent(vin, k -> new HashSet<>()).add(rs.getString("tag"));
      }
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the original failure is the one worth reporting
    }
  }
}
