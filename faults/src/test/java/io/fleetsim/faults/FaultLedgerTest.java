package io.fleetsim.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.faults.FaultLedger.Effect;
import io.fleetsim.faults.FaultLedger.RuleAccount;
import io.fleetsim.faults.FaultLedger.Totals;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FaultLedgerTest {

  private static final Window ALWAYS = new Window(0, Window.OPEN);

  private static FaultRule rule(String id, FaultKind kind) {
    return new FaultRule(id, kind, Selector.all(), Map.of(), ALWAYS);
  }

  private final FaultLedger ledger = new FaultLedger();
  private final FaultRule badSignature = rule("bad-sig", FaultKind.BAD_SIGNATURE);
  private final FaultRule latency = rule("latency", FaultKind.LATENCY);

  private RuleAccount account(String ruleId) {
    return ledger.accounts().stream()
        .filter(a -> a.ruleId().equals(ruleId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no account for " + ruleId));
  }

  @Test
  void anAttackIsCountedOncePerEpisodeHoweverManyExchangesItTouches() {
    ledger.injected(badSignature, "VIN1");
    ledger.injected(badSignature, "VIN1");
    ledger.injected(badSignature, "VIN1");

    assertEquals(1, account("bad-sig").injected());
    assertEquals(new Totals(1, 0, 0, 0), ledger.totals());
  }

  @Test
  void eachVehicleHasItsOwnEpisode() {
    ledger.injected(badSignature, "VIN1");
    ledger.injected(badSignature, "VIN2");

    assertEquals(2, account("bad-sig").injected());
  }

  @Test
  void aFaultThatIsNotAnAttackIsCountedAtEveryInjection() {
    ledger.injected(latency, "VIN1");
    ledger.injected(latency, "VIN1");
    ledger.injected(latency, "VIN1");

    assertEquals(3, account("latency").injected());
    // Nothing stays open: a refusal afterwards is a false alarm, the end of the update nothing.
    ledger.ended("VIN1", true);
    ledger.detected("VIN1", "BAD_SIGNATURE");
    RuleAccount a = account("latency");
    assertEquals(0, a.undetected());
    assertEquals(Map.of(), a.detectedBy());
    assertEquals(Map.of("BAD_SIGNATURE", 1L), ledger.falseAlarms());
    // A request without an answer and no attack open is the network failing, not an alarm.
    ledger.detected("VIN1", FaultKind.TIMEOUT);
    assertEquals(Map.of("BAD_SIGNATURE", 1L), ledger.falseAlarms());
  }

  @Test
  void aFastForwardOutlivesTheUpdateItMetUntilTheRotationUndoesIt() {
    FaultRule ff = rule("ff", FaultKind.FAST_FORWARD);
    ledger.injected(ff, "VIN1");
    ledger.injected(badSignature, "VIN1");
    // The update succeeds: the bad signature got through, the fast-forward is still open.
    ledger.ended("VIN1", true);
    ledger.detected("VIN1", "FAST_FORWARD");
    Map<String, FaultLedger.RuleAccount> byId = new java.util.HashMap<>();
    ledger.accounts().forEach(a -> byId.put(a.ruleId(), a));
    assertEquals(1, byId.get("bad-sig").undetected());
    assertEquals(0, byId.get("ff").undetected());
    assertEquals(Map.of("FAST_FORWARD", 1L), byId.get("ff").detectedBy());
    assertEquals(Map.of(), ledger.falseAlarms());
  }

  @Test
  void aRefusalTheNetworkExplainsIsNoFalseAlarmButOnlyOnce() {
    ledger.explained("VIN1", "REPLAY");
    ledger.detected("VIN1", "REPLAY");
    assertEquals(Map.of(), ledger.falseAlarms());
    assertEquals(Map.of("REPLAY", 1L), ledger.explainedRefusals());
    // Another vehicle's, another check's, or a second refusal is not explained.
    ledger.detected("VIN2", "REPLAY");
    ledger.detected("VIN1", "BAD_SIGNATURE");
    ledger.detected("VIN1", "REPLAY");
    assertEquals(Map.of("REPLAY", 2L, "BAD_SIGNATURE", 1L), ledger.falseAlarms());
  }

  @Test
  void theExpectedCheckDetectsTheEpisodeAndClosesIt() {
    ledger.injected(badSignature, "VIN1");
    ledger.detected("VIN1", "BAD_SIGNATURE");

    RuleAccount a = account("bad-sig");
    assertEquals(Map.of("BAD_SIGNATURE", 1L), a.detectedBy());
    assertEquals(FaultKind.BAD_SIGNATURE, a.kind());
    assertEquals(new Totals(1, 1, 0, 0), ledger.totals());

    // Closed: the end of the update leaves it detected, and the next injection is a new episode.
    ledger.ended("VIN1", false);
    assertEquals(0, account("bad-sig").endedUndetected());
    ledger.injected(badSignature, "VIN1");
    assertEquals(2, account("bad-sig").injected());
  }

  @Test
  void anotherCheckCatchingTheAttackIsCountedUnderItAndUnderAnotherCheck() {
    ledger.injected(badSignature, "VIN1");
    ledger.detected("VIN1", "MIX_AND_MATCH");

    assertEquals(
        Map.of("MIX_AND_MATCH", 1L, FaultLedger.ANOTHER_CHECK, 1L),
        account("bad-sig").detectedBy());
    assertEquals(1, ledger.totals().detected(), "one detection, not two");
  }

  @Test
  void aTimeoutIsTheExpectedCheckOfAnAttackOnlyATimeLimitEnds() {
    ledger.injected(rule("drop", FaultKind.DROP_REQUEST), "VIN1");
    ledger.detected("VIN1", FaultKind.TIMEOUT);

    assertEquals(Map.of("TIMEOUT", 1L), account("drop").detectedBy());
  }

  @Test
  void aCorruptionIsCountedPerEpisodeAndWhicheverCheckRefusesItCaughtIt() {
    FaultRule corrupt = rule("corrupt", FaultKind.CORRUPT);
    ledger.injected(corrupt, "VIN1");
    ledger.injected(corrupt, "VIN1");
    ledger.detected("VIN1", "MALFORMED");
    ledger.injected(corrupt, "VIN2");
    ledger.detected("VIN2", "ARBITRARY_SOFTWARE");

    RuleAccount a = account("corrupt");
    assertEquals(2, a.injected(), "one episode per vehicle, not one per corrupted file");
    // Neither counted under another check nor as a false alarm: any check was right.
    assertEquals(Map.of("MALFORMED", 1L, "ARBITRARY_SOFTWARE", 1L), a.detectedBy());
    assertEquals(Map.of(), ledger.falseAlarms());
    assertEquals(new Totals(2, 2, 0, 0), ledger.totals());
  }

  @Test
  void aCorruptionThatNoCheckRefusedIsUndetected() {
    FaultRule corrupt = rule("corrupt", FaultKind.CORRUPT);
    ledger.injected(corrupt, "VIN1");
    ledger.ended("VIN1", true);

    assertEquals(1, account("corrupt").undetected());
    assertEquals(new Totals(1, 0, 1, 0), ledger.totals());
  }

  @Test
  void aDuplicatedAnswerIsCountedAtEveryInjection() {
    FaultRule duplicate = rule("duplicate", FaultKind.DUPLICATE);
    ledger.injected(duplicate, "VIN1");
    ledger.injected(duplicate, "VIN1");
    ledger.ended("VIN1", true);

    assertEquals(2, account("duplicate").injected());
    assertEquals(0, account("duplicate").undetected());
  }

  @Test
  void oneRefusalClosesEveryOpenEpisodeOfTheVehicleAndNoOtherVehicles() {
    ledger.injected(badSignature, "VIN1");
    ledger.injected(rule("freeze", FaultKind.FREEZE), "VIN1");
    ledger.injected(badSignature, "VIN2");

    ledger.detected("VIN1", "BAD_SIGNATURE");

    assertEquals(Map.of("BAD_SIGNATURE", 1L), account("bad-sig").detectedBy());
    assertEquals(
        Map.of("BAD_SIGNATURE", 1L, FaultLedger.ANOTHER_CHECK, 1L), account("freeze").detectedBy());
    ledger.ended("VIN2", true);
    assertEquals(1, account("bad-sig").undetected(), "VIN2's episode stayed open until it ended");
    assertEquals(new Totals(3, 2, 1, 0), ledger.totals());
  }

  @Test
  void aRefusalWithNothingInjectedIsAFalseAlarmOfTheCheck() {
    ledger.detected("VIN1", "ROLLBACK");
    ledger.detected("VIN2", "ROLLBACK");
    ledger.detected("VIN1", "FREEZE");

    assertEquals(Map.of("FREEZE", 1L, "ROLLBACK", 2L), ledger.falseAlarms());
    assertEquals(List.of("FREEZE", "ROLLBACK"), List.copyOf(ledger.falseAlarms().keySet()));
    assertEquals(new Totals(0, 0, 0, 3), ledger.totals());
    assertEquals(List.of(), ledger.accounts(), "a false alarm belongs to no rule");
  }

  @Test
  void anUpdateThatInstalledWhatAnOpenAttackGaveItLeavesTheAttackUndetected() {
    ledger.injected(badSignature, "VIN1");
    ledger.ended("VIN1", true);

    RuleAccount a = account("bad-sig");
    assertEquals(1, a.undetected());
    assertEquals(0, a.endedUndetected());
    assertEquals(Map.of(), a.effects());
    assertEquals(new Totals(1, 0, 1, 0), ledger.totals());
  }

  @Test
  void anUpdateThatEndedWithoutInstallingAndWithoutARefusalIsEndedUndetectedAndAFailure() {
    ledger.injected(badSignature, "VIN1");
    ledger.ended("VIN1", false);

    RuleAccount a = account("bad-sig");
    assertEquals(0, a.undetected());
    assertEquals(1, a.endedUndetected());
    assertEquals(Map.of(Effect.FAILURE, 1L), a.effects());
    assertEquals(Map.of(), a.detectedBy());
    assertEquals(new Totals(1, 0, 1, 0), ledger.totals());
  }

  @Test
  void anEndClosesTheEpisodeSoALaterRefusalIsAFalseAlarm() {
    ledger.injected(badSignature, "VIN1");
    ledger.ended("VIN1", true);
    ledger.detected("VIN1", "BAD_SIGNATURE");

    assertEquals(Map.of(), account("bad-sig").detectedBy());
    assertEquals(Map.of("BAD_SIGNATURE", 1L), ledger.falseAlarms());
  }

  @Test
  void anUpdateEndingWithNothingOpenCountsNothing() {
    ledger.ended("VIN1", true);
    ledger.ended("VIN1", false);

    assertEquals(List.of(), ledger.accounts());
    assertEquals(new Totals(0, 0, 0, 0), ledger.totals());
  }

  @Test
  void effectsAreCountedPerRuleAndKind() {
    ledger.injected(latency, "VIN1");
    ledger.effect("latency", Effect.DELAY);
    ledger.effect("latency", Effect.DELAY);
    ledger.effect("latency", Effect.RETRY);

    assertEquals(Map.of(Effect.DELAY, 2L, Effect.RETRY, 1L), account("latency").effects());
    assertEquals(
        List.of(Effect.RETRY, Effect.DELAY),
        List.copyOf(account("latency").effects().keySet()),
        "in the order the enum declares");
  }

  @Test
  void anEffectOfARuleNeverInjectedHereHasNoAccountToGoTo() {
    ledger.effect("elsewhere", Effect.ROLLBACK);

    assertEquals(List.of(), ledger.accounts());
  }

  @Test
  void accountsComeInRuleIdOrderAndDoNotChangeOnceRead() {
    ledger.injected(rule("c", FaultKind.LOSS), "VIN1");
    ledger.injected(rule("a", FaultKind.ROLLBACK), "VIN1");
    ledger.injected(rule("b", FaultKind.LATENCY), "VIN1");

    List<RuleAccount> read = ledger.accounts();
    assertEquals(List.of("a", "b", "c"), read.stream().map(RuleAccount::ruleId).toList());

    ledger.detected("VIN1", "ROLLBACK");
    assertEquals(Map.of(), read.get(0).detectedBy(), "an account read earlier stays as read");
    assertThrows(UnsupportedOperationException.class, () -> read.get(0).effects().clear());
  }

  @Test
  void concurrentInjectionsOfOneAttackIntoOneVehicleCountOneEpisode() throws Exception {
    int threads = 8;
    int callsEach = 1_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < callsEach; i++) {
                    ledger.injected(badSignature, "VIN1");
                    ledger.injected(latency, "VIN1");
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertEquals(1, account("bad-sig").injected());
    assertEquals((long) threads * callsEach, account("latency").injected());
    ledger.detected("VIN1", "BAD_SIGNATURE");
    assertEquals(new Totals(1 + (long) threads * callsEach, 1, 0, 0), ledger.totals());
  }

  @Test
  void racingInjectionsAndRefusalsLoseNoEpisode() throws Exception {
    // Each refusal closes what is open or is a false alarm, so every episode opened is closed by
    // exactly one refusal or by the end of the update: none is lost or counted twice.
    int rounds = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch start = new CountDownLatch(1);
      Future<?> injecting =
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                  ledger.injected(badSignature, "VIN1");
                }
                return null;
              });
      Future<?> refusing =
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                  ledger.detected("VIN1", "BAD_SIGNATURE");
                }
                return null;
              });
      start.countDown();
      injecting.get(60, TimeUnit.SECONDS);
      refusing.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    ledger.ended("VIN1", true);

    Totals t = ledger.totals();
    assertTrue(t.injected() >= 1 && t.injected() <= rounds, "episodes: " + t);
    assertEquals(t.injected(), t.detected() + t.undetected(), "every episode closed once: " + t);
    assertEquals(rounds, t.detected() + t.falseAlarms(), "every refusal counted once: " + t);
  }
}
