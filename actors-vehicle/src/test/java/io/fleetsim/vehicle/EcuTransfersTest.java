package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.ecu.CanBus;
import io.fleetsim.ecu.Transport;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every ECU without a result is asked again under the same transfer id; stale answers are not news.
 */
class EcuTransfersTest {

  static final Vehicle.Spec SPEC =
      VehicleProvisioningTest.spec(
          "V",
          "5g",
          List.of(
              VehicleProvisioningTest.ecu("engine", "engine-s"),
              VehicleProvisioningTest.ecu("adas", "adas-s")));

  static Vehicle.State distributing(VehicleState.Update u) {
    return Vehicle.State.empty()
        .provisioning(SPEC, "00".repeat(32))
        .with(Vehicle.Lifecycle.ACTIVE)
        .with(u);
  }

  @Test
  void anEcuWithAResultIsNotSentTheImageAgain() {
    VehicleState.Update u =
        VehicleStateTest.distributing()
            .withResults(Map.of("engine", VehicleStateTest.failed(Vehicle.Phase.DISTRIBUTING)));
    List<CanBus.StartTransfer> starts = EcuTransfers.toStart(distributing(u), null, null);
    assertEquals(1, starts.size());
    CanBus.StartTransfer t = starts.get(0);
    assertEquals("V-u1-adas", t.transferId());
    assertEquals("V", t.vin());
    assertEquals("adas", t.ecuId());
    assertEquals(Transport.CAN_FD, t.transport());
    assertEquals("ab".repeat(32), t.imageSha256());
    assertEquals(10, t.length());
  }

  @Test
  void onlyTheLastBlockOfThisUpdatesTransferCompletesIt() {
    VehicleState.Update u = VehicleStateTest.distributing();
    assertFalse(EcuTransfers.completes(u, new CanBus.TransferProgress("V-u1-adas", "adas", 9, 10)));
    assertTrue(EcuTransfers.completes(u, new CanBus.TransferProgress("V-u1-adas", "adas", 10, 10)));
    assertFalse(
        EcuTransfers.completes(u, new CanBus.TransferProgress("V-u0-adas", "adas", 10, 10)));
    assertFalse(
        EcuTransfers.completes(
            u.withTransferred("adas"), new CanBus.TransferProgress("V-u1-adas", "adas", 10, 10)));
  }

  @Test
  void aResultCountsOncePerEcuAndOnlyForThisUpdate() {
    VehicleState.Update u = VehicleStateTest.distributing();
    CanBus.TransferResult ok =
        new CanBus.TransferResult("V-u1-adas", "adas", UpdateOutcome.SUCCEEDED, "", "2.0.0");
    assertTrue(EcuTransfers.isNewResult(u, ok));
    assertFalse(
        EcuTransfers.isNewResult(
            u,
            new CanBus.TransferResult("V-u0-adas", "adas", UpdateOutcome.SUCCEEDED, "", "2.0.0")));
    assertFalse(
        EcuTransfers.isNewResult(
            u.withResults(Map.of("adas", VehicleStateTest.failed(Vehicle.Phase.INSTALLING))), ok));
  }
}
