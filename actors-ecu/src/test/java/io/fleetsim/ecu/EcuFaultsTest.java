package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultLedger;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Selector;
import io.fleetsim.faults.Window;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The fault rules on an ECU's boot and flash write: each drives a real failure of the install it
 * touches (a hung boot the watchdog ends, a failed self-test, a flash write that fails), each ends
 * with the old bank running, and the node's ledger counts each injection. Without a rule acting (no
 * rule, another vehicle, a window not open) the same install succeeds.
 */
class EcuFaultsTest {

  // the synchronous runCommand needs answers at once: checks cost no simulated time here
  static final ActorTestKit testKit = ActorTestKit.create(Fixtures.configWithoutCompute());
  static final SimClock clock = SimClock.get(testKit.system());
  static final Faults faults = Faults.get(testKit.system());
  static final Fixtures fx = new Fixtures(31);
  static final AtomicInteger ids = new AtomicInteger();
  static final int GROUP = 64 * 1024;
  static final Duration MS = Duration.ofMillis(1);
  static final Duration BOOT_TIME = Duration.ofSeconds(5);
  static final Duration WATCHDOG = Duration.ofSeconds(30);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  final TestProbe<CanBus.Command> bus = testKit.createTestProbe();
  final byte[] newImage = Fixtures.bytes(new Random(7), 150 * 1024 + 3);
  final Duration flash = Bootloader.flashTime(newImage.length, fx.profile().flashBytesPerSecond());

  /** A provisioned ECU of a vehicle of its own, so that a rule on its VIN touches it alone. */
  EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> ecu(String vin) {
    EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Ecu.create(Ecu.entityId(vin, Fixtures.ECU_ID), BootModel.alwaysOk(), v -> bus.ref()));
    StatusReply<org.apache.pekko.Done> r =
        kit.<StatusReply<org.apache.pekko.Done>>runCommand(
                replyTo -> new Ecu.Provision(fx.profile(), replyTo))
            .reply();
    assertTrue(r.isSuccess());
    return kit;
  }

  /** As {@link #ecu(String)}, with {@code profile}. */
  EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> ecu(
      String vin, EcuProfile profile) {
    EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Ecu.create(Ecu.entityId(vin, Fixtures.ECU_ID), BootModel.alwaysOk(), v -> bus.ref()));
    assertTrue(
        kit.<StatusReply<org.apache.pekko.Done>>runCommand(
                replyTo -> new Ecu.Provision(profile, replyTo))
            .reply()
            .isSuccess());
    return kit;
  }

  static EcuProfile inRegion(String region) {
    EcuProfile p = fx.profile();
    return new EcuProfile(
        p.type(),
        p.hardwareId(),
        p.ecuSerial(),
        p.transport(),
        p.flashBytesPerSecond(),
        p.directorTargetsKeys(),
        p.directorThreshold(),
        p.installed(),
        region);
  }

  @Test
  void aBootRuleOnARegionFailsTheEcusOfThatRegionAlone() {
    add(
        new FaultRule(
            "berlin-crash",
            FaultKind.BOOT_CRASH,
            Selector.region("Berlin"),
            Map.of(),
            Window.from(clock.now())));
    var berlin = ecu(vin(), inRegion("Berlin"));
    receive(berlin, "t");
    clock.advance(flash.plus(BOOT_TIME));
    assertOldBankRuns(berlin, UpdateOutcome.ROLLED_BACK, "CRASH");
    var munich = ecu(vin(), inRegion("Munich"));
    receive(munich, "t");
    assertInstalls(munich);
    assertEquals(1, injected("berlin-crash"));
    faults.remove("berlin-crash").toCompletableFuture().join();
  }

  @Test
  void aBootRuleOnACampaignFailsThatCampaignsDownloadsAlone() {
    // the director's targets name the download's campaign (Fixtures.CAMPAIGN)
    add(
        new FaultRule(
            "other-campaign-crash",
            FaultKind.BOOT_CRASH,
            Selector.all().inCampaign("another-campaign"),
            Map.of(),
            Window.from(clock.now())));
    var spared = ecu(vin());
    receive(spared, "t");
    assertInstalls(spared);
    add(
        new FaultRule(
            "this-campaign-crash",
            FaultKind.BOOT_CRASH,
            Selector.all().inCampaign(Fixtures.CAMPAIGN),
            Map.of(),
            Window.from(clock.now())));
    var hit = ecu(vin());
    receive(hit, "t");
    clock.advance(flash.plus(BOOT_TIME));
    assertOldBankRuns(hit, UpdateOutcome.ROLLED_BACK, "CRASH");
    assertEquals(0, injected("other-campaign-crash"));
    assertEquals(1, injected("this-campaign-crash"));
    faults.remove("other-campaign-crash").toCompletableFuture().join();
    faults.remove("this-campaign-crash").toCompletableFuture().join();
  }

  static String vin() {
    return "ECUFAULT" + ids.incrementAndGet();
  }

  static FaultRule rule(String id, FaultKind kind, String vin, Map<String, Double> params) {
    return new FaultRule(id, kind, Selector.vins(Set.of(vin)), params, Window.from(clock.now()));
  }

  static void add(FaultRule rule) {
    faults.add(rule).toCompletableFuture().join();
  }

  static long injected(String ruleId) {
    return faults.ledger().accounts().stream()
        .filter(a -> a.ruleId().equals(ruleId))
        .mapToLong(FaultLedger.RuleAccount::injected)
        .sum();
  }

  /** Session, RequestDownload, every group and the exit, each answered positively. */
  void receive(EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit, String tid) {
    byte[] targets = fx.targetsFor(newImage);
    EcuTest.assertPositive(
        EcuTest.uds(kit, r -> new Ecu.DiagnosticSessionControl(tid, Ecu.Session.PROGRAMMING, r)));
    EcuTest.assertPositive(
        EcuTest.uds(kit, r -> new Ecu.RequestDownload(tid, 0, newImage.length, targets, r)));
    for (int g = 1; (long) (g - 1) * GROUP < newImage.length; g++) {
      int from = (g - 1) * GROUP;
      byte[] part = Arrays.copyOfRange(newImage, from, Math.min(newImage.length, from + GROUP));
      int counter = g;
      EcuTest.assertPositive(EcuTest.uds(kit, r -> new Ecu.TransferData(tid, counter, part, r)));
    }
    EcuTest.assertPositive(EcuTest.uds(kit, r -> new Ecu.RequestTransferExit(tid, r)));
    assertEquals(Ecu.Phase.FLASHING, kit.getState().phase());
  }

  /** The old bank runs, the new one is not bootable, the install ended with {@code outcome}. */
  void assertOldBankRuns(
      EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit,
      UpdateOutcome outcome,
      String reasonStart) {
    Ecu.State s = kit.getState();
    assertEquals(Ecu.Phase.RUNNING, s.phase());
    assertEquals(Bank.Slot.A, s.banks().active());
    assertEquals(fx.oldBank, s.activeBank());
    assertFalse(s.banks().b().valid(), "the failed bank cannot be booted");
    assertTrue(s.isSafe());
    assertEquals(outcome, s.lastInstall().outcome());
    assertTrue(s.lastInstall().reason().startsWith(reasonStart), s.lastInstall().reason());
    CanBus.EcuInstallFinished done = (CanBus.EcuInstallFinished) bus.receiveMessage();
    assertEquals(outcome, done.outcome());
    assertTrue(done.reason().startsWith(reasonStart), done.reason());
  }

  /** The install boots and activates the new bank exactly after flash and boot time. */
  void assertInstalls(EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit) {
    clock.advance(flash.plus(BOOT_TIME));
    Ecu.State s = kit.getState();
    assertEquals(Ecu.Phase.RUNNING, s.phase());
    assertEquals(Bank.Slot.B, s.banks().active());
    assertEquals(UpdateOutcome.SUCCEEDED, s.lastInstall().outcome());
    assertEquals(
        UpdateOutcome.SUCCEEDED, ((CanBus.EcuInstallFinished) bus.receiveMessage()).outcome());
  }

  @Test
  void aHungBootIsEndedByTheWatchdogAndRolledBack() {
    String vin = vin();
    add(rule("hang", FaultKind.BOOT_HANG, vin, Map.of()));
    var kit = ecu(vin);
    receive(kit, "t");
    clock.advance(flash);
    assertEquals(Ecu.Phase.REBOOTING, kit.getState().phase());
    // no confirmation at the boot time: only the watchdog ends the boot
    clock.advance(WATCHDOG.minus(MS));
    assertEquals(Ecu.Phase.REBOOTING, kit.getState().phase());
    bus.expectNoMessage(Duration.ofMillis(20));
    clock.advance(MS);
    assertOldBankRuns(kit, UpdateOutcome.ROLLED_BACK, "HANG");
    assertEquals(1, injected("hang"));
  }

  @Test
  void aFailedSelfTestRollsBackAtTheBootTime() {
    String vin = vin();
    add(rule("self-test", FaultKind.BOOT_SELF_TEST_FAIL, vin, Map.of("rate", 1.0)));
    var kit = ecu(vin);
    receive(kit, "t");
    clock.advance(flash.plus(BOOT_TIME).minus(MS));
    assertEquals(Ecu.Phase.REBOOTING, kit.getState().phase());
    clock.advance(MS);
    assertOldBankRuns(kit, UpdateOutcome.ROLLED_BACK, "SELF_TEST_FAIL");
    assertEquals(1, injected("self-test"));
  }

  @Test
  void aFailedFlashWriteReportsTheInstallFailedAndKeepsTheOldBank() {
    String vin = vin();
    add(rule("flash", FaultKind.FLASH_WRITE_ERROR, vin, Map.of()));
    var kit = ecu(vin);
    receive(kit, "t");
    clock.advance(flash.minus(MS));
    assertEquals(Ecu.Phase.FLASHING, kit.getState().phase());
    clock.advance(MS);
    // the write ends when the flash time has passed, and nothing is booted
    assertOldBankRuns(kit, UpdateOutcome.FAILED, "FLASH_WRITE_ERROR");
    assertEquals(0, kit.getState().bootAttempt());
    assertEquals(1, injected("flash"));
    // a later install with the rule gone succeeds
    faults.remove("flash").toCompletableFuture().join();
    receive(kit, "t2");
    assertInstalls(kit);
    assertEquals(1, injected("flash"));
  }

  @Test
  void withoutARuleActingTheSameInstallSucceeds() {
    // a rule on another vehicle, one of rate 0, one whose window has not opened yet
    String vin = vin();
    add(rule("other-vehicle", FaultKind.BOOT_HANG, "SOMEONE-ELSE", Map.of()));
    add(rule("never", FaultKind.BOOT_SELF_TEST_FAIL, vin, Map.of("rate", 0.0)));
    add(
        new FaultRule(
            "later",
            FaultKind.FLASH_WRITE_ERROR,
            Selector.vins(Set.of(vin)),
            Map.of(),
            Window.of(clock.now().plus(Duration.ofDays(1)), Duration.ofHours(1))));
    add(
        new FaultRule(
            "adas-only",
            FaultKind.BOOT_HANG,
            Selector.vins(Set.of(vin)).withEcuTypes(Set.of(EcuType.ADAS.name())),
            Map.of(),
            Window.from(clock.now())));
    var kit = ecu(vin);
    receive(kit, "t");
    assertInstalls(kit);
    for (String id : new String[] {"other-vehicle", "never", "later", "adas-only"}) {
      assertEquals(0, injected(id), id);
    }
  }

  @Test
  void aCrashedBootRollsBackAtTheBootTime() {
    String vin = vin();
    add(rule("crash", FaultKind.BOOT_CRASH, vin, Map.of()));
    var kit = ecu(vin);
    receive(kit, "t");
    clock.advance(flash.plus(BOOT_TIME));
    assertOldBankRuns(kit, UpdateOutcome.ROLLED_BACK, "CRASH");
    assertEquals(1, injected("crash"));
  }

  @Test
  void anImageTamperedOnTheBusIsTamperedAgainAfterARestartAndCountedOnce() {
    String vin = vin();
    add(
        new FaultRule(
            "tamper",
            FaultKind.BUS_TAMPERED_IMAGE,
            Selector.vins(Set.of(vin)).withEcuTypes(Set.of(EcuType.ENGINE.name())),
            Map.of(),
            Window.from(clock.now())));
    var kit = ecu(vin);
    byte[] targets = fx.targetsFor(newImage);
    EcuTest.assertPositive(
        EcuTest.uds(kit, r -> new Ecu.DiagnosticSessionControl("t", Ecu.Session.PROGRAMMING, r)));
    EcuTest.assertPositive(
        EcuTest.uds(kit, r -> new Ecu.RequestDownload("t", 0, newImage.length, targets, r)));
    sendAll(kit, "t");
    // the ECU restarts before the exit: the download starts again from block 1, and the same
    // byte is changed again
    kit.restart();
    EcuTest.assertPositive(
        EcuTest.uds(kit, r -> new Ecu.RequestDownload("t", 0, newImage.length, targets, r)));
    assertEquals(1, kit.getState().download().nextBlockSequenceCounter());
    sendAll(kit, "t");
    EcuTest.assertNrc(
        EcuTest.uds(kit, r -> new Ecu.RequestTransferExit("t", r)),
        NegativeResponseCode.GENERAL_PROGRAMMING_FAILURE);
    Ecu.State s = kit.getState();
    assertEquals(Ecu.Phase.RUNNING, s.phase());
    assertEquals(fx.oldBank, s.activeBank());
    assertEquals(UpdateOutcome.REJECTED, s.lastInstall().outcome());
    // one attack on one update, however often its bytes crossed the bus, caught by its check
    FaultLedger.RuleAccount a =
        faults.ledger().accounts().stream()
            .filter(x -> x.ruleId().equals("tamper"))
            .findFirst()
            .orElseThrow();
    assertEquals(1, a.injected());
    assertEquals(Map.of("ARBITRARY_SOFTWARE", 1L), a.detectedBy());
  }

  void sendAll(EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit, String tid) {
    for (int g = 1; (long) (g - 1) * GROUP < newImage.length; g++) {
      int from = (g - 1) * GROUP;
      byte[] part = Arrays.copyOfRange(newImage, from, Math.min(newImage.length, from + GROUP));
      int counter = g;
      EcuTest.assertPositive(EcuTest.uds(kit, r -> new Ecu.TransferData(tid, counter, part, r)));
    }
  }

  @Test
  void theSameEcusFailForTheSameSeedOnEveryAttempt() {
    // a share of the ECUs of a rule fails, and the same ones on every try: a bad image stays bad
    FaultRule half =
        new FaultRule(
            "half",
            FaultKind.BOOT_HANG,
            Selector.all(),
            Map.of("rate", 0.5),
            Window.from(clock.now()));
    int failed = 0;
    for (int i = 0; i < 40; i++) {
      boolean first = FaultedEcu.fails(faults.scenarioSeed(), half, "V" + i, "engine", "ab");
      assertEquals(first, FaultedEcu.fails(faults.scenarioSeed(), half, "V" + i, "engine", "ab"));
      failed += first ? 1 : 0;
    }
    assertTrue(failed > 5 && failed < 35, failed + " of 40");
  }
}
