package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole update of a vehicle whose drive profile has it driving when the update starts, against
 * the real cloud, ECU and bus. The profile drives from midnight to noon UTC and parks in the
 * afternoon and evening; simulated time starts at midnight and the update is found in the morning.
 */
class DrivingVehicleUpdateTest {

  static final Instant NOON = Instant.parse("2030-01-01T12:00:00Z");

  static final Config SETTINGS =
      ConfigFactory.parseString(
          """
          fleetsim.time.epoch = "2030-01-01T00:00:00Z"
          fleetsim.vehicle.poll-interval = 24h
          fleetsim.vehicle.poll-jitter = 0s
          fleetsim.vehicle.drive.parked-by-hour =
            [0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1]
          fleetsim.vehicle.network-profiles.exact {
            latency = 37ms
            jitter = 0ms
            bandwidth-mbit = 1e12
            loss = 0
            outage-every = 0s
            outage-length = 0s
          }
          """);

  static TestFleet fleet;
  static FirmwareImage v1;
  static FirmwareImage v2;

  @BeforeAll
  static void start() {
    fleet =
        TestFleet.start(
            "DrivingVehicleUpdateTest", SETTINGS, tk -> VehicleSharding.notifier(tk.system()));
    v1 = fleet.publish(EcuType.ADAS, "hw-drive", "1.0.0", 1, 50 * 1024);
    v2 = fleet.publish(EcuType.ADAS, "hw-drive", "2.0.0", 2, 60 * 1024);
  }

  @AfterAll
  static void stop() {
    fleet.testKit().shutdownTestKit();
  }

  /** Provisions {@code vin}, assigns it ADAS 2.0.0 and returns its finished update. */
  Vehicle.UpdateRecord update(String vin, boolean requireParked) {
    Vehicle.EcuSpec adas =
        new Vehicle.EcuSpec(
            "adas",
            EcuType.ADAS,
            "hw-drive",
            vin + "-adas",
            Transport.DOIP,
            1_500_000,
            TestFleet.bank(v1));
    Vehicle.Spec spec = new Vehicle.Spec(vin, "Munich", "blue", Set.of(), "exact", List.of(adas));
    StatusReply<org.apache.pekko.Done> provisioned =
        fleet.ask(
            VehicleSharding.vehicle(fleet.testKit().system(), vin),
            r -> new Vehicle.Provision(spec, r));
    assertTrue(provisioned.isSuccess(), () -> provisioned.getError().getMessage());
    StatusReply<org.apache.pekko.Done> assigned =
        fleet.ask(
            fleet.cloud().refs().director(vin),
            r ->
                new Director.Assign(
                    "drive", v2, new Director.Constraints(requireParked, false), r));
    assertTrue(assigned.isSuccess(), () -> assigned.getError().getMessage());
    TestProbe<Object> probe = fleet.testKit().createTestProbe();
    Vehicle.UpdateRecord record =
        probe.awaitAssert(
            Duration.ofSeconds(60),
            Duration.ofMillis(200),
            () -> {
              Vehicle.Status s =
                  fleet.ask(
                      VehicleSharding.vehicle(fleet.testKit().system(), vin),
                      Vehicle.GetStatus::new);
              assertEquals(1, s.history().size(), s.toString());
              return s.history().get(0);
            });
    assertEquals(UpdateOutcome.SUCCEEDED, record.outcome(), record.toString());
    return record;
  }

  static List<Object> journal(String vin) {
    return PersistenceTestKit.create(fleet.testKit().system()).persistedInStorage("Vehicle|" + vin);
  }

  @Test
  void aVehicleDrivingAtTheUpdatesStartWaitsAndDownloadsAtItsNextParkedHour() {
    String vin = "FSIMDRIVEUPDATE01";
    Vehicle.UpdateRecord record = update(vin, true);
    assertTrue(record.startedAt().isBefore(NOON), record.toString());
    List<Object> events = journal(vin);
    List<Object> drive =
        events.stream()
            .filter(
                e -> e instanceof Vehicle.DriveStateChanged || e instanceof Vehicle.DownloadStarted)
            .toList();
    assertEquals(
        List.of(
            new Vehicle.DriveStateChanged(Vehicle.DriveState.DRIVING),
            new Vehicle.DriveStateChanged(Vehicle.DriveState.PARKED),
            new Vehicle.DownloadStarted(NOON)),
        drive,
        events.toString());
    assertTrue(record.finishedAt().isAfter(NOON), record.toString());
  }

  @Test
  void withoutRequireParkedTheProfileChangesNothing() {
    String vin = "FSIMDRIVEUPDATE02";
    Vehicle.UpdateRecord record = update(vin, false);
    List<Object> events = journal(vin);
    assertTrue(
        events.stream().noneMatch(e -> e instanceof Vehicle.DriveStateChanged), events.toString());
    assertTrue(events.contains(new Vehicle.DownloadStarted(record.startedAt())), events.toString());
  }
}
