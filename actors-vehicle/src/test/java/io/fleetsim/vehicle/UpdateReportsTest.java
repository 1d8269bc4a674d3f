package io.fleetsim.vehicle;

import static io.fleetsim.uptane.manifest.UpdateOutcome.FAILED;
import static io.fleetsim.uptane.manifest.UpdateOutcome.REJECTED;
import static io.fleetsim.uptane.manifest.UpdateOutcome.ROLLED_BACK;
import static io.fleetsim.uptane.manifest.UpdateOutcome.SUCCEEDED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetsim.uptane.manifest.UpdateReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reports an ended update signs into the manifest, one per assignment. */
class UpdateReportsTest {

  static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

  static VehicleState.PlannedInstall install(String ecuId, String assignmentId, String campaignId) {
    return new VehicleState.PlannedInstall(
        ecuId,
        ecuId + "-serial",
        "ENGINE/2.0.0.img",
        100,
        "ab".repeat(32),
        2,
        assignmentId,
        campaignId);
  }

  static VehicleState.Update ended(
      List<VehicleState.PlannedInstall> installs, Map<String, VehicleState.EcuResult> results) {
    VehicleState.UpdatePlan plan =
        new VehicleState.UpdatePlan("V-u1", T0, false, false, installs, null);
    return new VehicleState.Update(
        plan, Vehicle.Phase.REPORTING, false, Set.of(), results, 0, null);
  }

  static VehicleState.EcuResult result(
      io.fleetsim.uptane.manifest.UpdateOutcome o, Vehicle.Phase phase, String attack, String why) {
    return new VehicleState.EcuResult(o, phase, attack, why, null);
  }

  @Test
  void theEcusOfOneAssignmentCombineByTheOnePrecedence() {
    VehicleState.Update u =
        ended(
            List.of(install("engine", "a/1", "a"), install("adas", "a/1", "a")),
            Map.of(
                "engine", result(SUCCEEDED, Vehicle.Phase.INSTALLING, "", ""),
                "adas", result(ROLLED_BACK, Vehicle.Phase.INSTALLING, "", "did not boot")));
    assertEquals(
        List.of(
            new UpdateReport(
                "a/1", ROLLED_BACK, "INSTALLING", "", "adas: ROLLED_BACK (did not boot)")),
        UpdateReports.of(u));
    assertEquals(ROLLED_BACK, UpdateReports.outcome(u));
  }

  @Test
  void aRefusalOutranksARollbackAndNamesItsPhaseAndAttack() {
    VehicleState.Update u =
        ended(
            List.of(install("engine", "a/1", "a"), install("adas", "a/1", "a")),
            Map.of(
                "engine", result(ROLLED_BACK, Vehicle.Phase.INSTALLING, "", "did not boot"),
                "adas", result(REJECTED, Vehicle.Phase.VERIFYING, "ARBITRARY_SOFTWARE", "hash")));
    UpdateReport r = UpdateReports.of(u).get(0);
    assertEquals(REJECTED, r.outcome());
    assertEquals("VERIFYING", r.phase());
    assertEquals("ARBITRARY_SOFTWARE", r.attack());
    assertEquals("ARBITRARY_SOFTWARE", UpdateReports.attack(u));
  }

  @Test
  void twoAssignmentsInOneUpdateAreReportedEachOnItsOwn() {
    VehicleState.Update u =
        ended(
            List.of(install("engine", "a/1", "a"), install("adas", "b/1", "b")),
            Map.of(
                "engine", result(SUCCEEDED, Vehicle.Phase.INSTALLING, "", ""),
                "adas", result(FAILED, Vehicle.Phase.DISTRIBUTING, "", "bus gave up")));
    assertEquals(
        List.of(
            new UpdateReport("a/1", SUCCEEDED, "INSTALLING", "", ""),
            new UpdateReport("b/1", FAILED, "DISTRIBUTING", "", "adas: FAILED (bus gave up)")),
        UpdateReports.of(u));
    Vehicle.UpdateRecord record = UpdateReports.record(u, T0.plusSeconds(60));
    assertEquals(FAILED, record.outcome());
    assertEquals("a", record.campaignId());
    Map<String, VehicleState.Installed> after =
        UpdateReports.installedAfter(
            u,
            Map.of(
                "engine", new VehicleState.Installed("1.0.0", "cd".repeat(32), 1),
                "adas", new VehicleState.Installed("1.0.0", "ef".repeat(32), 1)));
    assertEquals("2.0.0", after.get("engine").version());
    assertEquals("1.0.0", after.get("adas").version());
  }

  @Test
  void refusedDirectorMetadataIsOneReportForEveryOpenAssignment() {
    VehicleState.Refusal refusal =
        new VehicleState.Refusal(List.of(), "", "MALFORMED", "bad timestamp");
    VehicleState.UpdatePlan plan =
        new VehicleState.UpdatePlan("V-u2", T0, false, false, List.of(), null);
    VehicleState.Update u =
        new VehicleState.Update(
            plan, Vehicle.Phase.REPORTING, false, Set.of(), Map.of(), 0, refusal);
    assertEquals(
        List.of(new UpdateReport("", REJECTED, "CHECKING", "MALFORMED", "bad timestamp")),
        UpdateReports.of(u));
    assertEquals(REJECTED, UpdateReports.outcome(u));
    assertEquals("", UpdateReports.record(u, T0).campaignId());
  }

  @Test
  void refusedImageMetadataNamesEachVerifiedAssignment() {
    VehicleState.Refusal refusal =
        new VehicleState.Refusal(List.of("a/1", "b/1"), "a", "MIX_AND_MATCH", "hashes differ");
    VehicleState.UpdatePlan plan =
        new VehicleState.UpdatePlan("V-u3", T0, false, false, List.of(), null);
    VehicleState.Update u =
        new VehicleState.Update(
            plan, Vehicle.Phase.REPORTING, false, Set.of(), Map.of(), 0, refusal);
    assertEquals(
        List.of(
            new UpdateReport("a/1", REJECTED, "CHECKING", "MIX_AND_MATCH", "hashes differ"),
            new UpdateReport("b/1", REJECTED, "CHECKING", "MIX_AND_MATCH", "hashes differ")),
        UpdateReports.of(u));
    assertEquals("a", UpdateReports.record(u, T0).campaignId());
  }
}
