package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** After a restart: idle polls, REPORTING signs again, every other phase carries on. */
class ResumptionTest {

  static final Vehicle.State ACTIVE = Vehicle.State.empty().with(Vehicle.Lifecycle.ACTIVE);

  static VehicleState.Update in(Vehicle.Phase phase) {
    return new VehicleState.Update(
        VehicleStateTest.PLAN, phase, false, Set.of(), Map.of(), 0, null);
  }

  @Test
  void aVehicleNotActiveDoesNothing() {
    assertEquals(Resumption.NOTHING, Resumption.of(Vehicle.State.empty()));
    assertEquals(Resumption.NOTHING, Resumption.of(ACTIVE.with(Vehicle.Lifecycle.DECOMMISSIONED)));
  }

  @Test
  void anIdleVehiclePollsAndOneInReportingSignsAgain() {
    assertEquals(Resumption.POLL, Resumption.of(ACTIVE));
    assertEquals(Resumption.SIGN_AGAIN, Resumption.of(ACTIVE.with(in(Vehicle.Phase.REPORTING))));
  }

  @Test
  void everyOtherPhaseCarriesOn() {
    for (Vehicle.Phase p :
        new Vehicle.Phase[] {
          Vehicle.Phase.AWAITING_CONSENT,
          Vehicle.Phase.DOWNLOADING,
          Vehicle.Phase.VERIFYING,
          Vehicle.Phase.DISTRIBUTING,
          Vehicle.Phase.INSTALLING
        }) {
      assertEquals(Resumption.CARRY_ON, Resumption.of(ACTIVE.with(in(p))), p.name());
    }
  }
}
