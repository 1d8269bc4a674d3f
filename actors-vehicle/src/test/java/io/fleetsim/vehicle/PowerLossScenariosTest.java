package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Selector;
import io.fleetsim.faults.Window;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Power lost while half the fleet's ADAS ECUs write the new image ({@link FaultKind#POWER_LOSS} at
 * rate 0.5): exactly the drawn ECUs come back on their old image and their vehicles report the
 * update FAILED, once; the others update; the same seed draws the same ECUs.
 */
class PowerLossScenariosTest {

  record Run(Set<String> failed, long injected, CampaignProgress progress) {}

  static Run halfTheAdasEcusLosePower(String name) throws Exception {
    TestFleet fleet = FaultScenariosTest.start(name);
    try {
      FirmwareImage engine = fleet.publish(EcuType.ENGINE, "hw-eng", "1.0.0", 1, 32 * 1024);
      FirmwareImage adas1 = fleet.publish(EcuType.ADAS, "hw-adas", "1.0.0", 1, 64 * 1024);
      FirmwareImage adas2 = fleet.publish(EcuType.ADAS, "hw-adas", "1.1.0", 2, 64 * 1024);
      Map<String, String> vins = FaultScenariosTest.fleetOf(20, "Munich");
      fleet.provisionTwoEcuVehicles(vins, engine, adas1);
      fleet.awaitSimulated(Duration.ofMinutes(90));
      FaultScenariosTest.add(
          fleet,
          new FaultRule(
              "adas-power",
              FaultKind.POWER_LOSS,
              Selector.all().withEcuTypes(Set.of("ADAS")),
              Map.of("rate", 0.5),
              Window.from(Instant.EPOCH)));
      CampaignProgress p =
          fleet.updateEveryAdas("adas-power", "ADAS 1.1.0 with the power failing", adas2.version());
      assertEquals(Campaign.Status.COMPLETED, p.status(), p.toString());
      Set<String> failed = new TreeSet<>();
      for (String vin : vins.keySet()) {
        Vehicle.Status s = LinkFaultScenariosTest.status(fleet, vin);
        assertEquals(1, s.history().size(), vin + ": " + s.history());
        Vehicle.UpdateRecord r = s.history().get(0);
        assertEquals("1.0.0", s.installedVersions().get("engine"), vin);
        if (r.outcome() == UpdateOutcome.FAILED) {
          failed.add(vin);
          assertTrue(p.reasons().get(vin).contains("POWER_LOSS"), vin + ": " + p.reasons());
          assertEquals("1.0.0", s.installedVersions().get("adas"), vin + " runs its old image");
          assertEquals(0, FaultScenariosTest.activations(fleet, vin, "adas"), vin);
        } else {
          assertEquals(UpdateOutcome.SUCCEEDED, r.outcome(), vin + ": " + r);
          assertEquals("1.1.0", s.installedVersions().get("adas"), vin);
          assertEquals(1, FaultScenariosTest.activations(fleet, vin, "adas"), vin);
        }
      }
      assertEquals(failed.size(), p.count(UpdateOutcome.FAILED), p.toString());
      assertEquals(vins.size() - failed.size(), p.count(UpdateOutcome.SUCCEEDED), p.toString());
      long injected = LinkFaultScenariosTest.account(fleet, "adas-power").injected();
      return new Run(failed, injected, p);
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }

  @Test
  void exactlyTheDrawnEcusLosePowerAndTheSameSeedDrawsTheSameOnes() throws Exception {
    Run first = halfTheAdasEcusLosePower("PowerLossFleet1");
    assertTrue(first.failed().size() > 2 && first.failed().size() < 18, first.failed() + " of 20");
    // one power loss per ECU hit: the ECU does not write again by itself, nor does the vehicle
    assertEquals(first.failed().size(), first.injected(), first.toString());
    Run second = halfTheAdasEcusLosePower("PowerLossFleet2");
    assertEquals(first.failed(), second.failed(), "the same seed, the same ECUs");
    assertEquals(first.injected(), second.injected());
  }
}
