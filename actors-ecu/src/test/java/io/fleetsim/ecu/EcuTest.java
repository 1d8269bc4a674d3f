package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.manifest.InstallResult;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class EcuTest {

  // the synchronous runCommand needs answers at once: checks cost no simulated time here
  // (EcuComputeTimeTest covers the compute model)
  static final ActorTestKit testKit = ActorTestKit.create(Fixtures.configWithoutCompute());
  static final SimClock clock = SimClock.get(testKit.system());
  static final Fixtures fx = new Fixtures(11);
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
  final byte[] newImage = Fixtures.bytes(new Random(5), 200 * 1024 + 17);

  EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> ecu(BootModel boot) {
    String id = Ecu.entityId(Fixtures.VIN, "ecu" + ids.incrementAndGet());
    EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), Ecu.create(id, boot, vin -> bus.ref()));
    StatusReply<org.apache.pekko.Done> r =
        kit.<StatusReply<org.apache.pekko.Done>>runCommand(
                replyTo -> new Ecu.Provision(fx.profile(), replyTo))
            .reply();
    assertTrue(r.isSuccess());
    return kit;
  }

  static Ecu.UdsResponse uds(
      EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit,
      java.util.function.Function<
              org.apache.pekko.actor.typed.ActorRef<Ecu.UdsResponse>, Ecu.Command>
          cmd) {
    return kit.<Ecu.UdsResponse>runCommand(cmd::apply).reply();
  }

  static void assertNrc(Ecu.UdsResponse r, NegativeResponseCode nrc) {
    Ecu.NegativeResponse n = assertInstanceOf(Ecu.NegativeResponse.class, r, r.toString());
    assertEquals(nrc, n.nrc(), n.reason());
  }

  static void assertPositive(Ecu.UdsResponse r) {
    assertInstanceOf(Ecu.PositiveResponse.class, r, r.toString());
  }

  /** Session and RequestDownload for {@code image} under transfer {@code tid}. */
  void open(
      EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit,
      String tid,
      byte[] image,
      byte[] targets) {
    assertPositive(
        uds(kit, r -> new Ecu.DiagnosticSessionControl(tid, Ecu.Session.PROGRAMMING, r)));
    assertPositive(uds(kit, r -> new Ecu.RequestDownload(tid, 0, image.length, targets, r)));
  }

  void send(
      EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit,
      String tid,
      byte[] image,
      int fromGroup) {
    for (int g = fromGroup; (long) (g - 1) * GROUP < image.length; g++) {
      int from = (g - 1) * GROUP;
      byte[] part = Arrays.copyOfRange(image, from, Math.min(image.length, from + GROUP));
      int counter = g;
      assertPositive(uds(kit, r -> new Ecu.TransferData(tid, counter, part, r)));
    }
  }

  /** Advances simulated time in steps until the ECU is back in RUNNING. */
  void advanceUntilRunning(
      EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit, Duration step) {
    bus.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          clock.advance(step);
          assertEquals(Ecu.Phase.RUNNING, kit.getState().phase());
          return null;
        });
  }

  @Test
  void provisionIsIdempotentAndRefusesADifferentProfile() {
    var kit = ecu(BootModel.alwaysOk());
    Ecu.State before = kit.getState();
    assertTrue(
        kit.<StatusReply<org.apache.pekko.Done>>runCommand(r -> new Ecu.Provision(fx.profile(), r))
            .reply()
            .isSuccess());
    assertTrue(
        kit.<StatusReply<org.apache.pekko.Done>>runCommand(
                r -> new Ecu.Provision(fx.profile("other-hw", Fixtures.SERIAL), r))
            .reply()
            .isError());
    assertEquals(before, kit.getState());
    assertEquals(Ecu.Phase.RUNNING, before.phase());
    assertEquals(fx.oldBank, before.activeBank());
  }

  @Test
  void goodInstallActivatesTheNewBank() {
    var kit = ecu(BootModel.alwaysOk());
    open(kit, "t1", newImage, fx.targetsFor(newImage));
    send(kit, "t1", newImage, 1);
    assertPositive(uds(kit, r -> new Ecu.RequestTransferExit("t1", r)));
    assertEquals(Ecu.Phase.FLASHING, kit.getState().phase());
    assertFalse(kit.getState().banks().b().valid(), "bank being written is not bootable");
    assertTrue(kit.getState().isSafe());

    // flash time, then the boot time, to the millisecond
    Duration flash = Bootloader.flashTime(newImage.length, fx.profile().flashBytesPerSecond());
    clock.advance(flash.minus(MS));
    assertEquals(Ecu.Phase.FLASHING, kit.getState().phase());
    clock.advance(MS);
    assertEquals(Ecu.Phase.REBOOTING, kit.getState().phase());
    clock.advance(BOOT_TIME.minus(MS));
    assertEquals(Ecu.Phase.REBOOTING, kit.getState().phase());
    clock.advance(MS);
    Ecu.State s = kit.getState();
    assertEquals(Ecu.Phase.RUNNING, s.phase());
    assertEquals(Bank.Slot.B, s.banks().active());
    assertEquals("engine-2.0.bin", s.activeBank().version());
    assertEquals(2, s.activeBank().releaseCounter());
    assertEquals(BlobSha.of(newImage), s.activeBank().sha256());
    assertTrue(s.banks().a().valid(), "old bank kept as the fallback");
    CanBus.EcuInstallFinished done = (CanBus.EcuInstallFinished) bus.receiveMessage();
    assertEquals(UpdateOutcome.SUCCEEDED, done.outcome());
    assertEquals("engine-2.0.bin", done.newVersion());
  }

  @Test
  void eachBootFailureRollsBackThroughSupervision() throws Exception {
    for (BootModel.Outcome failure :
        new BootModel.Outcome[] {
          BootModel.Outcome.CRASH, BootModel.Outcome.HANG, BootModel.Outcome.SELF_TEST_FAIL
        }) {
      var kit = ecu(BootModel.always(failure));
      open(kit, "t-" + failure, newImage, fx.targetsFor(newImage));
      send(kit, "t-" + failure, newImage, 1);
      assertPositive(uds(kit, r -> new Ecu.RequestTransferExit("t-" + failure, r)));
      advanceUntilRunning(kit, Duration.ofSeconds(5));
      Ecu.State s = kit.getState();
      assertEquals(Bank.Slot.A, s.banks().active(), failure.name());
      assertEquals(fx.oldBank, s.activeBank());
      assertFalse(s.banks().b().valid());
      assertEquals(UpdateOutcome.ROLLED_BACK, s.lastInstall().outcome());
      assertTrue(s.lastInstall().reason().startsWith(failure.name()), s.lastInstall().reason());
      CanBus.EcuInstallFinished done = (CanBus.EcuInstallFinished) bus.receiveMessage();
      assertEquals(UpdateOutcome.ROLLED_BACK, done.outcome());
      assertTrue(done.reason().startsWith(failure.name()), done.reason());
      // The signed version report tells the director which assignment was rolled back, and why.
      InstallResult result = resultIn(report(kit, 3)).orElseThrow();
      assertEquals(Fixtures.ASSIGNMENT, result.assignmentId());
      assertEquals(UpdateOutcome.ROLLED_BACK, result.outcome());
      assertTrue(result.detail().startsWith(failure.name()), result.detail());
    }
  }

  @Test
  void aHungBootIsRolledBackExactlyAtTheWatchdogTimeout() {
    var kit = ecu(BootModel.always(BootModel.Outcome.HANG));
    open(kit, "t", newImage, fx.targetsFor(newImage));
    send(kit, "t", newImage, 1);
    assertPositive(uds(kit, r -> new Ecu.RequestTransferExit("t", r)));
    clock.advance(Bootloader.flashTime(newImage.length, fx.profile().flashBytesPerSecond()));
    assertEquals(Ecu.Phase.REBOOTING, kit.getState().phase());
    clock.advance(WATCHDOG.minus(MS));
    assertEquals(Ecu.Phase.REBOOTING, kit.getState().phase());
    bus.expectNoMessage(Duration.ofMillis(20));
    clock.advance(MS);
    CanBus.EcuInstallFinished done = (CanBus.EcuInstallFinished) bus.receiveMessage();
    assertEquals(UpdateOutcome.ROLLED_BACK, done.outcome());
    assertTrue(done.reason().startsWith("HANG"), done.reason());
  }

  @Test
  void badInputIsRefusedWithTheRightCodeAndLeavesTheActiveBank() {
    var kit = ecu(BootModel.alwaysOk());
    byte[] targets = fx.targetsFor(newImage);
    // not in the programming session
    assertNrc(
        uds(kit, r -> new Ecu.RequestDownload("t", 0, newImage.length, targets, r)),
        NegativeResponseCode.SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION);
    assertNrc(
        uds(kit, r -> new Ecu.TransferData("t", 1, new byte[8], r)),
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR);
    assertNrc(
        uds(kit, r -> new Ecu.RequestTransferExit("t", r)),
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR);

    open(kit, "t", newImage, targets);
    assertNrc(
        uds(kit, r -> new Ecu.TransferData("t", 2, new byte[8], r)),
        NegativeResponseCode.WRONG_BLOCK_SEQUENCE_COUNTER);
    assertNrc(
        uds(kit, r -> new Ecu.TransferData("t", 1, new byte[newImage.length + 1], r)),
        NegativeResponseCode.TRANSFER_DATA_SUSPENDED);
    assertNrc(
        uds(kit, r -> new Ecu.RequestDownload("other", 0, newImage.length, targets, r)),
        NegativeResponseCode.CONDITIONS_NOT_CORRECT);
    assertNrc(
        uds(kit, r -> new Ecu.RequestTransferExit("t", r)),
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR);
    assertEquals(Ecu.Phase.RECEIVING, kit.getState().phase());
    assertEquals(0, kit.getState().download().bytesReceived());

    // bytes of the announced length whose hash is not the director's
    byte[] forged = newImage.clone();
    forged[1000] ^= 1;
    send(kit, "t", forged, 1);
    assertNrc(
        uds(kit, r -> new Ecu.RequestTransferExit("t", r)),
        NegativeResponseCode.GENERAL_PROGRAMMING_FAILURE);
    Ecu.State s = kit.getState();
    assertEquals(Ecu.Phase.RUNNING, s.phase());
    assertEquals(fx.oldBank, s.activeBank());
    assertEquals(UpdateOutcome.REJECTED, s.lastInstall().outcome());
    bus.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void directorMetadataForTheWrongEcuOrSignerIsRefused() {
    var kit = ecu(BootModel.alwaysOk());
    Fixtures impostor = new Fixtures(99);
    byte[][] bad = {
      fx.targetsFor(newImage, "engine-2.0.bin", Fixtures.SERIAL, "other-hw", 2),
      fx.targetsFor(newImage, "engine-2.0.bin", "ENG-9999", Fixtures.HARDWARE, 2),
      impostor.targetsFor(newImage),
      fx.targetsFor(newImage, "engine-0.9.bin", Fixtures.SERIAL, Fixtures.HARDWARE, 0),
      "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8),
    };
    byte[] tampered = fx.targetsFor(newImage).clone();
    int at = new String(tampered, java.nio.charset.StandardCharsets.UTF_8).indexOf("ENG-0001");
    tampered[at] = 'X';
    for (byte[] targets : java.util.List.of(bad[0], bad[1], bad[2], bad[3], bad[4], tampered)) {
      assertPositive(
          uds(kit, r -> new Ecu.DiagnosticSessionControl("t", Ecu.Session.PROGRAMMING, r)));
      assertNrc(
          uds(kit, r -> new Ecu.RequestDownload("t", 0, newImage.length, targets, r)),
          NegativeResponseCode.UPLOAD_DOWNLOAD_NOT_ACCEPTED);
    }
    // right metadata, wrong announced length
    assertNrc(
        uds(
            kit,
            r -> new Ecu.RequestDownload("t", 0, newImage.length - 1, fx.targetsFor(newImage), r)),
        NegativeResponseCode.REQUEST_OUT_OF_RANGE);
    assertEquals(fx.oldBank, kit.getState().activeBank());
    assertTrue(kit.getState().isSafe());
  }

  @Test
  void commandsOutOfPhaseAreRefusedWithoutCrashing() {
    var kit = ecu(BootModel.always(BootModel.Outcome.HANG));
    open(kit, "t", newImage, fx.targetsFor(newImage));
    send(kit, "t", newImage, 1);
    assertPositive(uds(kit, r -> new Ecu.RequestTransferExit("t", r)));
    // FLASHING
    assertNrc(
        uds(kit, r -> new Ecu.DiagnosticSessionControl("u", Ecu.Session.PROGRAMMING, r)),
        NegativeResponseCode.CONDITIONS_NOT_CORRECT);
    assertNrc(
        uds(kit, r -> new Ecu.RequestDownload("u", 0, 1, new byte[1], r)),
        NegativeResponseCode.CONDITIONS_NOT_CORRECT);
    assertNrc(
        uds(kit, r -> new Ecu.TransferData("u", 1, new byte[1], r)),
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR);
    assertTrue(
        kit.<StatusReply<org.apache.pekko.Done>>runCommand(
                r -> new Ecu.Provision(fx.profile("x", "y"), r))
            .reply()
            .isError());
    // a repeated exit of the accepted transfer is acknowledged again
    assertPositive(uds(kit, r -> new Ecu.RequestTransferExit("t", r)));
    assertEquals(Ecu.Phase.FLASHING, kit.getState().phase());
  }

  @Test
  void restartWhileReceivingStartsTheDownloadAgainFromItsFirstBlock() {
    var kit = ecu(BootModel.alwaysOk());
    open(kit, "t", newImage, fx.targetsFor(newImage));
    byte[] first = Arrays.copyOfRange(newImage, 0, GROUP);
    assertPositive(uds(kit, r -> new Ecu.TransferData("t", 1, first, r)));
    // without a restart, a second RequestDownload of the transfer learns where to resume
    Ecu.PositiveResponse resume =
        (Ecu.PositiveResponse)
            uds(kit, r -> new Ecu.RequestDownload("t", 0, newImage.length, new byte[0], r));
    assertEquals(2, resume.nextBlockSequenceCounter());
    assertEquals(GROUP, resume.bytesReceived());
    kit.restart();
    Ecu.State s = kit.getState();
    assertEquals(Ecu.Phase.RECEIVING, s.phase());
    assertEquals(GROUP, s.download().bytesReceived());
    // the hash of the first group was in memory: the next group cannot be vouched for
    byte[] second = Arrays.copyOfRange(newImage, GROUP, 2 * GROUP);
    assertNrc(
        uds(kit, r -> new Ecu.TransferData("t", 2, second, r)),
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR);
    Ecu.PositiveResponse again =
        (Ecu.PositiveResponse)
            uds(kit, r -> new Ecu.RequestDownload("t", 0, newImage.length, new byte[0], r));
    assertEquals(1, again.nextBlockSequenceCounter());
    assertEquals(0, again.bytesReceived());
    send(kit, "t", newImage, 1);
    assertPositive(uds(kit, r -> new Ecu.RequestTransferExit("t", r)));
    advanceUntilRunning(kit, Duration.ofSeconds(1));
    assertEquals(BlobSha.of(newImage), kit.getState().activeBank().sha256());
  }

  @Test
  void restartInProgrammingSessionKeepsTheActiveBank() {
    var kit = ecu(BootModel.alwaysOk());
    assertPositive(
        uds(kit, r -> new Ecu.DiagnosticSessionControl("t", Ecu.Session.PROGRAMMING, r)));
    kit.restart();
    assertEquals(Ecu.Phase.PROGRAMMING, kit.getState().phase());
    assertTrue(kit.getState().isSafe());
    assertPositive(uds(kit, r -> new Ecu.DiagnosticSessionControl("t", Ecu.Session.DEFAULT, r)));
    assertEquals(Ecu.Phase.RUNNING, kit.getState().phase());
  }

  @Test
  void restartWhileFlashingInvalidatesTheHalfWrittenBank() {
    var kit = ecu(BootModel.alwaysOk());
    open(kit, "t", newImage, fx.targetsFor(newImage));
    send(kit, "t", newImage, 1);
    assertPositive(uds(kit, r -> new Ecu.RequestTransferExit("t", r)));
    kit.restart();
    CanBus.EcuInstallFinished done = (CanBus.EcuInstallFinished) bus.receiveMessage();
    assertEquals(UpdateOutcome.FAILED, done.outcome());
    Ecu.State s = kit.getState();
    assertEquals(Ecu.Phase.RUNNING, s.phase());
    assertEquals(Bank.Slot.A, s.banks().active());
    assertFalse(s.banks().b().valid());
    assertTrue(s.isSafe());
  }

  @Test
  void restartWhileRebootingRetriesTheBootThenFallsBack() {
    // first boot hangs; the restart retries, the retry boots
    AtomicInteger boots = new AtomicInteger();
    var kit =
        ecu(
            (ecuId, hash, attempt) ->
                boots.incrementAndGet() == 1 ? BootModel.Outcome.HANG : BootModel.Outcome.OK);
    open(kit, "t", newImage, fx.targetsFor(newImage));
    send(kit, "t", newImage, 1);
    assertPositive(uds(kit, r -> new Ecu.RequestTransferExit("t", r)));
    bus.awaitAssert(
        () -> {
          clock.advance(Duration.ofSeconds(1));
          assertEquals(Ecu.Phase.REBOOTING, kit.getState().phase());
          return null;
        });
    kit.restart();
    advanceUntilRunning(kit, Duration.ofSeconds(1));
    assertEquals(Bank.Slot.B, kit.getState().banks().active());
    assertEquals(2, boots.get());

    // every boot hangs and the node restarts twice: the attempts run out, the old bank stays
    var kit2 = ecu(BootModel.always(BootModel.Outcome.HANG));
    bus.receiveMessage();
    open(kit2, "t2", newImage, fx.targetsFor(newImage));
    send(kit2, "t2", newImage, 1);
    assertPositive(uds(kit2, r -> new Ecu.RequestTransferExit("t2", r)));
    bus.awaitAssert(
        () -> {
          clock.advance(Duration.ofSeconds(1));
          assertEquals(Ecu.Phase.REBOOTING, kit2.getState().phase());
          return null;
        });
    kit2.restart();
    bus.awaitAssert(
        () -> {
          assertEquals(2, kit2.getState().bootAttempt());
          return null;
        });
    kit2.restart();
    CanBus.EcuInstallFinished done = (CanBus.EcuInstallFinished) bus.receiveMessage();
    assertEquals(UpdateOutcome.ROLLED_BACK, done.outcome());
    assertTrue(done.reason().contains("restart during boot"), done.reason());
    assertEquals(fx.oldBank, kit2.getState().activeBank());
    assertFalse(kit2.getState().banks().b().valid());
  }

  @Test
  void signedVersionReportVerifiesWithTheEcuKey() throws Exception {
    var kit = ecu(BootModel.alwaysOk());
    StatusReply<Ecu.SignedVersionReport> reply =
        kit.<StatusReply<Ecu.SignedVersionReport>>runCommand(r -> new Ecu.SignVersionReport(7, r))
            .reply();
    byte[] bytes = reply.getValue().bytes();
    var key = io.fleetsim.uptane.crypto.PublicKey.fromHex(kit.getState().publicKeyHex());
    var report = io.fleetsim.uptane.manifest.EcuVersionReport.verify(bytes, key);
    assertEquals(Fixtures.SERIAL, report.ecuSerial());
    assertEquals(7, report.nonce());
    assertEquals(fx.oldBank.sha256(), report.installed().sha256());
    assertEquals("engine-1.0.bin", report.installed().name());
    assertEquals("", report.attacksDetected());
    // another ECU's key does not verify it
    var other = ecu(BootModel.alwaysOk());
    var otherKey = io.fleetsim.uptane.crypto.PublicKey.fromHex(other.getState().publicKeyHex());
    org.junit.jupiter.api.Assertions.assertThrows(
        io.fleetsim.uptane.VerificationException.class,
        () -> io.fleetsim.uptane.manifest.EcuVersionReport.verify(bytes, otherKey));
  }

  /** Installs {@code image} under {@code assignment}, boots it, and returns the bus's notice. */
  CanBus.EcuInstallFinished install(
      EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit,
      String tid,
      byte[] image,
      byte[] targets) {
    open(kit, tid, image, targets);
    send(kit, tid, image, 1);
    assertPositive(uds(kit, r -> new Ecu.RequestTransferExit(tid, r)));
    advanceUntilRunning(kit, Duration.ofSeconds(5));
    return (CanBus.EcuInstallFinished) bus.receiveMessage();
  }

  static EcuVersionReport report(
      EventSourcedBehaviorTestKit<Ecu.Command, Ecu.Event, Ecu.State> kit, long nonce)
      throws Exception {
    StatusReply<Ecu.SignedVersionReport> reply =
        kit.<StatusReply<Ecu.SignedVersionReport>>runCommand(
                r -> new Ecu.SignVersionReport(nonce, r))
            .reply();
    assertTrue(reply.isSuccess(), reply.toString());
    return EcuVersionReport.verify(
        reply.getValue().bytes(), PublicKey.fromHex(kit.getState().publicKeyHex()));
  }

  static Optional<InstallResult> resultIn(EcuVersionReport report) throws Exception {
    return InstallResult.from(report.installed().custom(), "installed_image.custom");
  }

  @Test
  void theVersionReportNamesTheAssignmentOfTheInstallItDescribes() throws Exception {
    byte[] third = Fixtures.bytes(new Random(6), 70 * 1024);
    // the second image does not boot: its install ends ROLLED_BACK
    var kit =
        ecu(
            (ecuId, hash, attempt) ->
                hash.equals(BlobSha.of(third)) ? BootModel.Outcome.CRASH : BootModel.Outcome.OK);
    assertEquals(Optional.empty(), resultIn(report(kit, 1)), "no install yet, nothing to report");

    CanBus.EcuInstallFinished first = install(kit, "t1", newImage, fx.targetsFor(newImage, "c1/1"));
    assertEquals(UpdateOutcome.SUCCEEDED, first.outcome());
    EcuVersionReport afterFirst = report(kit, 2);
    assertEquals(
        Optional.of(new InstallResult("c1/1", UpdateOutcome.SUCCEEDED, "")), resultIn(afterFirst));
    assertEquals("engine-2.0.bin", afterFirst.installed().name());
    assertEquals("", afterFirst.attacksDetected());

    byte[] second =
        fx.targetsFor(third, "engine-3.0.bin", Fixtures.SERIAL, Fixtures.HARDWARE, 3, "c2/1");
    assertEquals(UpdateOutcome.ROLLED_BACK, install(kit, "t2", third, second).outcome());
    EcuVersionReport afterSecond = report(kit, 3);
    InstallResult result = resultIn(afterSecond).orElseThrow();
    // the second assignment's outcome, never the first one's SUCCEEDED
    assertEquals("c2/1", result.assignmentId());
    assertEquals(UpdateOutcome.ROLLED_BACK, result.outcome());
    assertTrue(result.detail().startsWith("CRASH"), result.detail());
    assertEquals("engine-2.0.bin", afterSecond.installed().name(), "still runs the first image");
    assertEquals("", afterSecond.attacksDetected(), "a rollback is no attack");
  }

  @Test
  void aForgedImageIsReportedAsAnAttackAgainstItsAssignment() throws Exception {
    var kit = ecu(BootModel.alwaysOk());
    byte[] forged = newImage.clone();
    forged[7] ^= 1;
    open(kit, "t", newImage, fx.targetsFor(newImage, "c9/2"));
    send(kit, "t", forged, 1);
    assertNrc(
        uds(kit, r -> new Ecu.RequestTransferExit("t", r)),
        NegativeResponseCode.GENERAL_PROGRAMMING_FAILURE);
    EcuVersionReport report = report(kit, 4);
    InstallResult result = resultIn(report).orElseThrow();
    assertEquals("c9/2", result.assignmentId());
    assertEquals(UpdateOutcome.REJECTED, result.outcome());
    assertTrue(report.attacksDetected().contains("does not match"), report.attacksDetected());
    assertEquals(result.detail(), report.attacksDetected());
  }

  @Test
  void directorTargetsWithoutAnAssignmentAreRefused() {
    var kit = ecu(BootModel.alwaysOk());
    assertPositive(
        uds(kit, r -> new Ecu.DiagnosticSessionControl("t", Ecu.Session.PROGRAMMING, r)));
    Ecu.UdsResponse r =
        uds(
            kit,
            replyTo ->
                new Ecu.RequestDownload(
                    "t", 0, newImage.length, fx.targetsWithoutAssignment(newImage), replyTo));
    assertNrc(r, NegativeResponseCode.UPLOAD_DOWNLOAD_NOT_ACCEPTED);
    assertTrue(((Ecu.NegativeResponse) r).reason().contains("no assignment"), r.toString());
    assertEquals(Ecu.Phase.PROGRAMMING, kit.getState().phase());
    assertEquals(null, kit.getState().download());
  }

  @Test
  void theDefaultSessionClosesAnOpenDownloadSoTheNextTransferCanStart() {
    var kit = ecu(BootModel.alwaysOk());
    open(kit, "stale", newImage, fx.targetsFor(newImage, "c1/1"));
    byte[] first = Arrays.copyOfRange(newImage, 0, GROUP);
    assertPositive(uds(kit, r -> new Ecu.TransferData("stale", 1, first, r)));
    assertEquals(Ecu.Phase.RECEIVING, kit.getState().phase());

    assertPositive(
        uds(kit, r -> new Ecu.DiagnosticSessionControl("stale", Ecu.Session.DEFAULT, r)));
    assertEquals(Ecu.Phase.RUNNING, kit.getState().phase());
    assertEquals(null, kit.getState().download());
    assertEquals(null, kit.getState().lastInstall(), "a dropped download is no install");

    CanBus.EcuInstallFinished done =
        install(kit, "next", newImage, fx.targetsFor(newImage, "c1/2"));
    assertEquals(UpdateOutcome.SUCCEEDED, done.outcome());
    assertEquals("next", done.transferId());
  }

  @Test
  void theStatusShowsThePublicKeyAndNothingOfTheKeySeed() throws Exception {
    var kit = ecu(BootModel.alwaysOk());
    install(kit, "t", newImage, fx.targetsFor(newImage));
    String seed = kit.getState().keySeedHex();
    assertEquals(64, seed.length());
    Ecu.Status status = kit.<Ecu.Status>runCommand(Ecu.GetStatus::new).reply();

    assertEquals(EcuCrypto.publicKeyHex(seed), status.publicKeyHex());
    List<String> leaks = new ArrayList<>();
    findSeed(status, seed, "status", leaks);
    assertEquals(List.of(), leaks);

    // the key the status shows is the one that signs the version report
    byte[] bytes =
        kit.<StatusReply<Ecu.SignedVersionReport>>runCommand(r -> new Ecu.SignVersionReport(9, r))
            .reply()
            .getValue()
            .bytes();
    assertEquals(
        9, EcuVersionReport.verify(bytes, PublicKey.fromHex(status.publicKeyHex())).nonce());
  }

  /** Every value reachable through record components that equals or contains the seed. */
  static void findSeed(Object value, String seed, String path, List<String> leaks)
      throws Exception {
    if (value == null) {
      return;
    }
    if (value instanceof String str) {
      if (str.toLowerCase(Locale.ROOT).contains(seed.toLowerCase(Locale.ROOT))) {
        leaks.add(path);
      }
      return;
    }
    if (value instanceof byte[] b) {
      if (HexFormat.of().formatHex(b).contains(seed.toLowerCase(Locale.ROOT))) {
        leaks.add(path);
      }
      return;
    }
    if (value instanceof Iterable<?> items) {
      int i = 0;
      for (Object item : items) {
        findSeed(item, seed, path + "[" + i++ + "]", leaks);
      }
      return;
    }
    if (value.getClass().isRecord()) {
      for (RecordComponent c : value.getClass().getRecordComponents()) {
        c.getAccessor().setAccessible(true);
        findSeed(c.getAccessor().invoke(value), seed, path + "." + c.getName(), leaks);
      }
    }
  }

  @Test
  void keysAreReproducibleFromTheScenarioSeedAndTheEntityId() {
    long seed = Seeds.scenarioSeed(testKit.system());
    String id = Ecu.entityId(Fixtures.VIN, "keys");
    String key = provisionedKey(testKit, id);
    ActorTestKit sameSeed = ActorTestKit.create("SameSeed", Fixtures.configWithoutCompute());
    ActorTestKit otherSeed =
        ActorTestKit.create(
            "OtherSeed",
            ConfigFactory.parseString("fleetsim.seed = " + (seed + 1))
                .withFallback(Fixtures.configWithoutCompute()));
    try {
      assertEquals(key, provisionedKey(sameSeed, id), "same scenario seed and entity id");
      assertNotEquals(
          key, provisionedKey(sameSeed, Ecu.entityId(Fixtures.VIN, "keys2")), "another ECU");
      assertNotEquals(
          key, provisionedKey(sameSeed, Ecu.entityId("OTHERVIN", "keys")), "another vehicle");
      assertNotEquals(key, provisionedKey(otherSeed, id), "another scenario seed");
    } finally {
      sameSeed.shutdownTestKit();
      otherSeed.shutdownTestKit();
    }
  }

  /** The public key a freshly provisioned ECU {@code entityId} reports in {@code kit}'s system. */
  String provisionedKey(ActorTestKit kit, String entityId) {
    var ecu = kit.spawn(Ecu.create(entityId, BootModel.alwaysOk(), vin -> bus.ref()));
    TestProbe<StatusReply<org.apache.pekko.Done>> ack = kit.createTestProbe();
    ecu.tell(new Ecu.Provision(fx.profile(), ack.ref()));
    assertTrue(ack.receiveMessage().isSuccess());
    TestProbe<Ecu.Status> status = kit.createTestProbe();
    ecu.tell(new Ecu.GetStatus(status.ref()));
    String key = status.receiveMessage().publicKeyHex();
    assertEquals(64, key.length());
    return key;
  }
}
