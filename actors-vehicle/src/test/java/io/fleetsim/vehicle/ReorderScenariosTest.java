package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.VehicleNotifier;
import io.fleetsim.cluster.Seeds;
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
 * Answers and manifests held back on the link ({@link FaultKind#REORDER}) so that what the vehicle
 * sends after them arrives first. On an exact link each hold costs exactly one more round trip, so
 * the update durations are known to the millisecond; a manifest held back past the REPORTING
 * timeout reaches the Director after the newer one it accepted, and is refused as a replay, while
 * the update it reported stands.
 */
class ReorderScenariosTest {

  static final Duration POLL = Duration.ofHours(12);

  /** An exact link; vehicles find their assignment at their own poll, on the seeded grid. */
  static final Config SETTINGS =
      ConfigFactory.parseString("fleetsim.vehicle.poll-interval = 12h")
          .withFallback(UpdateTimeExactnessTest.SETTINGS);

  /** What one update of one vehicle came to, in simulated time. */
  record Times(Instant startedAt, Instant finishedAt, UpdateOutcome outcome) {}

  /** The first poll of {@code vin} falls at this offset in every poll interval. */
  static long pollOffset(long scenarioSeed, String vin) {
    return Math.floorMod(Seeds.splitMix64(Polling.seed(scenarioSeed, vin)), POLL.toMillis());
  }

  static Vehicle.EcuSpec adas(String vin, FirmwareImage v1, long flashBytesPerSecond) {
    return new Vehicle.EcuSpec(
        "adas",
        EcuType.ADAS,
        "hw-exact",
        vin + "-adas",
        Transport.DOIP,
        flashBytesPerSecond,
        TestFleet.bank(v1));
  }

  static void provision(TestFleet fleet, Set<String> vins, FirmwareImage v1, long flashSpeed) {
    List<TestProbe<StatusReply<Done>>> provisioned = new ArrayList<>();
    for (String vin : vins) {
      TestProbe<StatusReply<Done>> reply = fleet.testKit().createTestProbe();
      VehicleSharding.vehicle(fleet.testKit().system(), vin)
          .tell(
              new Vehicle.Provision(
                  new Vehicle.Spec(
                      vin, "Munich", "blue", Set.of(), "exact", List.of(adas(vin, v1, flashSpeed))),
                  reply.ref()));
      provisioned.add(reply);
    }
    for (TestProbe<StatusReply<Done>> r : provisioned) {
      StatusReply<Done> done = r.receiveMessage(Duration.ofSeconds(60));
      assertTrue(done.isSuccess(), () -> done.getError().getMessage());
    }
  }

  static void assign(TestFleet fleet, Set<String> vins, FirmwareImage v2) {
    for (String vin : vins) {
      StatusReply<Done> assigned =
          fleet.ask(
              fleet.cloud().refs().director(vin),
              r -> new Director.Assign("reorder", v2, new Director.Constraints(false, true), r));
      assertTrue(assigned.isSuccess(), () -> assigned.getError().getMessage());
    }
  }

  static void add(TestFleet fleet, FaultRule rule) {
    Faults.get(fleet.testKit().system()).add(rule).toCompletableFuture().join();
  }

  /**
   * 30 vehicles, 10 with every answer held back, 10 with half of them, 10 untouched: each updates
   * once, and the times of every update are returned.
   */
  static Map<String, Times> fleetUnderReorder(String name, Set<String> always, Set<String> half)
      throws Exception {
    TestFleet fleet = TestFleet.start(name, SETTINGS, tk -> VehicleNotifier.NONE);
    try {
      long seed = Seeds.scenarioSeed(fleet.testKit().system());
      Set<String> vins = vinsPollingLate(seed, 30);
      List<String> ordered = new ArrayList<>(vins);
      if (always.isEmpty()) {
        always.addAll(ordered.subList(0, 10));
        half.addAll(ordered.subList(10, 20));
      }
      FirmwareImage v1 = fleet.publish(EcuType.ADAS, "hw-exact", "1.0.0", 1, 150 * 1024);
      FirmwareImage v2 = fleet.publish(EcuType.ADAS, "hw-exact", "2.0.0", 2, 200 * 1024 + 17);
      add(
          fleet,
          new FaultRule(
              "reorder-all",
              FaultKind.REORDER,
              Selector.vins(always),
              Map.of("rate", 1.0),
              Window.from(Instant.EPOCH)));
      add(
          fleet,
          new FaultRule(
              "reorder-half",
              FaultKind.REORDER,
              Selector.vins(half),
              Map.of("rate", 0.5),
              Window.from(Instant.EPOCH)));
      provision(fleet, vins, v1, 1_500_000);
      assign(fleet, vins, v2);
      SimClock clock = SimClock.get(fleet.testKit().system());
      long firstPoll = vins.stream().mapToLong(v -> pollOffset(seed, v)).min().orElseThrow();
      assertTrue(
          clock.nowMillis() < firstPoll,
          "assigned at " + clock.now() + ", before the first poll at " + firstPoll + " ms");

      TestProbe<Object> probe = fleet.testKit().createTestProbe();
      probe.awaitAssert(
          Duration.ofSeconds(90),
          Duration.ofMillis(500),
          () -> {
            for (String vin : vins) {
              Vehicle.Status s = LinkFaultScenariosTest.status(fleet, vin);
              assertEquals(1, s.history().size(), vin + ": " + s);
              assertEquals(Vehicle.Phase.IDLE, s.phase(), vin);
            }
            return null;
          });
      Map<String, Times> times = new TreeMap<>();
      Duration clean = null;
      for (String vin : vins) {
        Vehicle.Status s = LinkFaultScenariosTest.status(fleet, vin);
        assertEquals(1, s.history().size(), vin + ": " + s.history());
        Vehicle.UpdateRecord r = s.history().get(0);
        assertEquals(UpdateOutcome.SUCCEEDED, r.outcome(), vin + ": " + r);
        assertEquals("2.0.0", s.installedVersions().get("adas"), vin);
        assertEquals(1, FaultScenariosTest.activations(fleet, vin, "adas"), vin);
        times.put(vin, new Times(r.startedAt(), r.finishedAt(), r.outcome()));
        if (!always.contains(vin) && !half.contains(vin)) {
          clean = clean == null ? r.duration() : clean;
          assertEquals(clean, r.duration(), vin + ": " + r);
        }
      }
      // The update's two exchanges (its download and its manifest) held one round trip each.
      Duration rt = UpdateTimeExactnessTest.LATENCY;
      for (String vin : always) {
        Vehicle.UpdateRecord r = LinkFaultScenariosTest.status(fleet, vin).history().get(0);
        assertEquals(clean.plus(rt.multipliedBy(2)), r.duration(), vin + " (every answer held)");
      }
      Set<Duration> partial = new TreeSet<>();
      for (String vin : half) {
        Duration d = LinkFaultScenariosTest.status(fleet, vin).history().get(0).duration();
        assertTrue(
            d.equals(clean) || d.equals(clean.plus(rt)) || d.equals(clean.plus(rt.multipliedBy(2))),
            vin + ": " + d + " against " + clean);
        partial.add(d);
      }
      FaultLedger.RuleAccount all = LinkFaultScenariosTest.account(fleet, "reorder-all");
      // each vehicle's check, download and manifest at least
      assertTrue(all.injected() >= 3L * always.size(), all.toString());
      FaultLedger.RuleAccount some = LinkFaultScenariosTest.account(fleet, "reorder-half");
      assertTrue(some.injected() > 0 && some.injected() < 3L * half.size(), some.toString());
      // held answers arrived while the vehicle still waited for them: nothing was refused
      assertEquals(Map.of(), Faults.get(fleet.testKit().system()).ledger().falseAlarms());
      return times;
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }

  /**
   * {@code n} VINs whose first poll falls late in the interval: the fleet is provisioned and
   * assigned long before any of them checks, so each finds its assignment at the same instant on
   * every run.
   */
  static Set<String> vinsPollingLate(long seed, int n) {
    Set<String> vins = new TreeSet<>();
    for (int i = 0; vins.size() < n; i++) {
      String vin = String.format("FSIMREORD%08d", i);
      long offset = pollOffset(seed, vin);
      if (offset >= Duration.ofHours(6).toMillis() && offset < Duration.ofHours(11).toMillis()) {
        vins.add(vin);
      }
    }
    return vins;
  }

  @Test
  void answersHeldBackEndEveryUpdateOnceAndTheSameSeedGivesTheSameTimes() throws Exception {
    Set<String> always = new TreeSet<>();
    Set<String> half = new TreeSet<>();
    Map<String, Times> first = fleetUnderReorder("ReorderFleet1", always, half);
    Map<String, Times> second = fleetUnderReorder("ReorderFleet2", always, half);
    assertEquals(first, second, "the same seed, the same update times");
  }

  @Test
  void aDownloadHeldPastItsTimeoutEndsTheUpdateOnceAndIsNotInstalledWhenItArrives()
      throws Exception {
    // The driver's consent comes after an hour: long enough to add the rule before the download.
    TestFleet fleet =
        TestFleet.start(
            "ReorderLateDownload",
            ConfigFactory.parseString("fleetsim.vehicle.consent-delay = 1h")
                .withFallback(UpdateTimeExactnessTest.SETTINGS),
            tk -> VehicleSharding.notifier(tk.system()));
    try {
      String vin = "FSIMREORDLATE0002";
      FirmwareImage v1 = fleet.publish(EcuType.ADAS, "hw-exact", "1.0.0", 1, 64 * 1024);
      FirmwareImage v2 = fleet.publish(EcuType.ADAS, "hw-exact", "2.0.0", 2, 64 * 1024 + 5);
      provision(fleet, Set.of(vin), v1, 1_500_000);
      assign(fleet, Set.of(vin), v2);
      TestProbe<Object> probe = fleet.testKit().createTestProbe();
      probe.awaitAssert(
          Duration.ofSeconds(60),
          Duration.ofMillis(10),
          () -> {
            Vehicle.Phase p = LinkFaultScenariosTest.status(fleet, vin).phase();
            assertEquals(Vehicle.Phase.AWAITING_CONSENT, p);
            return null;
          });
      // The download is held three hours, past the DOWNLOADING timeout (two hours); the manifest
      // reporting the failure is sent after the window and is not held.
      SimClock clock = SimClock.get(fleet.testKit().system());
      Instant from = clock.now();
      add(
          fleet,
          new FaultRule(
              "reorder-download",
              FaultKind.REORDER,
              Selector.vins(Set.of(vin)),
              Map.of("rate", 1.0, "ms", (double) Duration.ofHours(3).toMillis()),
              Window.of(from, Duration.ofMinutes(90))));
      // wait until the held images have arrived, an hour after the update ended
      fleet.awaitSimulated(
          Duration.between(clock.epoch(), from.plus(Duration.ofHours(4)).plusSeconds(60)));
      Vehicle.Status s = LinkFaultScenariosTest.status(fleet, vin);
      assertEquals(1, s.history().size(), s.toString());
      Vehicle.UpdateRecord r = s.history().get(0);
      assertEquals(UpdateOutcome.FAILED, r.outcome(), r.toString());
      assertTrue(r.detail().contains("download timed out"), r.toString());
      assertEquals("1.0.0", s.installedVersions().get("adas"));
      assertEquals(0, FaultScenariosTest.activations(fleet, vin, "adas"));
      assertEquals(Vehicle.Phase.IDLE, s.phase());
      assertEquals(1, LinkFaultScenariosTest.account(fleet, "reorder-download").injected());
      assertEquals(Map.of(), Faults.get(fleet.testKit().system()).ledger().falseAlarms());
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }

  @Test
  void aManifestHeldPastTheReportingTimeoutIsRefusedAsAReplayAndTheUpdateStands() throws Exception {
    TestFleet fleet =
        TestFleet.start(
            "ReorderLateManifest",
            UpdateTimeExactnessTest.SETTINGS,
            tk -> VehicleSharding.notifier(tk.system()));
    try {
      String vin = "FSIMREORDLATE0001";
      FirmwareImage v1 = fleet.publish(EcuType.ADAS, "hw-exact", "1.0.0", 1, 64 * 1024);
      FirmwareImage v2 = fleet.publish(EcuType.ADAS, "hw-exact", "2.0.0", 2, 64 * 1024 + 5);
      // a slow flash: the install takes most of an hour of simulated time, long enough to see
      provision(fleet, Set.of(vin), v1, 20);
      assign(fleet, Set.of(vin), v2);
      TestProbe<Object> probe = fleet.testKit().createTestProbe();
      probe.awaitAssert(
          Duration.ofSeconds(60),
          Duration.ofMillis(10),
          () -> {
            Vehicle.Phase p = LinkFaultScenariosTest.status(fleet, vin).phase();
            assertTrue(
                p == Vehicle.Phase.DISTRIBUTING || p == Vehicle.Phase.INSTALLING, p.toString());
            return null;
          });
      // From now on for 90 minutes, what the vehicle sends is held back three hours: its first
      // manifest, not the one it signs again at the REPORTING timeout (two hours later).
      SimClock clock = SimClock.get(fleet.testKit().system());
      Instant from = clock.now();
      add(
          fleet,
          new FaultRule(
              "reorder-late",
              FaultKind.REORDER,
              Selector.vins(Set.of(vin)),
              Map.of("rate", 1.0, "ms", (double) Duration.ofHours(3).toMillis()),
              Window.of(from, Duration.ofMinutes(90))));
      Faults faults = Faults.get(fleet.testKit().system());
      probe.awaitAssert(
          Duration.ofSeconds(60),
          Duration.ofMillis(200),
          () -> {
            assertEquals(Map.of("REPLAY", 1L), faults.ledger().explainedRefusals());
            return null;
          });
      // The Director was right to refuse it, and nobody attacked: no false alarm.
      assertEquals(Map.of(), faults.ledger().falseAlarms());
      Vehicle.Status s = LinkFaultScenariosTest.status(fleet, vin);
      assertEquals(1, s.history().size(), s.toString());
      Vehicle.UpdateRecord r = s.history().get(0);
      assertEquals(UpdateOutcome.SUCCEEDED, r.outcome(), r.toString());
      assertEquals("2.0.0", s.installedVersions().get("adas"));
      assertEquals(1, FaultScenariosTest.activations(fleet, vin, "adas"));
      // confirmed by the manifest signed at the timeout, which overtook the first
      assertTrue(r.finishedAt().isAfter(from.plus(Duration.ofHours(2))), r + " after " + from);
      assertTrue(
          r.finishedAt().isBefore(from.plus(Duration.ofHours(3))), r + " before the first arrived");
      // only the first manifest was held
      assertEquals(1, LinkFaultScenariosTest.account(fleet, "reorder-late").injected());
      assertEquals(Vehicle.Phase.IDLE, s.phase());
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }
}
