package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.BlobStore;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class CanBusTest {

  static final ActorTestKit testKit = ActorTestKit.create(Fixtures.config());
  static final SimClock clock = SimClock.get(testKit.system());
  static final EcuComputeModel compute = Fixtures.computeModel();
  static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(5);
  static final Duration MS = Duration.ofMillis(1);
  static final Fixtures fx = new Fixtures(21);
  static final AtomicInteger ids = new AtomicInteger();
  static final BusTimingModel model = BusTimingModel.defaults();
  static final int GROUP = 32 * 4096;
  static final BlockGroups groups = new BlockGroups(model, 32);

  /** The simulated time the clock waits for group {@code counter} of a transfer sending alone. */
  static Duration groupWait(int length, int counter, int sharing) {
    BlockGroups.Group g =
        groups
            .next(Transport.CLASSIC_CAN, counter, (long) (counter - 1) * GROUP, length)
            .orElseThrow();
    return Duration.ofMillis(SimClock.delayMillis(g.wireTime(0, sharing)));
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  final BlobStore blobs = new BlobStore();
  final TestProbe<CanBus.TransferResult> results = testKit.createTestProbe();
  final TestProbe<CanBus.TransferProgress> progress = testKit.createTestProbe();

  /** A vehicle: one real Ecu (optionally monitored) and its bus, wired as sharding would. */
  final class Vehicle {
    final String vin = "VIN" + ids.incrementAndGet();
    final Map<String, ActorRef<Ecu.Command>> ecus = new ConcurrentHashMap<>();
    final AtomicReference<ActorRef<CanBus.Command>> bus = new AtomicReference<>();

    /** While set, TransferData never reaches the ECU: an ECU that has gone silent mid-download. */
    final AtomicBoolean dataLost = new AtomicBoolean();

    Vehicle(TestProbe<Ecu.Command> monitor) {
      String id = Ecu.entityId(vin, Fixtures.ECU_ID);
      Behavior<Ecu.Command> ecu = Ecu.create(id, BootModel.alwaysOk(), v -> bus.get());
      if (monitor != null) {
        ecu = Behaviors.monitor(Ecu.Command.class, monitor.ref(), ecu);
      }
      ActorRef<Ecu.Command> real = testKit.spawn(ecu);
      ecus.put(
          id,
          testKit.spawn(
              Behaviors.receiveMessage(
                  m -> {
                    if (!(dataLost.get() && m instanceof Ecu.TransferData)) {
                      real.tell(m);
                    }
                    return Behaviors.same();
                  })));
      TestProbe<StatusReply<org.apache.pekko.Done>> ack = testKit.createTestProbe();
      ecus.get(id).tell(new Ecu.Provision(fx.profile(), ack.ref()));
      assertTrue(ack.receiveMessage().isSuccess());
      startBus();
    }

    void startBus() {
      bus.set(testKit.spawn(CanBus.create(vin, ecus::get, blobs, null)));
    }

    CanBus.StartTransfer transfer(String tid, byte[] image) {
      return new CanBus.StartTransfer(
          tid,
          vin,
          Fixtures.ECU_ID,
          Transport.CLASSIC_CAN,
          BlobStore.sha256Hex(image),
          image.length,
          fx.targetsFor(image),
          results.ref(),
          progress.ref());
    }

    CanBus.State busState() {
      TestProbe<CanBus.State> p = testKit.createTestProbe();
      bus.get().tell(new CanBus.GetState(p.ref()));
      return p.receiveMessage();
    }

    /**
     * Starts transfer {@code tid} and lets the ECU's RequestDownload verification time pass: the
     * transfer is then sending its first group.
     */
    void start(String tid, byte[] image) {
      bus.get().tell(transfer(tid, image));
      clock.advance(compute.requestDownloadTime(fx.profile()));
      awaitSending(tid);
    }

    void awaitSending(String tid) {
      results.awaitAssert(
          () -> {
            assertEquals(
                CanBus.Stage.SENDING, busState().transfer(tid).orElseThrow().progress().stage());
            return null;
          });
    }
  }

  CanBus.TransferResult advanceUntilResult() {
    AtomicReference<CanBus.TransferResult> got = new AtomicReference<>();
    results.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          clock.advance(Duration.ofSeconds(1));
          got.set(results.receiveMessage(Duration.ofMillis(20)));
          return null;
        });
    return got.get();
  }

  @Test
  void oneMebibyteOverClassicCanTakesTheModelledTime() {
    Vehicle v = new Vehicle(null);
    byte[] image = Fixtures.bytes(new Random(3), 1024 * 1024);
    blobs.put(image);
    long t0 = clock.nowMillis();
    v.start("t1", image);
    Duration verify = compute.requestDownloadTime(fx.profile());
    assertEquals(t0 + verify.toMillis(), clock.nowMillis());

    double predicted = model.transferTime(Transport.CLASSIC_CAN, image.length, 0).toNanos() / 1e9;
    Duration elapsed = Duration.ZERO;
    for (int k = 1; k <= 8; k++) {
      // a group's wire time rounded up to the millisecond, not a millisecond less
      Duration due = groupWait(image.length, k, 1);
      clock.advance(due.minus(MS));
      progress.expectNoMessage(Duration.ofMillis(20));
      clock.advance(MS);
      assertEquals((long) k * GROUP, progress.receiveMessage().bytesAcknowledged());
      elapsed = elapsed.plus(due);
    }
    // eight groups, each rounded up by less than a millisecond
    assertEquals(predicted, elapsed.toNanos() / 1e9, 0.008);
    assertTrue(predicted > 43 && predicted < 44, "1 MiB over classic CAN: " + predicted + " s");

    // then the image hash on the ECU, the flash and the boot, each exactly as modelled
    Duration install =
        compute
            .transferExitTime(fx.profile(), image.length)
            .plus(Bootloader.flashTime(image.length, fx.profile().flashBytesPerSecond()))
            .plus(Duration.ofSeconds(5));
    clock.advance(install.minus(MS));
    results.expectNoMessage(Duration.ofMillis(20));
    clock.advance(MS);
    CanBus.TransferResult r = results.receiveMessage();
    assertEquals(
        t0 + verify.plus(elapsed).plus(install).toMillis(),
        clock.nowMillis(),
        "the update's simulated time is the sum of its modelled parts");
    assertEquals(
        CanBus.modelledTransferTime(
            Fixtures.config(), fx.profile(), Transport.CLASSIC_CAN, image.length),
        Duration.ofMillis(clock.nowMillis() - t0));
    assertEquals(
        elapsed,
        CanBus.groupWaits(Fixtures.config(), Transport.CLASSIC_CAN, image.length).stream()
            .reduce(Duration.ZERO, Duration::plus));
    assertEquals(UpdateOutcome.SUCCEEDED, r.outcome(), r.reason());
    assertEquals("engine-2.0.bin", r.newVersion());
    assertTrue(v.busState().transfers().isEmpty());
    assertEquals(r, v.busState().result("t1").orElseThrow());
  }

  @Test
  void anInterruptedTransferResumesFromItsLastAcknowledgedGroup() {
    TestProbe<Ecu.Command> seen = testKit.createTestProbe();
    Vehicle v = new Vehicle(seen);
    byte[] image = Fixtures.bytes(new Random(4), 4 * GROUP + 1000);
    blobs.put(image);
    v.start("t1", image);
    clock.advance(groupWait(image.length, 1, 1).plus(groupWait(image.length, 2, 1)));
    assertEquals(GROUP, progress.receiveMessage().bytesAcknowledged());
    assertEquals(2L * GROUP, progress.receiveMessage().bytesAcknowledged());
    seen.fishForMessage(
        Duration.ofSeconds(3),
        m ->
            m instanceof Ecu.TransferData d && d.blockSequenceCounter() == 2
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore());

    testKit.stop(v.bus.get());
    v.startBus();

    Ecu.TransferData next = null;
    for (int i = 0; i < 100 && next == null; i++) {
      clock.advance(Duration.ofSeconds(1));
      next = nextTransferData(seen);
    }
    assertEquals(3, next.blockSequenceCounter());
    assertArrayEquals(Arrays.copyOfRange(image, 2 * GROUP, 3 * GROUP), next.data());

    CanBus.TransferResult r = advanceUntilResult();
    assertEquals(UpdateOutcome.SUCCEEDED, r.outcome(), r.reason());
  }

  /** The next TransferData the ECU got, if one arrives within a short wait. */
  static Ecu.TransferData nextTransferData(TestProbe<Ecu.Command> seen) {
    while (true) {
      Ecu.Command m;
      try {
        m = seen.receiveMessage(Duration.ofMillis(30));
      } catch (AssertionError noneYet) {
        return null;
      }
      if (m instanceof Ecu.TransferData d) {
        return d;
      }
    }
  }

  @Test
  void aMissingImageFailsTheTransfer() {
    Vehicle v = new Vehicle(null);
    byte[] image = Fixtures.bytes(new Random(5), 1000);
    v.bus.get().tell(v.transfer("t1", image));
    CanBus.TransferResult r = results.receiveMessage();
    assertEquals(UpdateOutcome.FAILED, r.outcome());
    assertTrue(r.reason().contains("not in this node's blob store"), r.reason());
    assertTrue(v.busState().transfers().isEmpty());
  }

  @Test
  void badRequestsAreRejected() {
    Vehicle v = new Vehicle(null);
    byte[] image = Fixtures.bytes(new Random(6), 1000);
    blobs.put(image);
    CanBus.StartTransfer ok = v.transfer("t1", image);
    CanBus.StartTransfer[] bad = {
      new CanBus.StartTransfer(
          "t1",
          "OTHERVIN",
          ok.ecuId(),
          null,
          ok.imageSha256(),
          ok.length(),
          ok.directorTargets(),
          results.ref(),
          null),
      new CanBus.StartTransfer(
          "t1",
          ok.vin(),
          ok.ecuId(),
          null,
          "abc",
          ok.length(),
          ok.directorTargets(),
          results.ref(),
          null),
      new CanBus.StartTransfer(
          "t1",
          ok.vin(),
          ok.ecuId(),
          null,
          ok.imageSha256(),
          0,
          ok.directorTargets(),
          results.ref(),
          null),
      new CanBus.StartTransfer(
          "t1",
          ok.vin(),
          "a/b",
          null,
          ok.imageSha256(),
          ok.length(),
          ok.directorTargets(),
          results.ref(),
          null),
      new CanBus.StartTransfer(
          "t1",
          ok.vin(),
          ok.ecuId(),
          null,
          ok.imageSha256(),
          ok.length(),
          new byte[0],
          results.ref(),
          null),
      new CanBus.StartTransfer(
          "t1",
          ok.vin(),
          ok.ecuId(),
          null,
          ok.imageSha256(),
          ok.length() + 1,
          ok.directorTargets(),
          results.ref(),
          null),
    };
    for (CanBus.StartTransfer b : bad) {
      v.bus.get().tell(b);
      assertEquals(UpdateOutcome.FAILED, results.receiveMessage().outcome());
    }
  }

  @Test
  void anEcuRefusalEndsTheTransferAsRejected() {
    TestProbe<Ecu.Command> ecu = testKit.createTestProbe();
    String vin = "VIN" + ids.incrementAndGet();
    EventSourcedBehaviorTestKit<CanBus.Command, CanBus.Event, CanBus.State> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), CanBus.create(vin, id -> ecu.ref(), blobs, null));
    byte[] image = Fixtures.bytes(new Random(7), 5000);
    String sha = blobs.put(image);
    kit.runCommand(
        new CanBus.StartTransfer(
            "t1",
            vin,
            "adas",
            Transport.CAN_FD,
            sha,
            image.length,
            new byte[] {1},
            results.ref(),
            null));
    Ecu.DiagnosticSessionControl dsc = ecu.expectMessageClass(Ecu.DiagnosticSessionControl.class);
    dsc.replyTo()
        .tell(new Ecu.PositiveResponse("t1", Ecu.UdsService.DIAGNOSTIC_SESSION_CONTROL, 1, 0));
    Ecu.RequestDownload rd = ecu.expectMessageClass(Ecu.RequestDownload.class);
    assertEquals(image.length, rd.length());
    rd.replyTo()
        .tell(
            new Ecu.NegativeResponse(
                "t1",
                Ecu.UdsService.REQUEST_DOWNLOAD,
                NegativeResponseCode.UPLOAD_DOWNLOAD_NOT_ACCEPTED,
                "BAD_SIGNATURE"));
    CanBus.TransferResult r = results.receiveMessage();
    assertEquals(UpdateOutcome.REJECTED, r.outcome());
    assertTrue(r.reason().contains("0x70"), r.reason());
    // the ECU's session is closed so that the next transfer can open one
    assertEquals(
        Ecu.Session.DEFAULT, ecu.expectMessageClass(Ecu.DiagnosticSessionControl.class).session());
    assertTrue(kit.getState().transfers().isEmpty());
  }

  @Test
  void aRefusedExitAlsoClosesTheSession() {
    TestProbe<Ecu.Command> ecu = testKit.createTestProbe();
    String vin = "VIN" + ids.incrementAndGet();
    EventSourcedBehaviorTestKit<CanBus.Command, CanBus.Event, CanBus.State> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), CanBus.create(vin, id -> ecu.ref(), blobs, null));
    byte[] image = Fixtures.bytes(new Random(12), 5000);
    String sha = blobs.put(image);
    kit.runCommand(
        new CanBus.StartTransfer(
            "t1", vin, "adas", null, sha, image.length, new byte[] {1}, results.ref(), null));
    ecu.expectMessageClass(Ecu.DiagnosticSessionControl.class)
        .replyTo()
        .tell(new Ecu.PositiveResponse("t1", Ecu.UdsService.DIAGNOSTIC_SESSION_CONTROL, 1, 0));
    ecu.expectMessageClass(Ecu.RequestDownload.class)
        .replyTo()
        .tell(new Ecu.PositiveResponse("t1", Ecu.UdsService.REQUEST_DOWNLOAD, 1, 0));
    clock.awaitIdle();
    clock.advance(Duration.ofSeconds(1));
    Ecu.TransferData data = ecu.expectMessageClass(Ecu.TransferData.class);
    assertEquals(image.length, data.data().length);
    data.replyTo()
        .tell(new Ecu.PositiveResponse("t1", Ecu.UdsService.TRANSFER_DATA, 2, image.length));
    ecu.expectMessageClass(Ecu.RequestTransferExit.class)
        .replyTo()
        .tell(
            new Ecu.NegativeResponse(
                "t1",
                Ecu.UdsService.REQUEST_TRANSFER_EXIT,
                NegativeResponseCode.REQUEST_SEQUENCE_ERROR,
                "4999 of 5000 bytes received"));
    CanBus.TransferResult r = results.receiveMessage();
    assertEquals(UpdateOutcome.REJECTED, r.outcome());
    assertTrue(r.reason().startsWith("EXIT refused with 0x24"), r.reason());
    assertEquals(
        Ecu.Session.DEFAULT, ecu.expectMessageClass(Ecu.DiagnosticSessionControl.class).session());
  }

  @Test
  void anEcuThatNeverAnswersFailsTheTransferAfterRetries() {
    TestProbe<Ecu.Command> ecu = testKit.createTestProbe();
    String vin = "VIN" + ids.incrementAndGet();
    EventSourcedBehaviorTestKit<CanBus.Command, CanBus.Event, CanBus.State> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), CanBus.create(vin, id -> ecu.ref(), blobs, null));
    byte[] image = Fixtures.bytes(new Random(8), 5000);
    String sha = blobs.put(image);
    kit.runCommand(
        new CanBus.StartTransfer(
            "t1", vin, "adas", null, sha, image.length, new byte[] {1}, results.ref(), null));
    long asked = clock.nowMillis();
    for (int i = 0; i <= 3; i++) {
      ecu.expectMessageClass(Ecu.DiagnosticSessionControl.class);
      // given up on exactly the response timeout of simulated time after the request
      clock.advance(RESPONSE_TIMEOUT.minus(MS));
      ecu.expectNoMessage(Duration.ofMillis(20));
      results.expectNoMessage(Duration.ZERO);
      clock.advance(MS);
      assertEquals(asked + (i + 1) * RESPONSE_TIMEOUT.toMillis(), clock.nowMillis());
    }
    CanBus.TransferResult r = results.receiveMessage(Duration.ZERO);
    assertEquals(UpdateOutcome.FAILED, r.outcome());
    assertTrue(r.reason().contains("did not answer SESSION"), r.reason());
    // giving up closes the ECU's session as a refusal does, in case it was only slow
    assertEquals(
        Ecu.Session.DEFAULT, ecu.expectMessageClass(Ecu.DiagnosticSessionControl.class).session());
  }

  @Test
  void afterGivingUpOnASilentEcuTheNextTransferToItSucceedsAtOnce() {
    Vehicle v = new Vehicle(null);
    byte[] image = Fixtures.bytes(new Random(11), 3 * GROUP);
    blobs.put(image);
    v.start("t1", image);
    v.dataLost.set(true);
    CanBus.TransferResult gaveUp = advanceUntilResult();
    assertEquals("t1", gaveUp.transferId());
    assertEquals(UpdateOutcome.FAILED, gaveUp.outcome());
    assertTrue(gaveUp.reason().contains("did not answer DATA"), gaveUp.reason());

    // the ECU answers again; the bus must have closed its download, or this one is refused
    v.dataLost.set(false);
    v.bus.get().tell(v.transfer("t2", image));
    CanBus.TransferResult next = advanceUntilResult();
    assertEquals("t2", next.transferId());
    assertEquals(UpdateOutcome.SUCCEEDED, next.outcome(), next.reason());
  }

  @Test
  void concurrentTransfersShareTheBus() {
    Vehicle v = new Vehicle(null);
    String second = Ecu.entityId(v.vin, "adas");
    v.ecus.put(second, testKit.spawn(Ecu.create(second, BootModel.alwaysOk(), x -> v.bus.get())));
    TestProbe<StatusReply<org.apache.pekko.Done>> ack = testKit.createTestProbe();
    v.ecus.get(second).tell(new Ecu.Provision(fx.profile("adas-hw", "ADAS-1"), ack.ref()));
    assertTrue(ack.receiveMessage().isSuccess());

    byte[] a = Fixtures.bytes(new Random(9), 3 * GROUP);
    byte[] b = Fixtures.bytes(new Random(10), 3 * GROUP);
    blobs.put(a);
    blobs.put(b);
    v.start("ta", a);
    v.bus
        .get()
        .tell(
            new CanBus.StartTransfer(
                "tb",
                v.vin,
                "adas",
                Transport.CLASSIC_CAN,
                BlobStore.sha256Hex(b),
                b.length,
                fx.targetsFor(b, "adas-2.0.bin", "ADAS-1", "adas-hw", 2),
                results.ref(),
                progress.ref()));
    Duration verify = compute.requestDownloadTime(fx.profile());
    clock.advance(verify);
    v.awaitSending("tb");

    // ta's first group was scheduled alone, a verification time before tb's; tb's first group
    // shares the bus with ta from the start and takes twice as long
    Duration alone = groupWait(a.length, 1, 1);
    Duration shared = groupWait(b.length, 1, 2);
    clock.advance(alone.minus(verify));
    assertEquals("ta", progress.receiveMessage().transferId());
    // alone, tb's first group would be done by now
    clock.advance(verify.plus(shared).minus(alone).minus(MS));
    progress.expectNoMessage(Duration.ofMillis(20));
    clock.advance(MS);
    assertEquals("tb", progress.receiveMessage().transferId());
  }

  /**
   * Two ECUs answer RequestDownload at one instant. Whichever answer the bus handles first, each
   * transfer's first group counts the other as sharing the bus, so both arrive at the same instant:
   * the bus's figures do not depend on the order of messages at an instant.
   */
  @Test
  void answersAtOneInstantGiveTheSameTimesInEitherOrder() {
    firstGroupsArriveTogether(false);
    firstGroupsArriveTogether(true);
  }

  void firstGroupsArriveTogether(boolean bFirst) {
    TestProbe<Ecu.Command> a = testKit.createTestProbe();
    TestProbe<Ecu.Command> b = testKit.createTestProbe();
    String vin = "VIN" + ids.incrementAndGet();
    ActorRef<CanBus.Command> bus =
        testKit.spawn(CanBus.create(vin, id -> id.endsWith("/a") ? a.ref() : b.ref(), blobs, null));
    byte[] image = Fixtures.bytes(new Random(13), 2 * GROUP);
    String sha = blobs.put(image);
    List<Ecu.RequestDownload> downloads = new ArrayList<>();
    for (TestProbe<Ecu.Command> ecu : List.of(a, b)) {
      String id = ecu == a ? "a" : "b";
      bus.tell(
          new CanBus.StartTransfer(
              "t-" + id,
              vin,
              id,
              Transport.CLASSIC_CAN,
              sha,
              image.length,
              new byte[] {1},
              results.ref(),
              null));
      Ecu.DiagnosticSessionControl dsc = ecu.expectMessageClass(Ecu.DiagnosticSessionControl.class);
      dsc.replyTo()
          .tell(
              new Ecu.PositiveResponse(
                  dsc.transferId(), Ecu.UdsService.DIAGNOSTIC_SESSION_CONTROL, 1, 0));
      downloads.add(ecu.expectMessageClass(Ecu.RequestDownload.class));
    }
    if (bFirst) {
      Collections.reverse(downloads);
    }
    for (Ecu.RequestDownload rd : downloads) {
      rd.replyTo()
          .tell(new Ecu.PositiveResponse(rd.transferId(), Ecu.UdsService.REQUEST_DOWNLOAD, 1, 0));
    }
    Duration shared = groupWait(image.length, 1, 2);
    clock.awaitIdle();
    clock.advance(shared.minus(MS));
    a.expectNoMessage(Duration.ofMillis(20));
    b.expectNoMessage(Duration.ZERO);
    clock.advance(MS);
    assertEquals(1, a.expectMessageClass(Ecu.TransferData.class).blockSequenceCounter());
    assertEquals(1, b.expectMessageClass(Ecu.TransferData.class).blockSequenceCounter());
    testKit.stop(bus);
  }

  /**
   * An answer at the deadline instant itself is late, whether the bus handles it before or after
   * its response timer: in both orders the request is sent again at that instant, and only the
   * answer to that second request moves the transfer on.
   */
  @Test
  void anAnswerAtTheDeadlineIsLateInEitherOrder() {
    answerAtTheDeadline(true);
    answerAtTheDeadline(false);
  }

  void answerAtTheDeadline(boolean answerFirst) {
    TestProbe<Ecu.Command> ecu = testKit.createTestProbe();
    String vin = "VIN" + ids.incrementAndGet();
    ActorRef<CanBus.Command> bus = testKit.spawn(CanBus.create(vin, id -> ecu.ref(), blobs, null));
    byte[] image = Fixtures.bytes(new Random(14), 5000);
    String sha = blobs.put(image);
    Ecu.PositiveResponse ok =
        new Ecu.PositiveResponse("t1", Ecu.UdsService.DIAGNOSTIC_SESSION_CONTROL, 1, 0);
    AtomicReference<ActorRef<Ecu.UdsResponse>> replyTo = new AtomicReference<>();
    // the clock runs actions due at one instant in the order they were scheduled: before the
    // request, the answer comes first at the deadline instant; after it, the response timer does
    Runnable answer = () -> replyTo.get().tell(ok);
    if (answerFirst) {
      clock.schedule(RESPONSE_TIMEOUT, answer);
    }
    bus.tell(
        new CanBus.StartTransfer(
            "t1", vin, "adas", null, sha, image.length, new byte[] {1}, results.ref(), null));
    Ecu.DiagnosticSessionControl first = ecu.expectMessageClass(Ecu.DiagnosticSessionControl.class);
    replyTo.set(first.replyTo());
    if (!answerFirst) {
      clock.schedule(RESPONSE_TIMEOUT, answer);
    }
    long asked = clock.nowMillis();
    clock.advance(RESPONSE_TIMEOUT);
    Ecu.DiagnosticSessionControl second =
        ecu.expectMessageClass(Ecu.DiagnosticSessionControl.class);
    assertEquals(asked + RESPONSE_TIMEOUT.toMillis(), clock.nowMillis());
    ecu.expectNoMessage(Duration.ofMillis(20));
    second.replyTo().tell(ok);
    ecu.expectMessageClass(Ecu.RequestDownload.class);
    testKit.stop(bus);
  }
}
