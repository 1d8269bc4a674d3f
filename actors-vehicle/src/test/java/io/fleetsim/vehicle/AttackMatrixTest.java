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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every attack the link's attacker makes, the theft of one of the Director's two targets keys, and
 * the corruption of every fetched file, each on 20 vehicles of one campaign, next to 20 vehicles
 * nobody attacks (the attacks that need a key rotation are in {@code KeyRotationAttacksTest}). Each
 * attack must be caught by the check its kind expects, every time it is made; no attacked vehicle
 * installs what it was not meant to; the campaign records each one with the reason; and the
 * vehicles nobody attacked update and raise no alarm.
 */
class AttackMatrixTest {

  static final int PER_ATTACK = 20;

  static final List<FaultKind> ATTACKS =
      List.of(
          FaultKind.BAD_SIGNATURE,
          FaultKind.UNTRUSTED_KEY,
          FaultKind.FREEZE,
          FaultKind.ROLLBACK,
          FaultKind.MIX_AND_MATCH,
          FaultKind.ARBITRARY_SOFTWARE,
          FaultKind.ENDLESS_DATA,
          FaultKind.DROP_REQUEST,
          FaultKind.SLOW_RETRIEVAL,
          FaultKind.PARTIAL_BUNDLE,
          FaultKind.REPOSITORY_DOS,
          FaultKind.CORRUPT,
          FaultKind.BUS_TAMPERED_IMAGE,
          FaultKind.COMPROMISED_KEY);

  /** The attacks whose vehicles update all the same: a rollback is of metadata after the update. */
  static final Set<FaultKind> UPDATE_ANYWAY = Set.of(FaultKind.ROLLBACK);

  /** The attack on each VIN; null for the vehicles nobody attacks. */
  static final Map<String, FaultKind> UNDER = new LinkedHashMap<>();

  static {
    int n = 0;
    List<FaultKind> all = new ArrayList<>(ATTACKS);
    all.add(null);
    for (FaultKind k : all) {
      for (int i = 0; i < PER_ATTACK; i++) {
        UNDER.put(String.format("FSIMATTACK%07d", n++), k);
      }
    }
  }

  static TestFleet fleet;
  static ActorTestKit testKit;

  @BeforeAll
  static void start() throws Exception {
    fleet =
        TestFleet.start(
            "AttackMatrixTest",
            ConfigFactory.parseString("fleetsim.vehicle.poll-interval = 1h"),
            tk -> VehicleSharding.notifier(tk.system()));
    testKit = fleet.testKit();
    Faults faults = Faults.get(testKit.system());
    for (FaultKind k : ATTACKS) {
      Set<String> vins = new LinkedHashSet<>();
      UNDER.forEach(
          (vin, kind) -> {
            if (kind == k) {
              vins.add(vin);
            }
          });
      // A trickle no download phase outlasts: the 4.7 KB delta at 1 bit/s takes 10 simulated
      // hours, the phase allows 2.
      // Every fetched file corrupted: no check ever passes, as under a bad signature.
      Map<String, Double> params =
          switch (k) {
            case SLOW_RETRIEVAL -> Map.of("kbps", 0.001);
            case CORRUPT -> Map.of("rate", 1.0);
            default -> Map.of();
          };
      faults
          .add(new FaultRule(name(k), k, selector(k, vins), params, Window.from(Instant.EPOCH)))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** The attack's vehicles; on the bus, their ADAS ECUs, which the campaign updates. */
  static Selector selector(FaultKind k, Set<String> vins) {
    Selector who = Selector.vins(vins);
    return k.point() == io.fleetsim.faults.Point.BUS ? who.withEcuTypes(Set.of("ADAS")) : who;
  }

  static String name(FaultKind k) {
    return k.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  @Test
  void everyAttackIsCaughtByItsCheckAndNothingAttackedIsInstalled() throws Exception {
    FirmwareImage engine = fleet.publish(EcuType.ENGINE, "hw-eng", "1.0.0", 1, 32 * 1024);
    FirmwareImage adas1 = fleet.publish(EcuType.ADAS, "hw-adas", "1.0.0", 1, 64 * 1024);
    FirmwareImage adas2 = fleet.publish(EcuType.ADAS, "hw-adas", "1.1.0", 2, 64 * 1024);
    Map<String, String> regions = new LinkedHashMap<>();
    UNDER.keySet().forEach(vin -> regions.put(vin, "Munich"));
    fleet.provisionTwoEcuVehicles(regions, engine, adas1);
    // Every vehicle checks once before the campaign (its first poll comes within the poll
    // interval), so that an attacker recording what it sees records metadata without the update.
    fleet.awaitSimulated(Duration.ofMinutes(90));

    // Nothing stops the campaign; a vehicle that never hears of it is timed out after 27 h, past
    // the day after which a frozen timestamp has expired.
    Campaign.Spec spec =
        new Campaign.Spec(
            "ADAS 1.1.0 under attack",
            TargetFilter.ecuType("ADAS"),
            adas2.version(),
            WavePlan.percentages(100),
            RolloutPolicy.of(0, 100, Duration.ZERO).withTimeLimit(Duration.ofHours(27)));
    CampaignProgress p = fleet.runCampaign("adas-attacked", spec, Duration.ofSeconds(240));
    assertEquals(Campaign.Status.COMPLETED, p.status(), p.toString());
    assertEquals(UNDER.size(), p.settled(), p.toString());

    // The campaign records each attacked vehicle with why it did not update; a rollback is of
    // metadata after the vehicle updated, and the vehicles nobody attacked update.
    UNDER.forEach(
        (vin, kind) -> {
          String reason = p.reasons().get(vin);
          if (kind == null || UPDATE_ANYWAY.contains(kind)) {
            assertEquals(null, reason, vin + " under " + kind);
          } else {
            assertNotEquals(null, reason, vin + " under " + kind);
            String expected = kind.expectedCheck().orElseThrow();
            if (kind == FaultKind.BUS_TAMPERED_IMAGE) {
              // the ECU refused the image's hash: its install REJECTED
              assertTrue(reason.startsWith("REJECTED"), vin + " under " + kind + ": " + reason);
            } else if (!expected.equals(FaultKind.TIMEOUT)
                && !expected.equals(FaultKind.ANY)
                && kind != FaultKind.FREEZE) {
              assertTrue(reason.contains(expected), vin + " under " + kind + ": " + reason);
            }
          }
        });

    // Nothing it was not meant to install: only the vehicles the attacker let through run 1.1.0.
    UNDER.forEach(
        (vin, kind) -> {
          Vehicle.Status s =
              fleet.ask(VehicleSharding.vehicle(testKit.system(), vin), Vehicle.GetStatus::new);
          boolean updated = kind == null || UPDATE_ANYWAY.contains(kind);
          assertEquals(updated ? "1.1.0" : "1.0.0", s.installedVersions().get("adas"), vin);
        });

    // Every attack made was caught, by the check its kind expects; at most one attempt per
    // vehicle may still be on its way to a check when the ledger is read.
    FaultLedger ledger = Faults.get(testKit.system()).ledger();
    Map<String, FaultLedger.RuleAccount> accounts = new LinkedHashMap<>();
    ledger.accounts().forEach(a -> accounts.put(a.ruleId(), a));
    for (FaultKind k : ATTACKS) {
      FaultLedger.RuleAccount a = accounts.get(name(k));
      assertNotEquals(null, a, k + " was never injected");
      String expected = k.expectedCheck().orElseThrow();
      // Whichever check refuses a corrupted file caught it.
      long caught =
          expected.equals(FaultKind.ANY)
              ? a.detectedBy().values().stream().mapToLong(Long::longValue).sum()
              : a.detectedBy().getOrDefault(expected, 0L);
      assertTrue(caught >= PER_ATTACK, k + ": caught " + caught + " times: " + a);
      assertTrue(a.injected() - caught <= PER_ATTACK, k + ": " + a);
      assertEquals(0, a.undetected(), k + ": " + a);
      assertEquals(0, a.endedUndetected(), k + ": " + a);
      assertEquals(0L, a.detectedBy().getOrDefault(FaultLedger.ANOTHER_CHECK, 0L), k + ": " + a);
    }
    assertEquals(Map.of(), ledger.falseAlarms(), "refusals nobody caused");
    // The vehicles nobody attacked and those whose attack did not keep them from updating.
    assertEquals(
        (1 + UPDATE_ANYWAY.size()) * PER_ATTACK, p.count(UpdateOutcome.SUCCEEDED), p.toString());
  }
}
