package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.RolloutPolicy;
import io.fleetsim.cloud.TargetFilter;
import io.fleetsim.cloud.WavePlan;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultLedger;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Selector;
import io.fleetsim.faults.Subject;
import io.fleetsim.faults.Window;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;

/**
 * Faults that are not attacks, applied by the same rules: a region cut off for a window, and a
 * share of ECUs whose new image does not boot. Each runs on a fleet of its own.
 */
class FaultScenariosTest {

  static Map<String, String> fleetOf(int vehicles, String... regions) {
    Map<String, String> vins = new TreeMap<>();
    for (int i = 0; i < vehicles; i++) {
      vins.put(String.format("FSIMFAULT%08d", i), regions[i % regions.length]);
    }
    return vins;
  }

  static TestFleet start(String name) {
    return TestFleet.start(
        name,
        ConfigFactory.parseString("fleetsim.vehicle.poll-interval = 1h"),
        tk -> VehicleSharding.notifier(tk.system()));
  }

  static void add(TestFleet fleet, FaultRule rule) throws Exception {
    Faults.get(fleet.testKit().system()).add(rule).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** How many times an ECU activated a new image: once per install. */
  static long activations(TestFleet fleet, String vin, String ecuId) {
    return PersistenceTestKit.create(fleet.testKit().system())
        .persistedInStorage("Ecu|" + vin + "/" + ecuId)
        .stream()
        .filter(e -> e.getClass().getSimpleName().equals("Activated"))
        .count();
  }

  @Test
  void aRegionCutOffForAWindowUpdatesWhenTheWindowEndsAndInstallsOnce() throws Exception {
    TestFleet fleet = start("FaultScenariosPartition");
    try {
      FirmwareImage engine = fleet.publish(EcuType.ENGINE, "hw-eng", "1.0.0", 1, 32 * 1024);
      FirmwareImage adas1 = fleet.publish(EcuType.ADAS, "hw-adas", "1.0.0", 1, 64 * 1024);
      FirmwareImage adas2 = fleet.publish(EcuType.ADAS, "hw-adas", "1.1.0", 2, 64 * 1024);
      Map<String, String> vins = fleetOf(40, "Munich", "Berlin");
      fleet.provisionTwoEcuVehicles(vins, engine, adas1);
      fleet.awaitSimulated(Duration.ofMinutes(90));

      // Berlin is cut off for six hours from now; the campaign starts at once.
      SimClock clock = SimClock.get(fleet.testKit().system());
      Instant cut = clock.now();
      Instant back = cut.plus(Duration.ofHours(6));
      add(
          fleet,
          new FaultRule(
              "berlin-down",
              FaultKind.PARTITION,
              Selector.region("Berlin"),
              Map.of(),
              Window.of(cut, Duration.ofHours(6))));
      CampaignProgress p =
          fleet.updateEveryAdas(
              "adas-partitioned", "ADAS 1.1.0 across a partition", adas2.version());
      assertEquals(Campaign.Status.COMPLETED, p.status(), p.toString());
      assertEquals(vins.size(), p.count(UpdateOutcome.SUCCEEDED), p.toString());

      vins.forEach(
          (vin, region) -> {
            Vehicle.Status s =
                fleet.ask(
                    VehicleSharding.vehicle(fleet.testKit().system(), vin), Vehicle.GetStatus::new);
            assertEquals("1.1.0", s.installedVersions().get("adas"), vin);
            Vehicle.UpdateRecord last = s.history().get(s.history().size() - 1);
            if (region.equals("Berlin")) {
              assertFalse(last.finishedAt().isBefore(back), vin + " updated at " + last);
            } else {
              assertTrue(last.finishedAt().isBefore(back), vin + " updated at " + last);
            }
            assertEquals(1, activations(fleet, vin, "adas"), vin + " installed twice");
          });
      FaultLedger.RuleAccount a = Faults.get(fleet.testKit().system()).ledger().accounts().get(0);
      assertEquals("berlin-down", a.ruleId());
      assertTrue(a.injected() >= 20, a.toString());
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }

  /** What one run of the boot-failure campaign came to. */
  record BootRun(
      Campaign.Status status,
      Set<String> rolledBack,
      Set<String> selectedAndTargeted,
      long crashes) {}

  static BootRun bootFailures(String name, RolloutPolicy.OnFailure onFailure) throws Exception {
    TestFleet fleet = start(name);
    try {
      FirmwareImage engine = fleet.publish(EcuType.ENGINE, "hw-eng", "1.0.0", 1, 32 * 1024);
      FirmwareImage adas1 = fleet.publish(EcuType.ADAS, "hw-adas", "1.0.0", 1, 64 * 1024);
      FirmwareImage adas2 = fleet.publish(EcuType.ADAS, "hw-adas", "1.1.0", 2, 64 * 1024);
      Map<String, String> vins = fleetOf(100, "Munich");
      fleet.provisionTwoEcuVehicles(vins, engine, adas1);
      fleet.awaitSimulated(Duration.ofMinutes(90));
      // 10 % of the fleet's ADAS ECUs do not boot the new image.
      FaultRule boots =
          new FaultRule(
              "adas-boot",
              FaultKind.BOOT_CRASH,
              Selector.all().withEcuTypes(Set.of("ADAS")).share(10),
              Map.of("rate", 1.0),
              Window.from(Instant.EPOCH));
      add(fleet, boots);
      // Half the fleet first; more than 5 % failing there stops the campaign.
      CampaignProgress p =
          fleet.runCampaign(
              "adas-boots",
              new Campaign.Spec(
                  "ADAS 1.1.0 that some ECUs do not boot",
                  TargetFilter.ecuType("ADAS"),
                  adas2.version(),
                  WavePlan.percentages(50, 100),
                  RolloutPolicy.of(0, 5, Duration.ofMinutes(30)).onFailure(onFailure)),
              Duration.ofSeconds(60));
      long seed = Faults.get(fleet.testKit().system()).scenarioSeed();
      Set<String> rolledBack = new TreeSet<>();
      Set<String> selected = new TreeSet<>();
      for (String vin : vins.keySet()) {
        Vehicle.Status s =
            fleet.ask(
                VehicleSharding.vehicle(fleet.testKit().system(), vin), Vehicle.GetStatus::new);
        boolean targeted = s.history().stream().anyMatch(r -> "adas-boots".equals(r.campaignId()));
        String reason = p.reasons().get(vin);
        if (reason != null && reason.startsWith("ROLLED_BACK")) {
          rolledBack.add(vin);
          assertEquals("1.0.0", s.installedVersions().get("adas"), vin + " rolled back");
        }
        if (targeted
            && boots
                .selector()
                .matches(new Subject(vin, "Munich", "ADAS", null), seed, boots.id())) {
          selected.add(vin);
        }
      }
      long crashes =
          Faults.get(fleet.testKit().system()).ledger().accounts().stream()
              .filter(a -> a.ruleId().equals("adas-boot"))
              .mapToLong(FaultLedger.RuleAccount::injected)
              .sum();
      return new BootRun(p.status(), rolledBack, selected, crashes);
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }

  @Test
  void exactlyTheEcusThatDoNotBootRollBackTheThresholdStopsTheCampaignAndTheSeedDecides()
      throws Exception {
    BootRun paused = bootFailures("FaultScenariosBootPause", RolloutPolicy.OnFailure.PAUSE);
    assertEquals(Campaign.Status.PAUSED, paused.status(), paused.toString());
    assertFalse(paused.rolledBack().isEmpty(), paused.toString());
    assertEquals(paused.selectedAndTargeted(), paused.rolledBack(), "exactly the selected ECUs");
    assertTrue(paused.crashes() >= paused.rolledBack().size(), paused.toString());

    BootRun aborted = bootFailures("FaultScenariosBootAbort", RolloutPolicy.OnFailure.ABORT);
    assertEquals(Campaign.Status.ABORTED, aborted.status(), aborted.toString());
    // The same seed: the same ECUs fail, as often.
    assertEquals(paused.rolledBack(), aborted.rolledBack());
    assertEquals(paused.crashes(), aborted.crashes());
  }

  @Test
  void anEcuReportReplayedOnTheBusIsRefusedByTheDirectorEveryTime() throws Exception {
    TestFleet fleet = start("FaultScenariosReplay");
    try {
      FirmwareImage engine = fleet.publish(EcuType.ENGINE, "hw-eng", "1.0.0", 1, 32 * 1024);
      FirmwareImage adas1 = fleet.publish(EcuType.ADAS, "hw-adas", "1.0.0", 1, 64 * 1024);
      FirmwareImage adas2 = fleet.publish(EcuType.ADAS, "hw-adas", "1.1.0", 2, 64 * 1024);
      Map<String, String> vins = fleetOf(40, "Munich");
      Set<String> replayed = new TreeSet<>();
      vins.keySet().stream().limit(20).forEach(replayed::add);
      fleet.provisionTwoEcuVehicles(vins, engine, adas1);
      // The device on the bus records each ECU's first report, made for the first update's
      // manifest, and hands it over again for every later one.
      add(
          fleet,
          new FaultRule(
              "replay",
              FaultKind.REPLAYED_REPORT,
              Selector.vins(replayed),
              Map.of(),
              Window.from(Instant.EPOCH)));
      CampaignProgress first = fleet.updateEveryAdas("adas-first", "ADAS 1.1.0", adas2.version());
      assertEquals(vins.size(), first.count(UpdateOutcome.SUCCEEDED), first.toString());

      FirmwareImage adas3 = fleet.publish(EcuType.ADAS, "hw-adas", "1.2.0", 3, 64 * 1024);
      CampaignProgress second =
          fleet.runCampaign(
              "adas-second",
              new Campaign.Spec(
                  "ADAS 1.2.0 past a replaying device",
                  TargetFilter.ecuType("ADAS"),
                  adas3.version(),
                  WavePlan.percentages(100),
                  RolloutPolicy.of(0, 100, Duration.ZERO).withTimeLimit(Duration.ofHours(6))),
              Duration.ofSeconds(60));
      assertEquals(Campaign.Status.COMPLETED, second.status(), second.toString());
      for (String vin : vins.keySet()) {
        String reason = second.reasons().get(vin);
        if (replayed.contains(vin)) {
          // never confirmed: the Director refused every manifest the vehicle signed
          assertTrue(reason != null && reason.startsWith("TIMED_OUT"), vin + ": " + reason);
        } else {
          assertEquals(null, reason, vin);
        }
      }
      FaultLedger ledger = Faults.get(fleet.testKit().system()).ledger();
      FaultLedger.RuleAccount a = ledger.accounts().get(0);
      assertEquals("replay", a.ruleId());
      long caught = a.detectedBy().getOrDefault("REPLAY", 0L);
      assertTrue(caught >= replayed.size(), a.toString());
      assertTrue(a.injected() - caught <= replayed.size(), a.toString());
      assertEquals(0, a.undetected(), a.toString());
      assertEquals(Map.of(), ledger.falseAlarms());
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }
}
