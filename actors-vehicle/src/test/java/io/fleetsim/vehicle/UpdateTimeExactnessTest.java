package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.ecu.CanBus;
import io.fleetsim.ecu.EcuProfile;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One vehicle's update takes exactly the sum of its modelled durations, to the millisecond,
 * computed here from the models' own formulas and settings: the consent delay, the download's radio
 * round trip, the ECU's checks, every block group on the bus, the flash and the boot, and the
 * manifest's round trip. The link is made exact (no jitter, no loss, no outage, a bandwidth at
 * which any payload here serialises in under a nanosecond), so each exchange costs exactly its
 * latency; the bus and ECU parts come from {@code CanBus.modelledTransferTime}.
 */
class UpdateTimeExactnessTest {

  static final Duration LATENCY = Duration.ofMillis(37);
  static final Duration CONSENT = Duration.ofSeconds(90);

  static final Config SETTINGS =
      ConfigFactory.parseString(
          """
          fleetsim.vehicle.poll-interval = 24h
          fleetsim.vehicle.poll-jitter = 0s
          fleetsim.vehicle.consent-delay = 90s
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

  @BeforeAll
  static void start() {
    fleet =
        TestFleet.start(
            "UpdateTimeExactnessTest", SETTINGS, tk -> VehicleSharding.notifier(tk.system()));
  }

  @AfterAll
  static void stop() {
    fleet.testKit().shutdownTestKit();
  }

  @Test
  void anUpdateTakesTheSumOfItsModelledDurations() {
    FirmwareImage v1 = fleet.publish(EcuType.ADAS, "hw-exact", "1.0.0", 1, 150 * 1024);
    String vin = "FSIMEXACT00000001";
    Vehicle.EcuSpec adas =
        new Vehicle.EcuSpec(
            "adas",
            EcuType.ADAS,
            "hw-exact",
            vin + "-adas",
            Transport.DOIP,
            1_500_000,
            TestFleet.bank(v1));
    Vehicle.Spec spec =
        new Vehicle.Spec(vin, "Munich", "blue", Set.of("test"), "exact", List.of(adas));
    StatusReply<org.apache.pekko.Done> provisioned =
        fleet.ask(
            VehicleSharding.vehicle(fleet.testKit().system(), vin),
            r -> new Vehicle.Provision(spec, r));
    assertTrue(provisioned.isSuccess(), () -> provisioned.getError().getMessage());

    FirmwareImage v2 = fleet.publish(EcuType.ADAS, "hw-exact", "2.0.0", 2, 200 * 1024 + 17);
    StatusReply<org.apache.pekko.Done> assigned =
        fleet.ask(
            fleet.cloud().refs().director(vin),
            r -> new Director.Assign("exact", v2, new Director.Constraints(false, true), r));
    assertTrue(assigned.isSuccess(), () -> assigned.getError().getMessage());

    TestProbe<Object> probe = fleet.testKit().createTestProbe();
    Vehicle.UpdateRecord record =
        probe.awaitAssert(
            Duration.ofSeconds(60),
            () -> {
              Vehicle.Status s =
                  fleet.ask(
                      VehicleSharding.vehicle(fleet.testKit().system(), vin),
                      Vehicle.GetStatus::new);
              assertEquals(1, s.history().size(), s.toString());
              return s.history().get(0);
            });
    assertEquals(UpdateOutcome.SUCCEEDED, record.outcome(), record.toString());

    Config config = fleet.testKit().system().settings().config();
    io.fleetsim.cloud.DirectorKeys keys =
        io.fleetsim.cloud.DirectorKeys.get(fleet.testKit().system());
    EcuProfile profile =
        new EcuProfile(
            adas.type(),
            adas.hardwareId(),
            adas.serial(),
            adas.transport(),
            adas.flashBytesPerSecond(),
            // partial verification checks as many signatures as the Director's threshold asks
            VehicleProvisioning.targetsKeys(keys),
            keys.threshold(io.fleetsim.uptane.metadata.Role.TARGETS),
            adas.installed(),
            "Munich");
    Duration expected =
        CONSENT // the driver's consent, asked as soon as the update was found
            .plus(LATENCY) // the download crosses the link
            .plus(CanBus.modelledTransferTime(config, profile, adas.transport(), v2.length()))
            .plus(LATENCY); // the signed manifest crosses the link; the Director answers at once
    assertEquals(expected, record.duration(), record.toString());
    // and the instants themselves sit on the clock's millisecond grid
    SimClock clock = SimClock.get(fleet.testKit().system());
    assertEquals(0, Duration.between(clock.epoch(), record.startedAt()).toNanosPart() % 1_000_000);
  }
}
