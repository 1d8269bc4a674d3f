package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.VehicleNotifier;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultLedger;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Selector;
import io.fleetsim.faults.Window;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/**
 * Faults and attacks on the link that need a fleet of their own: a bundle of two images of which
 * the attacker blocks one, an image repository denied for a window, and answers that arrive twice.
 * The kinds that fit one campaign of one image are in {@link AttackMatrixTest}.
 */
class LinkFaultScenariosTest {

  static FaultLedger.RuleAccount account(TestFleet fleet, String ruleId) {
    return Faults.get(fleet.testKit().system()).ledger().accounts().stream()
        .filter(a -> a.ruleId().equals(ruleId))
        .findFirst()
        .orElseThrow(() -> new AssertionError(ruleId + " was never injected"));
  }

  static Vehicle.Status status(TestFleet fleet, String vin) {
    return fleet.ask(
        VehicleSharding.vehicle(fleet.testKit().system(), vin), Vehicle.GetStatus::new);
  }

  /** Assigns every image to every vehicle at once, each vehicle's assignments in one go. */
  static void assignAll(TestFleet fleet, Set<String> vins, FirmwareImage... images) {
    List<TestProbe<StatusReply<Done>>> replies = new ArrayList<>();
    for (String vin : vins) {
      for (FirmwareImage image : images) {
        TestProbe<StatusReply<Done>> reply = fleet.testKit().createTestProbe();
        fleet
            .cloud()
            .refs()
            .director(vin)
            .tell(
                new Director.Assign(
                    "bundle-" + image.ecuType(),
                    image,
                    new Director.Constraints(false, false),
                    reply.ref()));
        replies.add(reply);
      }
    }
    for (TestProbe<StatusReply<Done>> r : replies) {
      StatusReply<Done> done = r.receiveMessage(Duration.ofSeconds(30));
      assertTrue(done.isSuccess(), () -> done.getError().getMessage());
    }
  }

  @Test
  void aBundleWithOneImageBlockedFailsAndInstallsNothingWhileTheSameBundleUpdatesElsewhere()
      throws Exception {
    // Vehicles find their assignments at their next poll, so that each finds both at once and
    // its one update downloads the bundle of an engine and an ADAS image.
    TestFleet fleet =
        TestFleet.start(
            "LinkFaultsPartialBundle",
            ConfigFactory.parseString("fleetsim.vehicle.poll-interval = 1h"),
            tk -> VehicleNotifier.NONE);
    try {
      FirmwareImage engine1 = fleet.publish(EcuType.ENGINE, "hw-eng", "1.0.0", 1, 32 * 1024);
      FirmwareImage engine2 = fleet.publish(EcuType.ENGINE, "hw-eng", "1.1.0", 2, 32 * 1024);
      FirmwareImage adas1 = fleet.publish(EcuType.ADAS, "hw-adas", "1.0.0", 1, 64 * 1024);
      FirmwareImage adas2 = fleet.publish(EcuType.ADAS, "hw-adas", "1.1.0", 2, 64 * 1024);
      Map<String, String> vins = FaultScenariosTest.fleetOf(40, "Munich");
      fleet.provisionTwoEcuVehicles(vins, engine1, adas1);
      Set<String> blocked = new TreeSet<>();
      vins.keySet().stream().limit(20).forEach(blocked::add);
      FaultScenariosTest.add(
          fleet,
          new FaultRule(
              "partial-bundle",
              FaultKind.PARTIAL_BUNDLE,
              Selector.vins(blocked),
              Map.of(),
              Window.from(Instant.EPOCH)));
      assignAll(fleet, vins.keySet(), engine2, adas2);

      TestProbe<Object> probe = fleet.testKit().createTestProbe();
      probe.awaitAssert(
          Duration.ofSeconds(60),
          Duration.ofMillis(500),
          () -> {
            for (String vin : vins.keySet()) {
              Vehicle.Status s = status(fleet, vin);
              assertFalse(s.history().isEmpty(), vin);
              assertEquals(Vehicle.Phase.IDLE, s.phase(), vin);
            }
            return null;
          });
      for (String vin : vins.keySet()) {
        Vehicle.Status s = status(fleet, vin);
        Vehicle.UpdateRecord first = s.history().get(0);
        if (blocked.contains(vin)) {
          // One image of the bundle came through, the other never did: the download failed, and
          // neither ECU was given anything.
          assertEquals(UpdateOutcome.FAILED, first.outcome(), vin + ": " + first);
          assertTrue(first.detail().contains("download"), vin + ": " + first);
          s.history().forEach(r -> assertNotEquals(UpdateOutcome.SUCCEEDED, r.outcome(), vin));
          assertEquals("1.0.0", s.installedVersions().get("engine"), vin);
          assertEquals("1.0.0", s.installedVersions().get("adas"), vin);
          assertEquals(0, FaultScenariosTest.activations(fleet, vin, "engine"), vin);
          assertEquals(0, FaultScenariosTest.activations(fleet, vin, "adas"), vin);
        } else {
          s.history().forEach(r -> assertEquals(UpdateOutcome.SUCCEEDED, r.outcome(), vin));
          assertEquals("1.1.0", s.installedVersions().get("engine"), vin);
          assertEquals("1.1.0", s.installedVersions().get("adas"), vin);
        }
      }
      FaultLedger.RuleAccount a = account(fleet, "partial-bundle");
      long caught = a.detectedBy().getOrDefault(FaultKind.TIMEOUT, 0L);
      assertTrue(caught >= blocked.size(), a.toString());
      assertEquals(0, a.undetected(), a.toString());
      assertEquals(0L, a.detectedBy().getOrDefault(FaultLedger.ANOTHER_CHECK, 0L), a.toString());
      assertEquals(Map.of(), Faults.get(fleet.testKit().system()).ledger().falseAlarms());
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }

  @Test
  void anImageRepositoryDeniedForAWindowLeavesItsVehiclesWaitingUntilItIsBack() throws Exception {
    TestFleet fleet = FaultScenariosTest.start("LinkFaultsRepositoryDos");
    try {
      FirmwareImage engine = fleet.publish(EcuType.ENGINE, "hw-eng", "1.0.0", 1, 32 * 1024);
      FirmwareImage adas1 = fleet.publish(EcuType.ADAS, "hw-adas", "1.0.0", 1, 64 * 1024);
      FirmwareImage adas2 = fleet.publish(EcuType.ADAS, "hw-adas", "1.1.0", 2, 64 * 1024);
      Map<String, String> vins = FaultScenariosTest.fleetOf(20, "Munich");
      fleet.provisionTwoEcuVehicles(vins, engine, adas1);
      fleet.awaitSimulated(Duration.ofMinutes(90));

      // The image repository answers no vehicle for six hours from now; the Director does.
      Instant from = SimClock.get(fleet.testKit().system()).now();
      Instant back = from.plus(Duration.ofHours(6));
      FaultScenariosTest.add(
          fleet,
          new FaultRule(
              "images-down",
              FaultKind.REPOSITORY_DOS,
              Selector.all(),
              Map.of(),
              Window.of(from, Duration.ofHours(6))));
      CampaignProgress p =
          fleet.updateEveryAdas(
              "adas-dos", "ADAS 1.1.0 while the image repository is down", adas2.version());
      assertEquals(Campaign.Status.COMPLETED, p.status(), p.toString());
      assertEquals(vins.size(), p.count(UpdateOutcome.SUCCEEDED), p.toString());
      for (String vin : vins.keySet()) {
        Vehicle.Status s = status(fleet, vin);
        assertEquals("1.1.0", s.installedVersions().get("adas"), vin);
        assertEquals(1, s.history().size(), vin + ": " + s.history());
        Vehicle.UpdateRecord r = s.history().get(0);
        // Nothing could start before the repository was back: the check itself needs it.
        assertFalse(r.startedAt().isBefore(back), vin + " started at " + r.startedAt());
        assertEquals(1, FaultScenariosTest.activations(fleet, vin, "adas"), vin);
      }
      FaultLedger.RuleAccount a = account(fleet, "images-down");
      assertTrue(a.detectedBy().getOrDefault(FaultKind.TIMEOUT, 0L) >= vins.size(), a.toString());
      assertEquals(0, a.undetected(), a.toString());
      assertEquals(Map.of(), Faults.get(fleet.testKit().system()).ledger().falseAlarms());
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }

  @Test
  void answersThatArriveTwiceChangeNeitherOutcomesNorUpdateTimes() throws Exception {
    // An exact link (no jitter, loss or outage) and an exact consent delay: each update takes the
    // same time on every vehicle, to the millisecond, unless a copy of an answer moved it.
    TestFleet fleet =
        TestFleet.start(
            "LinkFaultsDuplicate",
            UpdateTimeExactnessTest.SETTINGS,
            tk -> VehicleSharding.notifier(tk.system()));
    try {
      FirmwareImage v1 = fleet.publish(EcuType.ADAS, "hw-exact", "1.0.0", 1, 150 * 1024);
      FirmwareImage v2 = fleet.publish(EcuType.ADAS, "hw-exact", "2.0.0", 2, 200 * 1024 + 17);
      Map<String, Boolean> duplicated = new TreeMap<>();
      for (int i = 0; i < 20; i++) {
        duplicated.put(String.format("FSIMDUPLI%08d", i), i % 2 == 0);
      }
      Set<String> twice = new TreeSet<>();
      duplicated.forEach(
          (vin, d) -> {
            if (d) {
              twice.add(vin);
            }
          });
      FaultScenariosTest.add(
          fleet,
          new FaultRule(
              "duplicate",
              FaultKind.DUPLICATE,
              Selector.vins(twice),
              Map.of("rate", 1.0),
              Window.from(Instant.EPOCH)));
      List<TestProbe<StatusReply<Done>>> provisioned = new ArrayList<>();
      for (String vin : duplicated.keySet()) {
        Vehicle.EcuSpec adas =
            new Vehicle.EcuSpec(
                "adas",
                EcuType.ADAS,
                "hw-exact",
                vin + "-adas",
                Transport.DOIP,
                1_500_000,
                TestFleet.bank(v1));
        TestProbe<StatusReply<Done>> reply = fleet.testKit().createTestProbe();
        VehicleSharding.vehicle(fleet.testKit().system(), vin)
            .tell(
                new Vehicle.Provision(
                    new Vehicle.Spec(vin, "Munich", "blue", Set.of(), "exact", List.of(adas)),
                    reply.ref()));
        provisioned.add(reply);
      }
      for (TestProbe<StatusReply<Done>> r : provisioned) {
        StatusReply<Done> done = r.receiveMessage(Duration.ofSeconds(60));
        assertTrue(done.isSuccess(), () -> done.getError().getMessage());
      }
      for (String vin : duplicated.keySet()) {
        StatusReply<Done> assigned =
            fleet.ask(
                fleet.cloud().refs().director(vin),
                r -> new Director.Assign("twice", v2, new Director.Constraints(false, true), r));
        assertTrue(assigned.isSuccess(), () -> assigned.getError().getMessage());
      }

      TestProbe<Object> probe = fleet.testKit().createTestProbe();
      probe.awaitAssert(
          Duration.ofSeconds(60),
          Duration.ofMillis(500),
          () -> {
            for (String vin : duplicated.keySet()) {
              Vehicle.Status s = status(fleet, vin);
              assertEquals(1, s.history().size(), vin + ": " + s);
              assertEquals(Vehicle.Phase.IDLE, s.phase(), vin);
            }
            return null;
          });
      Duration clean = null;
      for (Map.Entry<String, Boolean> e : duplicated.entrySet()) {
        Vehicle.Status s = status(fleet, e.getKey());
        Vehicle.UpdateRecord r = s.history().get(0);
        assertEquals(UpdateOutcome.SUCCEEDED, r.outcome(), e.getKey() + ": " + r);
        assertEquals("2.0.0", s.installedVersions().get("adas"), e.getKey());
        assertEquals(1, FaultScenariosTest.activations(fleet, e.getKey(), "adas"), e.getKey());
        if (clean == null) {
          clean = r.duration();
        }
        // The same duration, to the millisecond, with and without copies of every answer.
        assertEquals(clean, r.duration(), e.getKey() + (e.getValue() ? " (twice): " : ": ") + r);
      }
      // Every answer of a duplicated vehicle's update came twice: its check, its download and its
      // manifest's round trip at least.
      FaultLedger.RuleAccount a = account(fleet, "duplicate");
      assertTrue(a.injected() >= 3L * twice.size(), a.toString());
      assertEquals(Map.of(), Faults.get(fleet.testKit().system()).ledger().falseAlarms());
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }
}
