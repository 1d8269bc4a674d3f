package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.RolloutPolicy;
import io.fleetsim.cloud.TargetFilter;
import io.fleetsim.cloud.WavePlan;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultLedger;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Selector;
import io.fleetsim.faults.Window;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The attacks that meet a rotation of the Director's timestamp key, each on 20 vehicles of one
 * campaign next to 20 nobody attacks. The key rotates 30 minutes in and again 6 hours in:
 *
 * <ul>
 *   <li>{@code fast-forward} with the key of root version 2, between the rotations: its vehicles
 *       trust far-future timestamps, update all the same (the timestamps name the Director's own
 *       snapshot), and each drops its fast-forwarded timestamp at its first check after the second
 *       rotation, which is the attack's detection;
 *   <li>{@code revoked-key} with the key of root version 1, from the first rotation on: every check
 *       refuses it as signed by a key the root does not list, and the campaign records why.
 * </ul>
 */
class KeyRotationAttacksTest {

  static final int PER_ATTACK = 20;

  static final Map<String, FaultKind> UNDER = new LinkedHashMap<>();

  static {
    int n = 0;
    for (FaultKind k : new FaultKind[] {FaultKind.FAST_FORWARD, FaultKind.REVOKED_KEY, null}) {
      for (int i = 0; i < PER_ATTACK; i++) {
        UNDER.put(String.format("FSIMROTATE%07d", n++), k);
      }
    }
  }

  static TestFleet fleet;
  static ActorTestKit testKit;

  @BeforeAll
  static void start() throws Exception {
    fleet =
        TestFleet.start(
            "KeyRotationAttacksTest",
            ConfigFactory.parseString(
                "fleetsim.vehicle.poll-interval = 1h\n"
                    + "fleetsim.director.key-rotations = ["
                    + "{ role = timestamp, after = 30m }, { role = timestamp, after = 6h }]"),
            tk -> VehicleSharding.notifier(tk.system()));
    testKit = fleet.testKit();
    Faults faults = Faults.get(testKit.system());
    for (FaultKind k : new FaultKind[] {FaultKind.FAST_FORWARD, FaultKind.REVOKED_KEY}) {
      Set<String> vins = new TreeSet<>();
      UNDER.forEach(
          (vin, kind) -> {
            if (kind == k) {
              vins.add(vin);
            }
          });
      Map<String, Double> params =
          k == FaultKind.FAST_FORWARD ? Map.of("root", 2.0) : Map.of("root", 1.0);
      faults
          .add(
              new FaultRule(
                  AttackMatrixTest.name(k),
                  k,
                  Selector.vins(vins),
                  params,
                  Window.from(Instant.EPOCH)))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aRotationUndoesTheFastForwardAndARevokedKeyIsRefused() {
    FirmwareImage engine = fleet.publish(EcuType.ENGINE, "hw-eng", "1.0.0", 1, 32 * 1024);
    FirmwareImage adas1 = fleet.publish(EcuType.ADAS, "hw-adas", "1.0.0", 1, 64 * 1024);
    FirmwareImage adas2 = fleet.publish(EcuType.ADAS, "hw-adas", "1.1.0", 2, 64 * 1024);
    Map<String, String> regions = new LinkedHashMap<>();
    UNDER.keySet().forEach(vin -> regions.put(vin, "Munich"));
    fleet.provisionTwoEcuVehicles(regions, engine, adas1);
    // Every vehicle checks once after the first rotation: the fast-forward's vehicles now trust a
    // far-future timestamp.
    fleet.awaitSimulated(Duration.ofMinutes(90));

    Campaign.Spec spec =
        new Campaign.Spec(
            "ADAS 1.1.0 across key rotations",
            TargetFilter.ecuType("ADAS"),
            adas2.version(),
            WavePlan.percentages(100),
            RolloutPolicy.of(0, 100, Duration.ZERO).withTimeLimit(Duration.ofHours(3)));
    CampaignProgress p = fleet.runCampaign("adas-rotated", spec, Duration.ofSeconds(120));
    assertEquals(Campaign.Status.COMPLETED, p.status(), p.toString());
    assertEquals(UNDER.size(), p.settled(), p.toString());
    // Past the second rotation and the poll after it.
    fleet.awaitSimulated(Duration.ofHours(8));

    UNDER.forEach(
        (vin, kind) -> {
          String reason = p.reasons().get(vin);
          Vehicle.Status s =
              fleet.ask(VehicleSharding.vehicle(testKit.system(), vin), Vehicle.GetStatus::new);
          if (kind == FaultKind.REVOKED_KEY) {
            assertNotEquals(null, reason, vin);
            assertTrue(reason.contains("UNKNOWN_KEY"), vin + ": " + reason);
            assertEquals("1.0.0", s.installedVersions().get("adas"), vin);
          } else {
            assertEquals(null, reason, vin + " under " + kind);
            assertEquals("1.1.0", s.installedVersions().get("adas"), vin);
            // The undone fast-forward is a persisted security event.
            assertEquals(kind == FaultKind.FAST_FORWARD ? 1 : 0, s.attacksDetected(), vin);
          }
        });

    FaultLedger ledger = Faults.get(testKit.system()).ledger();
    Map<String, FaultLedger.RuleAccount> accounts = new LinkedHashMap<>();
    ledger.accounts().forEach(a -> accounts.put(a.ruleId(), a));
    FaultLedger.RuleAccount ff = accounts.get("fast-forward");
    assertEquals(PER_ATTACK, ff.injected(), ff.toString());
    assertEquals(Map.of("FAST_FORWARD", (long) PER_ATTACK), ff.detectedBy(), ff.toString());
    assertEquals(0, ff.undetected() + ff.endedUndetected(), ff.toString());
    FaultLedger.RuleAccount revoked = accounts.get("revoked-key");
    long caught = revoked.detectedBy().getOrDefault("UNKNOWN_KEY", 0L);
    assertTrue(caught >= PER_ATTACK, revoked.toString());
    assertTrue(revoked.injected() - caught <= PER_ATTACK, revoked.toString());
    assertEquals(0, revoked.undetected() + revoked.endedUndetected(), revoked.toString());
    assertEquals(Map.of(), ledger.falseAlarms(), "refusals nobody caused");
    assertEquals(2 * PER_ATTACK, p.count(UpdateOutcome.SUCCEEDED), p.toString());
  }
}
