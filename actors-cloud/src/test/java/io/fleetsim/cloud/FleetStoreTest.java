package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The same assertions against both stores, fed through the projection's event handler. */
class FleetStoreTest {

  static void feed(FleetStore store) {
    for (int i = 0; i < 30; i++) {
      String vin = String.format("VIN%03d", i);
      FleetProjection.apply(
          store,
          new Director.Registered(
              vin,
              i % 2 == 0 ? "Munich" : "Berlin",
              i % 3 == 0 ? "green" : "blue",
              i % 5 == 0 ? Set.of("beta", "fleet-a") : Set.of("fleet-a"),
              "P" + i,
              "00",
              List.of(
                  new Director.EcuInfo("P" + i, "tcu", "tcu", "hw-t", "00", "3.0", 0),
                  new Director.EcuInfo(
                      "E" + i, "e", "engine", i < 10 ? "hw-a" : "hw-b", "00", "1.0", 0)),
              Instant.ofEpochSecond(i)));
    }
    FleetProjection.apply(
        store,
        new Director.ManifestAccepted(
            "VIN004",
            1,
            List.of(
                new Director.EcuOutcome("E4", "2.0", 1), new Director.EcuOutcome("P4", "3.0", 0)),
            List.of(
                new Director.Outcome(
                    "c1/1", "c1", "VIN004", UpdateOutcome.SUCCEEDED, "", "2.0", Instant.EPOCH)),
            null,
            Instant.ofEpochSecond(100)));
  }

  static void check(FleetStore store) {
    feed(store);
    FleetQueries q = new FleetQueries(store, ForkJoinPool.commonPool());
    assertEquals(30, q.count(TargetFilter.any()).toCompletableFuture().join());
    assertEquals(15, q.count(TargetFilter.any().inRegions("Munich")).toCompletableFuture().join());
    assertEquals(
        10,
        q.count(TargetFilter.ecuType("engine").withHardwareIds("hw-a"))
            .toCompletableFuture()
            .join());
    assertEquals(6, q.count(TargetFilter.any().withTags("beta")).toCompletableFuture().join());
    // Models are any-of, tags all-of: every vehicle is fleet-a, a fifth also beta.
    assertEquals(
        6,
        q.count(TargetFilter.any().ofModels(List.of("beta", "nobody")))
            .toCompletableFuture()
            .join());
    assertEquals(
        30,
        q.count(TargetFilter.any().ofModels(List.of("beta", "fleet-a")))
            .toCompletableFuture()
            .join());
    assertEquals(
        6, q.count(TargetFilter.any().withTags("beta", "fleet-a")).toCompletableFuture().join());
    assertEquals(
        List.of("VIN000", "VIN010", "VIN020"),
        q
            .list(
                TargetFilter.ecuType("engine").inRegions("Munich").ofModels(List.of("beta", "x")),
                0,
                10)
            .toCompletableFuture()
            .join()
            .stream()
            .map(FleetVehicle::vin)
            .toList());
    assertEquals(
        10, q.count(TargetFilter.any().inEnvironment("green")).toCompletableFuture().join());
    assertEquals(
        29,
        q.count(TargetFilter.ecuType("engine").withCurrentVersions("1.0"))
            .toCompletableFuture()
            .join());
    assertEquals(
        java.util.Map.of("IDLE", 29L, "UPDATED", 1L),
        q.countByState(TargetFilter.any()).toCompletableFuture().join());
    assertEquals(
        java.util.Map.of("IDLE", 9L, "UPDATED", 1L),
        q.countByState(TargetFilter.ecuType("engine").withHardwareIds("hw-a"))
            .toCompletableFuture()
            .join());
    assertEquals(
        java.util.Map.of("UPDATED", 1L),
        store.countByState(TargetFilter.ecuType("engine").withCurrentVersions("2.0")));
    assertEquals(java.util.Map.of(), store.countByState(TargetFilter.ecuType("brake")));
    FleetVehicle v4 = q.vehicle("VIN004").toCompletableFuture().join().orElseThrow();
    assertEquals("UPDATED", v4.updateState());
    assertEquals("2.0", v4.ecuOfType("engine").orElseThrow().installedVersion());
    assertEquals(Instant.ofEpochSecond(100), v4.lastReport());
    assertEquals(Set.of("fleet-a"), v4.tags());

    List<FleetVehicle> page1 = q.list(TargetFilter.any(), 0, 10).toCompletableFuture().join();
    List<FleetVehicle> page3 = q.list(TargetFilter.any(), 20, 10).toCompletableFuture().join();
    assertEquals("VIN000", page1.get(0).vin());
    assertEquals("VIN020", page3.get(0).vin());
    assertEquals(2, page1.get(0).ecus().size());
    assertEquals(
        15,
        q.targets(TargetFilter.ecuType("engine").inRegions("Berlin"))
            .toCompletableFuture()
            .join()
            .size());

    assertTrue(
        q.list(TargetFilter.any(), 0, 0).toCompletableFuture().isCompletedExceptionally(),
        "limit 0 is bad input");
    assertTrue(q.list(TargetFilter.any(), -1, 10).toCompletableFuture().isCompletedExceptionally());

    // A vehicle registered again gets the ECUs and tags of its new registration only.
    FleetProjection.apply(
        store,
        new Director.Registered(
            "VIN005",
            "Munich",
            "blue",
            Set.of("retrofit"),
            "P5",
            "00",
            List.of(new Director.EcuInfo("X5", "x", "engine", "hw-x", "00", "1.5", 0)),
            Instant.ofEpochSecond(200)));
    FleetVehicle v5 = store.get("VIN005").orElseThrow();
    assertEquals(Set.of("retrofit"), v5.tags());
    assertEquals(List.of(new FleetVehicle.Ecu("X5", "engine", "hw-x", "1.5")), v5.ecus());
    assertEquals("Munich", v5.region());
    assertEquals(5, store.count(TargetFilter.any().withTags("beta")));
    // Events for a vehicle the store does not have change nothing.
    FleetProjection.apply(
        store, new Director.AssignmentFetched("VIN999", List.of(), Instant.ofEpochSecond(300)));
    assertTrue(store.get("VIN999").isEmpty());
    assertEquals(30, store.count(TargetFilter.any()));

    assertEquals(-1, store.loadOffset("p"));
    store.saveOffset("p", 41);
    store.saveOffset("p", 42);
    assertEquals(42, store.loadOffset("p"));
    // A batch and its offset are stored together.
    store.apply(
        FleetChanges.of(
            List.of(
                new Director.AssignmentFetched(
                    "VIN006", List.of("E6"), Instant.ofEpochSecond(400)))),
        "p",
        43);
    assertEquals(43, store.loadOffset("p"));
    assertEquals("IN_PROGRESS", store.get("VIN006").orElseThrow().updateState());
  }

  @Test
  void inMemory() {
    check(new InMemoryFleetStore());
  }

  /**
   * The same on PostgreSQL (127.0.0.1:5432, database test, user postgres), in a schema of its own;
   * skipped when no server answers, unless CI=true.
   */
  @Test
  void jdbcOnPostgres() throws Exception {
    String base = "jdbc:postgresql://127.0.0.1:5432/test";
    String schema = "fleet_store_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection admin = DriverManager.getConnection(base, "postgres", "")) {
      try (Statement st = admin.createStatement()) {
        st.execute("CREATE SCHEMA " + schema);
      }
    } catch (SQLException e) {
      if ("true".equals(System.getenv("CI"))) {
        throw e;
      }
      System.out.println(
          "FleetStoreTest.jdbcOnPostgres skipped: no PostgreSQL at "
              + base
              + ": "
              + e.getMessage());
      Assumptions.abort("no PostgreSQL at " + base);
    }
    try (JdbcFleetStore store =
        new JdbcFleetStore(base + "?currentSchema=" + schema, "postgres", "")) {
      check(store);
    } finally {
      try (Connection admin = DriverManager.getConnection(base, "postgres", "");
          Statement st = admin.createStatement()) {
        st.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  @Test
  void jdbcOnH2() throws Exception {
    try (JdbcFleetStore store =
        new JdbcFleetStore(
            "jdbc:h2:mem:fleet-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "")) {
      check(store);
    }
  }
}
