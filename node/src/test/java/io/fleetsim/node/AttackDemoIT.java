package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.time.CountedDispatchers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's attack mix on a 300-vehicle fleet with the JDBC journal: every attack is made on its
 * vehicles and caught by the check its kind expects, nothing the attacker touched gets through, the
 * vehicles nobody attacked update without a false alarm, and the same seed gives the same table.
 */
class AttackDemoIT {

  @TempDir Path dataDir;

  List<AttackMix.Row> run() {
    try (FleetNode node =
        FleetNode.start(
            AttackMix.on(
                FleetNode.Options.singleNode(dataDir, 0, 42).withDb(FleetNode.Db.H2_MEMORY)))) {
      CampaignRun.Result r =
          new CampaignRun(
                  node,
                  CampaignPlan.standard(300, Duration.ofMinutes(5)).withAttacks(0.02),
                  CampaignRun.Listener.NONE)
              .run();
      assertTrue(r.succeeded(), r.problem());
      return r.attacks();
    }
  }

  @Test
  void everyAttackIsCaughtAndTheSeedDecidesWhatHappens() {
    List<AttackMix.Row> rows = run();
    assertEquals(AttackMix.KINDS.size() + 1, rows.size(), AttackMix.table(rows));
    for (AttackMix.Row row : rows) {
      assertTrue(row.allCaught(), AttackMix.table(rows));
      if (!row.attack().equals(AttackMix.NONE)) {
        assertTrue(row.vehicles() > 0, row.toString());
        assertEquals(row.injected(), row.detected(), row.toString());
        assertEquals(
            row.detected(),
            (long) row.detectedBy().getOrDefault(row.expectedCheck(), 0L),
            "caught by the check its kind expects: " + row);
      } else {
        assertEquals(
            row.vehicles(),
            (int) row.campaignOutcomes().getOrDefault("SUCCEEDED", 0),
            row.toString());
      }
    }
    assertEquals(rows, run(), "the same seed, the same attacks and the same account");
  }

  @Test
  void aNodeRunsSimulationWorkOnlyOnDispatchersTheClockSees() {
    assertEquals(
        List.of(),
        CountedDispatchers.uncounted(
            FleetNode.config(FleetNode.Options.singleNode(dataDir, 0, 42))));
  }
}
