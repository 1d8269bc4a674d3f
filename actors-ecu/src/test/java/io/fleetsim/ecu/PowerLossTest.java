package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.faults.FaultKind;
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
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Power lost while an ECU writes its inactive bank ({@link FaultKind#POWER_LOSS}): the write stops
 * at the drawn byte, the ECU is off and then boots its old bank, which takes the boot time, and
 * reports the install FAILED; the half-written bank is never booted. Simulated times are exact.
 */
class PowerLossTest {

  static final ActorTestKit testKit = ActorTestKit.create(Fixtures.configWithoutCompute());
  static final SimClock clock = SimClock.get(testKit.system());
  static final Faults faults = Faults.get(testKit.system());
  static final Fixtures fx = new Fixtures(31);
  static final AtomicInteger ids = new AtomicInteger();
  static final int GROUP = 64 * 1024;
  static final Duration MS = Duration.ofMillis(1);
  static final Duration BOOT_TIME = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  final TestProbe<CanBus.Command> bus = testKit.createTestProbe();
  final byte[] newImage = Fixtures.bytes(new Random(7), 150 * 1024 + 3);
  final long speed = fx.profile().flashBytesPerSecond();
  final Duration flash = Bootloader.flashTime(newImage.length, speed);

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

  static String vin() {
    return "POWERLOSS" + ids.incrementAndGet();
  }

  static void add(FaultRule rule) {
    faults.add(rule).toCompletableFuture().join();
  }

  static long injected(String ruleId) {
    return faults.ledger().accounts().stream()
        .filter(a -> a.ruleId().equals(ruleId))
        .mapToLong(a -> a.injected())
        .sum();
  }

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

  /** The byte at which {@code rule} cuts the power in the write of the open download. */
  long lostAt(FaultRule rule, String vin, Bank image) {
    return FaultedEcu.powerLossAt(
        faults.scenarioSeed(), rule, Ecu.entityId(vin, Fixtures.ECU_ID), image);
  }

  @Test
  void powerLostInTheWriteBringsTheEcuBackOnItsOldBankAfterItsBootTime() {
    String vin = vin();
    FaultRule rule =
        new FaultRule(
            "power",
            FaultKind.POWER_LOSS,
            Selector.vins(Set.of(vin)),
            Map.of(),
            Window.from(clock.now()));
    add(rule);
    var kit = ecu(vin);
    receive(kit, "t");
    Bank image = kit.getState().download().image();
    long at = lostAt(rule, vin, image);
    assertTrue(at >= 0 && at < image.length(), at + " of " + image.length());
    Duration partial = Bootloader.partialFlashTime(at, speed);
    assertTrue(partial.compareTo(flash) < 0, partial + " before " + flash);

    // off from the power loss on, then booting the old bank: nothing answers, nothing is reported
    clock.advance(partial.plus(BOOT_TIME).minus(MS));
    Ecu.State during = kit.getState();
    assertEquals(Ecu.Phase.FLASHING, during.phase());
    assertEquals(Bank.Slot.A, during.banks().active());
    assertFalse(during.banks().b().valid(), "the bank being written is not bootable");
    TestProbe<Ecu.UdsResponse> silent = testKit.createTestProbe();
    kit.runCommand(new Ecu.RequestTransferExit("t", silent.ref()));
    silent.expectNoMessage(Duration.ofMillis(20));
    bus.expectNoMessage(Duration.ofMillis(20));

    clock.advance(MS);
    Ecu.State s = kit.getState();
    assertEquals(Ecu.Phase.RUNNING, s.phase());
    assertEquals(Bank.Slot.A, s.banks().active());
    assertEquals(fx.oldBank, s.activeBank(), "the old image runs");
    assertFalse(s.banks().b().valid(), "the half-written bank is never booted");
    assertEquals(0, s.bootAttempt(), "no boot of the new bank was attempted");
    assertTrue(s.isSafe());
    assertEquals(UpdateOutcome.FAILED, s.lastInstall().outcome());
    assertTrue(s.lastInstall().reason().startsWith("POWER_LOSS"), s.lastInstall().reason());
    assertTrue(
        s.lastInstall().reason().contains(at + " of " + image.length()), s.lastInstall().reason());
    CanBus.EcuInstallFinished done = (CanBus.EcuInstallFinished) bus.receiveMessage();
    assertEquals(UpdateOutcome.FAILED, done.outcome());
    assertTrue(done.reason().startsWith("POWER_LOSS"), done.reason());
    bus.expectNoMessage(Duration.ofMillis(20));
    assertEquals(1, injected("power"));

    // the ECU does not try again by itself; a new install, with the rule gone, succeeds
    faults.remove("power").toCompletableFuture().join();
    receive(kit, "t2");
    clock.advance(flash.plus(BOOT_TIME));
    Ecu.State after = kit.getState();
    assertEquals(Bank.Slot.B, after.banks().active());
    assertEquals(UpdateOutcome.SUCCEEDED, after.lastInstall().outcome());
    assertEquals(
        UpdateOutcome.SUCCEEDED, ((CanBus.EcuInstallFinished) bus.receiveMessage()).outcome());
    assertEquals(1, injected("power"));
  }

  @Test
  void aRestartWhileThePowerIsOffEndsTheInstallAsARestartWhileFlashing() {
    String vin = vin();
    FaultRule rule =
        new FaultRule(
            "power-restart",
            FaultKind.POWER_LOSS,
            Selector.vins(Set.of(vin)),
            Map.of("rate", 1.0),
            Window.from(clock.now()));
    add(rule);
    var kit = ecu(vin);
    receive(kit, "t");
    long at = lostAt(rule, vin, kit.getState().download().image());
    clock.advance(Bootloader.partialFlashTime(at, speed));
    kit.restart();
    Ecu.State s = kit.getState();
    assertEquals(Ecu.Phase.RUNNING, s.phase());
    assertEquals(fx.oldBank, s.activeBank());
    assertFalse(s.banks().b().valid());
    assertEquals(UpdateOutcome.FAILED, s.lastInstall().outcome());
    assertEquals(
        UpdateOutcome.FAILED, ((CanBus.EcuInstallFinished) bus.receiveMessage()).outcome());
    // the boot timer of the instance before the restart reports nothing a second time
    clock.advance(BOOT_TIME);
    bus.expectNoMessage(Duration.ofMillis(20));
  }

  @Test
  void aRuleOfRateZeroOrForAnotherVehicleLeavesTheWriteWhole() {
    String vin = vin();
    add(
        new FaultRule(
            "power-never",
            FaultKind.POWER_LOSS,
            Selector.vins(Set.of(vin)),
            Map.of("rate", 0.0),
            Window.from(clock.now())));
    add(
        new FaultRule(
            "power-elsewhere",
            FaultKind.POWER_LOSS,
            Selector.vins(Set.of("SOMEONE-ELSE")),
            Map.of(),
            Window.from(clock.now())));
    var kit = ecu(vin);
    receive(kit, "t");
    clock.advance(flash.plus(BOOT_TIME));
    assertEquals(Bank.Slot.B, kit.getState().banks().active());
    assertEquals(
        UpdateOutcome.SUCCEEDED, ((CanBus.EcuInstallFinished) bus.receiveMessage()).outcome());
    assertEquals(0, injected("power-never"));
    assertEquals(0, injected("power-elsewhere"));
  }

  @Test
  void atHalfRateOnlyTheDrawnEcusLosePowerAndTheSameSeedDrawsTheSameOnes() {
    Set<String> vins = new TreeSet<>();
    for (int i = 0; i < 16; i++) {
      vins.add(String.format("POWERHALF%04d", i));
    }
    FaultRule half =
        new FaultRule(
            "power-half",
            FaultKind.POWER_LOSS,
            Selector.vins(vins),
            Map.of("rate", 0.5),
            Window.from(clock.now()));
    add(half);
    String sha = io.fleetsim.cluster.BlobStore.sha256Hex(newImage);
    Set<String> drawn = new TreeSet<>();
    for (String vin : vins) {
      boolean hit = FaultedEcu.fails(faults.scenarioSeed(), half, vin, Fixtures.ECU_ID, sha);
      assertEquals(hit, FaultedEcu.fails(faults.scenarioSeed(), half, vin, Fixtures.ECU_ID, sha));
      if (hit) {
        drawn.add(vin);
      }
    }
    assertTrue(drawn.size() > 2 && drawn.size() < 14, drawn.size() + " of 16");

    Set<String> failed = new TreeSet<>();
    for (String vin : vins) {
      var kit = ecu(vin);
      receive(kit, "t");
      clock.advance(flash.plus(BOOT_TIME));
      CanBus.EcuInstallFinished done = (CanBus.EcuInstallFinished) bus.receiveMessage();
      Ecu.State s = kit.getState();
      if (done.outcome() == UpdateOutcome.FAILED) {
        failed.add(vin);
        assertTrue(done.reason().startsWith("POWER_LOSS"), done.reason());
        assertEquals(fx.oldBank, s.activeBank(), vin);
        assertFalse(s.banks().b().valid(), vin);
      } else {
        assertEquals(UpdateOutcome.SUCCEEDED, done.outcome(), vin);
        assertEquals(Bank.Slot.B, s.banks().active(), vin);
      }
    }
    assertEquals(drawn, failed, "exactly the drawn ECUs lost power");
    assertEquals(drawn.size(), injected("power-half"));
  }
}
