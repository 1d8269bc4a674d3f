package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 100,000 vehicles registered, then a campaign's events, through the projection's batch handler
 * into the JDBC store on H2; every count and listing must equal what the in-memory store, fed the
 * same events one at a time, answers. Asserts results only.
 */
class FleetReadModelScaleTest {
  static final int VEHICLES = 100_000;
  static final int BATCH = 500;

  static JdbcFleetStore jdbc;
  static InMemoryFleetStore reference;

  @BeforeAll
  static void feed() {
    jdbc =
        new JdbcFleetStore(
            "jdbc:h2:mem:scale-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    reference = new InMemoryFleetStore();
    List<Director.Event> events = new ArrayList<>();
    for (int i = 0; i < VEHICLES; i++) {
      events.add(SyntheticFleet.registered(i));
    }
    // A campaign over every tenth vehicle: assigned, fetched, then updated or failed; the
    // events of one vehicle follow each other closely, so many land in the same batch.
    for (int i = 0; i < VEHICLES; i += 10) {
      events.add(SyntheticFleet.assigned(i));
      if (i % 40 != 10) {
        events.add(SyntheticFleet.fetched(i));
      }
      if (i % 40 == 0) {
        events.add(SyntheticFleet.manifest(i, "1.1.0", UpdateOutcome.SUCCEEDED));
      } else if (i % 40 == 20) {
        events.add(SyntheticFleet.manifest(i, "1.0.0", UpdateOutcome.FAILED));
      }
    }
    // Vehicles registered again with other ECUs and tags, after their campaign.
    for (int i = 0; i < 100; i++) {
      Director.Registered r = SyntheticFleet.registered(i);
      events.add(
          new Director.Registered(
              r.vin(),
              "Leipzig",
              r.environment(),
              Set.of("retrofit"),
              r.primarySerial(),
              r.primaryKeyHex(),
              r.ecus().subList(1, 3),
              r.at().plusSeconds(1)));
    }
    // Vehicles registered and assigned within one batch, and one the store never heard of.
    for (int i = VEHICLES; i < VEHICLES + 100; i++) {
      events.add(SyntheticFleet.registered(i));
      events.add(SyntheticFleet.assigned(i));
    }
    events.add(SyntheticFleet.assigned(VEHICLES + 1000));

    List<EventEnvelope> envelopes = SyntheticFleet.envelopes(events, 1);
    for (int from = 0; from < envelopes.size(); from += BATCH) {
      FleetProjection.applyBatch(
          jdbc, envelopes.subList(from, Math.min(envelopes.size(), from + BATCH)));
    }
    for (Director.Event e : events) {
      FleetProjection.apply(reference, e);
    }
    assertEquals(events.size(), jdbc.loadOffset(FleetProjection.NAME));
  }

  @AfterAll
  static void close() throws Exception {
    jdbc.close();
  }

  static final List<TargetFilter> FILTERS =
      List.of(
          TargetFilter.any(),
          TargetFilter.ecuType("ADAS"),
          TargetFilter.ecuType("ADAS").withCurrentVersions("1.1.0"),
          TargetFilter.ecuType("ADAS").withCurrentVersions("1.0.0").inRegions("Munich", "Berlin"),
          TargetFilter.ecuType("ENGINE").withHardwareIds("ENG-SIM2K-B").inEnvironment("green"),
          TargetFilter.ecuType("ADAS")
              .withHardwareIds("ADAS-SVA-C", "ADAS-EQ4-A")
              .inRegions("Hamburg")
              .withTags("van"),
          TargetFilter.any().withTags("suv").inEnvironment("blue"),
          TargetFilter.any().withTags("suv", "van"),
          TargetFilter.ecuType("BRAKE"),
          TargetFilter.any().withTags("retrofit"),
          TargetFilter.ecuType("ENGINE").inRegions("Leipzig"));

  @Test
  void countsEqualTheReference() {
    assertEquals(VEHICLES + 100, jdbc.count(TargetFilter.any()));
    for (TargetFilter f : FILTERS) {
      assertEquals(reference.count(f), jdbc.count(f), f.toString());
    }
  }

  @Test
  void countsPerStateEqualTheReference() {
    var all = jdbc.countByState(TargetFilter.any());
    assertEquals(reference.countByState(TargetFilter.any()), all);
    // 10,000 assigned: 2,500 updated, 2,500 failed, 2,500 fetched but not reported, 2,500 only
    // assigned, plus the 100 assigned in their registration's batch; the ten of them among the
    // 100 registered again are IDLE again (3 updated, 2 failed, 2 in progress, 3 assigned).
    assertEquals(2_497L, all.get("UPDATED"));
    assertEquals(2_498L, all.get("FAILED"));
    assertEquals(2_498L, all.get("IN_PROGRESS"));
    assertEquals(2_597L, all.get("ASSIGNED"));
    assertEquals(VEHICLES - 10_000L + 10, all.get("IDLE"));
    for (TargetFilter f : FILTERS) {
      assertEquals(reference.countByState(f), jdbc.countByState(f), f.toString());
    }
  }

  @Test
  void listingsAndTargetsEqualTheReference() {
    for (TargetFilter f : FILTERS) {
      for (int offset : List.of(0, 3_000, 49_000)) {
        assertSame(reference.list(f, offset, 1000), jdbc.list(f, offset, 1000), f + " @" + offset);
      }
    }
    TargetFilter campaign =
        TargetFilter.ecuType("ADAS").withHardwareIds("ADAS-PROAI-B").inRegions("Leipzig");
    List<FleetVehicle> targets =
        new FleetQueries(jdbc, ForkJoinPool.commonPool())
            .targets(campaign)
            .toCompletableFuture()
            .join();
    assertSame(reference.list(campaign, 0, Integer.MAX_VALUE), targets, "targets");
    assertEquals(reference.count(campaign), targets.size());
  }

  /** Equal vehicles in the same order; a vehicle's ECUs in any order (the table sorts them). */
  static void assertSame(List<FleetVehicle> expected, List<FleetVehicle> actual, String what) {
    assertEquals(expected.size(), actual.size(), what + ": size");
    for (int i = 0; i < expected.size(); i++) {
      FleetVehicle e = expected.get(i);
      FleetVehicle a = actual.get(i);
      if (!e.withEcus(
              Set.copyOf(e.ecus()).stream().sorted(BY_SERIAL).toList(),
              e.updateState(),
              e.lastReport())
          .equals(
              a.withEcus(
                  a.ecus().stream().sorted(BY_SERIAL).toList(), a.updateState(), a.lastReport()))) {
        assertEquals(e.toString(), a.toString(), what + ": vehicle " + i);
      }
    }
  }

  static final Comparator<FleetVehicle.Ecu> BY_SERIAL =
      Comparator.comparing(FleetVehicle.Ecu::serial);

  /** On H2, each filter field is served by its index (the plan names the index it uses). */
  @Test
  void filtersUseTheirIndexes() {
    assertPlan(TargetFilter.any().inRegions("Munich"), "FLEET_VEHICLE_REGION_IDX");
    assertPlan(TargetFilter.any().inEnvironment("green"), "FLEET_VEHICLE_ENV_IDX");
    assertPlan(TargetFilter.any().withTags("van"), "FLEET_TAG_TAG_IDX");
    assertPlan(TargetFilter.ecuType("ADAS"), "FLEET_ECU_TYPE_");
    assertPlan(TargetFilter.ecuType("ADAS").withHardwareIds("ADAS-SVA-C"), "FLEET_ECU_TYPE_HW_IDX");
    assertPlan(
        TargetFilter.ecuType("ADAS").withCurrentVersions("1.1.0"), "FLEET_ECU_TYPE_VERSION_IDX");
    assertPlan(
        TargetFilter.ecuType("ADAS")
            .withHardwareIds("ADAS-SVA-C", "ADAS-EQ4-A")
            .inRegions("Hamburg")
            .withTags("van"),
        "FLEET_ECU_TYPE_HW_IDX",
        "FLEET_TAG_TAG_IDX");
    String byState = jdbc.explainCountByState(TargetFilter.any());
    assertTrue(byState.contains("FLEET_VEHICLE_STATE_IDX"), byState);
    String byStateFiltered =
        jdbc.explainCountByState(TargetFilter.ecuType("ADAS").withCurrentVersions("1.1.0"));
    assertTrue(byStateFiltered.contains("FLEET_ECU_TYPE_VERSION_IDX"), byStateFiltered);
    String page = jdbc.explainList(TargetFilter.ecuType("ADAS").withTags("van"));
    assertTrue(page.contains("FLEET_ECU_VIN_TYPE_IDX"), page);
  }

  static void assertPlan(TargetFilter f, String... indexes) {
    String plan = jdbc.explainCount(f);
    for (String index : indexes) {
      assertTrue(plan.contains(index), index + " in " + plan);
    }
  }
}
