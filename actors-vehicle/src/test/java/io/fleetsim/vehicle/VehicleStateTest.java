package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How an update's phase follows from its progress, and the one manifest counter. */
class VehicleStateTest {

  static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

  static VehicleState.PlannedInstall install(String ecuId) {
    return new VehicleState.PlannedInstall(
        ecuId, ecuId + "-s", "ENGINE/2.0.0.img", 10, "ab".repeat(32), 2, "a/1", "a");
  }

  static final VehicleState.UpdatePlan PLAN =
      new VehicleState.UpdatePlan(
          "V-u1", T0, false, false, List.of(install("engine"), install("adas")), null);

  static VehicleState.Update distributing() {
    return new VehicleState.Update(
        PLAN, Vehicle.Phase.DISTRIBUTING, false, Set.of(), Map.of(), 0, null);
  }

  static VehicleState.EcuResult failed(Vehicle.Phase phase) {
    return new VehicleState.EcuResult(UpdateOutcome.FAILED, phase, "", "bus gave up", null);
  }

  @Test
  void anUpdateInstallsOnceEveryEcuHasTheImageAndReportsWithTheLastResult() {
    VehicleState.Update u = distributing().withTransferred("engine");
    assertEquals(Vehicle.Phase.DISTRIBUTING, u.phase());
    u = u.withTransferred("adas");
    assertEquals(Vehicle.Phase.INSTALLING, u.phase());
    u = u.withResults(Map.of("engine", failed(Vehicle.Phase.INSTALLING)));
    assertEquals(Vehicle.Phase.INSTALLING, u.phase());
    u = u.withResults(Map.of("adas", failed(Vehicle.Phase.INSTALLING)));
    assertEquals(Vehicle.Phase.REPORTING, u.phase());
  }

  @Test
  void anEcuThatFailsBeforeItsTransferLeavesTheOthersInstalling() {
    VehicleState.Update u =
        distributing()
            .withTransferred("engine")
            .withResults(Map.of("adas", failed(Vehicle.Phase.DISTRIBUTING)));
    assertEquals(Vehicle.Phase.INSTALLING, u.phase());
  }

  @Test
  void enteringReportingTakesTheNextManifestCounterAndOnlyThen() {
    Vehicle.State idle =
        Vehicle.State.empty().withCounter(4).with(distributing().withTransferred("engine"));
    assertEquals(4, idle.manifestCounter());
    VehicleState.Update ended =
        idle.update()
            .withResults(
                Map.of(
                    "engine", failed(Vehicle.Phase.INSTALLING),
                    "adas", failed(Vehicle.Phase.DISTRIBUTING)));
    Vehicle.State reporting = idle.with(ended);
    assertEquals(Vehicle.Phase.REPORTING, reporting.phase());
    assertEquals(5, reporting.manifestCounter());
    // Moving on within REPORTING keeps the counter; a new signature sets it.
    assertEquals(5, reporting.with(reporting.update()).manifestCounter());
    assertEquals(6, reporting.withCounter(6).manifestCounter());
  }
}
