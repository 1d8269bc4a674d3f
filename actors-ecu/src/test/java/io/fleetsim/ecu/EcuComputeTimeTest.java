package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.time.SimClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The ECU answers RequestDownload and RequestTransferExit exactly after the modelled compute time
 * of their checks, and the flash starts only then.
 */
class EcuComputeTimeTest {

  static final ActorTestKit testKit = ActorTestKit.create(Fixtures.config());
  static final SimClock clock = SimClock.get(testKit.system());
  static final EcuComputeModel compute = Fixtures.computeModel();
  static final Fixtures fx = new Fixtures(17);
  static final AtomicInteger ids = new AtomicInteger();
  static final Duration MS = Duration.ofMillis(1);
  static final int GROUP = 64 * 1024;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  final TestProbe<CanBus.Command> bus = testKit.createTestProbe();
  final TestProbe<Ecu.UdsResponse> answers = testKit.createTestProbe();
  final byte[] image = Fixtures.bytes(new Random(8), 3 * GROUP + 5);

  ActorRef<Ecu.Command> provisioned() {
    String id = Ecu.entityId(Fixtures.VIN, "compute" + ids.incrementAndGet());
    ActorRef<Ecu.Command> ecu = testKit.spawn(Ecu.create(id, BootModel.alwaysOk(), v -> bus.ref()));
    TestProbe<StatusReply<Done>> ack = testKit.createTestProbe();
    ecu.tell(new Ecu.Provision(fx.profile(), ack.ref()));
    assertTrue(ack.receiveMessage().isSuccess());
    return ecu;
  }

  Ecu.Phase phase(ActorRef<Ecu.Command> ecu) {
    TestProbe<Ecu.Status> p = testKit.createTestProbe();
    ecu.tell(new Ecu.GetStatus(p.ref()));
    return p.receiveMessage().phase();
  }

  /** Nothing a millisecond before {@code d} has passed, the answer exactly when it has. */
  Ecu.UdsResponse answeredAfter(Duration d) {
    clock.advance(d.minus(MS));
    answers.expectNoMessage(Duration.ofMillis(20));
    clock.advance(MS);
    return answers.receiveMessage(Duration.ZERO);
  }

  void sendAll(ActorRef<Ecu.Command> ecu) {
    for (int g = 1; (long) (g - 1) * GROUP < image.length; g++) {
      int from = (g - 1) * GROUP;
      byte[] part = Arrays.copyOfRange(image, from, Math.min(image.length, from + GROUP));
      ecu.tell(new Ecu.TransferData("t", g, part, answers.ref()));
      assertInstanceOf(Ecu.PositiveResponse.class, answers.receiveMessage());
    }
  }

  @Test
  void verificationAndImageHashTakeTheirModelledTimeAndTheFlashFollows() {
    ActorRef<Ecu.Command> ecu = provisioned();
    ecu.tell(new Ecu.DiagnosticSessionControl("t", Ecu.Session.PROGRAMMING, answers.ref()));
    assertInstanceOf(Ecu.PositiveResponse.class, answers.receiveMessage());

    long t0 = clock.nowMillis();
    ecu.tell(new Ecu.RequestDownload("t", 0, image.length, fx.targetsFor(image), answers.ref()));
    clock.awaitIdle();
    assertEquals(Ecu.Phase.PROGRAMMING, phase(ecu), "still verifying");
    Duration verify = compute.requestDownloadTime(fx.profile());
    assertTrue(verify.toMillis() >= 10, verify.toString());
    assertInstanceOf(Ecu.PositiveResponse.class, answeredAfter(verify));
    assertEquals(Ecu.Phase.RECEIVING, phase(ecu));
    assertEquals(t0 + verify.toMillis(), clock.nowMillis());

    sendAll(ecu);
    ecu.tell(new Ecu.RequestTransferExit("t", answers.ref()));
    clock.awaitIdle();
    assertEquals(Ecu.Phase.RECEIVING, phase(ecu), "still hashing");
    Duration hash = compute.transferExitTime(fx.profile(), image.length);
    assertEquals(Duration.ofMillis((long) Math.ceil(image.length / 20_000.0)), hash);
    assertInstanceOf(Ecu.PositiveResponse.class, answeredAfter(hash));
    assertEquals(Ecu.Phase.FLASHING, phase(ecu));

    // the flash and the boot start when the check has ended
    Duration install =
        Bootloader.flashTime(image.length, fx.profile().flashBytesPerSecond())
            .plus(Duration.ofSeconds(5));
    clock.advance(install.minus(MS));
    bus.expectNoMessage(Duration.ofMillis(20));
    clock.advance(MS);
    CanBus.EcuInstallFinished done = (CanBus.EcuInstallFinished) bus.receiveMessage();
    assertEquals(io.fleetsim.uptane.manifest.UpdateOutcome.SUCCEEDED, done.outcome());
  }

  @Test
  void aRepeatedRequestWhileComputingIsAnsweredOnceWhenTheCheckEnds() {
    ActorRef<Ecu.Command> ecu = provisioned();
    TestProbe<Ecu.UdsResponse> firstAsker = testKit.createTestProbe();
    ecu.tell(new Ecu.DiagnosticSessionControl("t", Ecu.Session.PROGRAMMING, answers.ref()));
    answers.receiveMessage();
    byte[] targets = fx.targetsFor(image);
    Duration verify = compute.requestDownloadTime(fx.profile());
    ecu.tell(new Ecu.RequestDownload("t", 0, image.length, targets, firstAsker.ref()));
    clock.advance(verify.minus(MS));
    ecu.tell(new Ecu.RequestDownload("t", 0, image.length, targets, answers.ref()));
    // the check is not started over: its answer comes at the first request's instant, to the
    // latest asker
    assertInstanceOf(Ecu.PositiveResponse.class, answeredAfter(MS));
    firstAsker.expectNoMessage(Duration.ZERO);
    assertEquals(Ecu.Phase.RECEIVING, phase(ecu));
  }

  @Test
  void closingTheSessionWhileVerifyingDropsTheCheck() {
    ActorRef<Ecu.Command> ecu = provisioned();
    ecu.tell(new Ecu.DiagnosticSessionControl("t", Ecu.Session.PROGRAMMING, answers.ref()));
    answers.receiveMessage();
    ecu.tell(new Ecu.RequestDownload("t", 0, image.length, fx.targetsFor(image), answers.ref()));
    clock.awaitIdle();
    ecu.tell(new Ecu.DiagnosticSessionControl("t", Ecu.Session.DEFAULT, answers.ref()));
    assertInstanceOf(Ecu.PositiveResponse.class, answers.receiveMessage());
    clock.advance(compute.requestDownloadTime(fx.profile()));
    answers.expectNoMessage(Duration.ofMillis(20));
    assertEquals(Ecu.Phase.RUNNING, phase(ecu));
  }

  @Test
  void anExitRefusedForMissingBytesHashesNothingAndIsAnsweredAtOnce() {
    ActorRef<Ecu.Command> ecu = provisioned();
    ecu.tell(new Ecu.DiagnosticSessionControl("t", Ecu.Session.PROGRAMMING, answers.ref()));
    answers.receiveMessage();
    ecu.tell(new Ecu.RequestDownload("t", 0, image.length, fx.targetsFor(image), answers.ref()));
    answeredAfter(compute.requestDownloadTime(fx.profile()));
    ecu.tell(new Ecu.RequestTransferExit("t", answers.ref()));
    Ecu.NegativeResponse nr =
        assertInstanceOf(Ecu.NegativeResponse.class, answers.receiveMessage());
    assertEquals(NegativeResponseCode.REQUEST_SEQUENCE_ERROR, nr.nrc());
  }
}
