package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated results depend on the seed only: not on the pace, not on the run. The same 300-vehicle
 * campaign (the demo's plan, seed 42) runs three times on fresh nodes with the JDBC journal, twice
 * as fast as the machine goes and once paced at 200 simulated seconds per wall second, and every
 * run gives the same outcome counts, the same campaign duration and the same update time for every
 * vehicle, to the millisecond.
 */
class SimulatedTimeIT {

  static final int VEHICLES = 300;

  @TempDir Path dataDir;

  CampaignRun.Result run(double pace) {
    try (FleetNode node =
        FleetNode.start(
            FleetNode.Options.singleNode(dataDir, pace, 42).withDb(FleetNode.Db.H2_MEMORY))) {
      CampaignRun.Result r =
          new CampaignRun(
                  node,
                  CampaignPlan.standard(VEHICLES, Duration.ofMinutes(5)),
                  CampaignRun.Listener.NONE)
              .run();
      assertTrue(r.succeeded(), r.problem());
      return r;
    }
  }

  static void assertSameFigures(CampaignRun.CampaignFacts a, CampaignRun.CampaignFacts b) {
    assertEquals(a.outcomes(), b.outcomes());
    assertEquals(a.simulated(), b.simulated());
    assertEquals(a.updateTimes().keySet(), b.updateTimes().keySet());
    a.updateTimes()
        .forEach((vin, t) -> assertEquals(t, b.updateTimes().get(vin), vin + "'s update time"));
  }

  @Test
  void theSameSeedGivesTheSameFiguresAtAnyPace() {
    CampaignRun.Result first = run(0);
    CampaignRun.CampaignFacts c = first.campaign();
    assertEquals(VEHICLES, c.updated());
    assertEquals(VEHICLES, c.updateTimes().size());

    assertSameFigures(c, run(0).campaign());

    CampaignRun.Result paced = run(200);
    assertSameFigures(c, paced.campaign());
    // Paced, the campaign cannot have gone much faster than 200 simulated s per wall s (the clock
    // may catch up on up to a second it lost); half that is a bound no machine can break.
    assertTrue(
        paced.campaign().wall().compareTo(c.simulated().dividedBy(400)) >= 0,
        "paced run: " + paced.campaign().wall() + " for " + c.simulated());
  }
}
