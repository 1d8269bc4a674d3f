package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The download checks on their own: a request and the open download in, a decision out. */
class UdsDownloadTest {

  static final Fixtures fx = new Fixtures(31);
  static final int GROUP = 1000;

  final byte[] image = Fixtures.bytes(new Random(2), 2 * GROUP + 500);
  final Instant now = Instant.now();

  Ecu.RequestDownload request(String tid, long length, byte[] targets) {
    return new Ecu.RequestDownload(tid, 0, length, targets, null);
  }

  EcuState.Download opened(String tid) {
    UdsDownload.Check c =
        UdsDownload.start(fx.profile(), fx.oldBank, request(tid, image.length, targetsFor()), now);
    return assertInstanceOf(UdsDownload.Accepted.class, c, c.toString()).download();
  }

  byte[] targetsFor() {
    return fx.targetsFor(image, "c7/3");
  }

  static UdsDownload.Refused refused(UdsDownload.Check c, NegativeResponseCode nrc) {
    UdsDownload.Refused r = assertInstanceOf(UdsDownload.Refused.class, c, c.toString());
    assertEquals(nrc, r.response().nrc(), r.reason());
    return r;
  }

  /** What the Ecu does with an accepted group: hash its bytes. */
  static UdsDownload.Check take(EcuState.Download d, Ecu.TransferData cmd, ReceivedHash hash) {
    UdsDownload.Check c = UdsDownload.receive(d, cmd, hash);
    if (c instanceof UdsDownload.Accepted) {
      hash.update(cmd.data());
    }
    return c;
  }

  Ecu.TransferData group(String tid, int counter) {
    int from = (counter - 1) * GROUP;
    return new Ecu.TransferData(
        tid, counter, Arrays.copyOfRange(image, from, Math.min(image.length, from + GROUP)), null);
  }

  @Test
  void aVerifiedRequestOpensADownloadOfTheDirectorsImageForItsAssignment() {
    EcuState.Download d = opened("t");
    assertEquals("t", d.transferId());
    assertEquals("c7/3", d.assignmentId());
    assertEquals(new Bank("engine-2.0.bin", BlobSha.of(image), image.length, 2, true), d.image());
    assertEquals(1, d.nextBlockSequenceCounter());
    assertEquals(0, d.bytesReceived());
  }

  @Test
  void requestsTheDirectorDidNotVouchForAreRefused() {
    EcuProfile p = fx.profile();
    refused(
        UdsDownload.start(
            p, fx.oldBank, request("t", image.length, fx.targetsWithoutAssignment(image)), now),
        NegativeResponseCode.UPLOAD_DOWNLOAD_NOT_ACCEPTED);
    refused(
        UdsDownload.start(
            p, fx.oldBank, request("t", image.length, "{}".getBytes(StandardCharsets.UTF_8)), now),
        NegativeResponseCode.UPLOAD_DOWNLOAD_NOT_ACCEPTED);
    refused(
        UdsDownload.start(p, fx.oldBank, request("t", image.length, new byte[0]), now),
        NegativeResponseCode.UPLOAD_DOWNLOAD_NOT_ACCEPTED);
    // running a later release than the one assigned: a rollback attack
    Bank newer = new Bank("engine-3.0.bin", fx.oldBank.sha256(), 10, 3, true);
    refused(
        UdsDownload.start(p, newer, request("t", image.length, targetsFor()), now),
        NegativeResponseCode.UPLOAD_DOWNLOAD_NOT_ACCEPTED);
    // the announced length is checked against the signed one, one byte either way
    for (long wrong : new long[] {image.length - 1, image.length + 1}) {
      refused(
          UdsDownload.start(p, fx.oldBank, request("t", wrong, targetsFor()), now),
          NegativeResponseCode.REQUEST_OUT_OF_RANGE);
    }
  }

  @Test
  void aMissingAssignmentIsNamedInTheRefusal() {
    UdsDownload.Refused r =
        refused(
            UdsDownload.start(
                fx.profile(),
                fx.oldBank,
                request("t", image.length, fx.targetsWithoutAssignment(image)),
                now),
            NegativeResponseCode.UPLOAD_DOWNLOAD_NOT_ACCEPTED);
    assertTrue(r.reason().contains("no assignment id"), r.reason());
    assertFalse(r.endsDownload());
  }

  @Test
  void aSecondRequestDownloadResumesTheSameTransferAndRefusesAnother() {
    EcuState.Download d = opened("t");
    ReceivedHash hash = ReceivedHash.start("t");
    d = ((UdsDownload.Accepted) take(d, group("t", 1), hash)).download();
    assertInstanceOf(
        UdsDownload.Repeated.class, UdsDownload.reopen(d, request("t", image.length, null), hash));
    refused(
        UdsDownload.reopen(d, request("u", image.length, targetsFor()), hash),
        NegativeResponseCode.CONDITIONS_NOT_CORRECT);
  }

  @Test
  void afterARestartTheBytesSoFarCannotBeVouchedForAndTheDownloadStartsAgain() {
    ReceivedHash hash = ReceivedHash.start("t");
    EcuState.Download d =
        ((UdsDownload.Accepted) take(opened("t"), group("t", 1), hash)).download();
    // the journal kept d; the hash of its first group was in the memory the restart cleared
    refused(
        UdsDownload.receive(d, group("t", 2), null), NegativeResponseCode.REQUEST_SEQUENCE_ERROR);
    refused(
        UdsDownload.exit(d, new Ecu.RequestTransferExit("t", null), null),
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR);
    // a hash over other bytes than the journal's count is no better
    refused(
        UdsDownload.receive(d, group("t", 2), ReceivedHash.start("t")),
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR);
    UdsDownload.Accepted again =
        assertInstanceOf(
            UdsDownload.Accepted.class,
            UdsDownload.reopen(d, request("t", image.length, null), null));
    assertEquals(1, again.download().nextBlockSequenceCounter());
    assertEquals(0, again.download().bytesReceived());
    assertEquals(d.image(), again.download().image());
    assertEquals(d.assignmentId(), again.download().assignmentId());
  }

  @Test
  void groupsAreTakenInSequenceWithinTheAnnouncedLength() {
    EcuState.Download d = opened("t");
    ReceivedHash hash = ReceivedHash.start("t");
    refused(
        UdsDownload.receive(d, group("t", 2), hash),
        NegativeResponseCode.WRONG_BLOCK_SEQUENCE_COUNTER);
    // counter 0 is not "the previous group" of the first one
    refused(
        UdsDownload.receive(d, new Ecu.TransferData("t", 0, new byte[1], null), hash),
        NegativeResponseCode.WRONG_BLOCK_SEQUENCE_COUNTER);
    refused(
        UdsDownload.receive(d, new Ecu.TransferData("t", 1, new byte[0], null), hash),
        NegativeResponseCode.INCORRECT_MESSAGE_LENGTH);
    refused(
        UdsDownload.receive(d, new Ecu.TransferData("t", 1, null, null), hash),
        NegativeResponseCode.INCORRECT_MESSAGE_LENGTH);
    refused(
        UdsDownload.receive(
            d, new Ecu.TransferData("t", 1, new byte[image.length + 1], null), hash),
        NegativeResponseCode.TRANSFER_DATA_SUSPENDED);
    refused(
        UdsDownload.receive(d, group("u", 1), hash), NegativeResponseCode.REQUEST_SEQUENCE_ERROR);

    EcuState.Download after1 = ((UdsDownload.Accepted) take(d, group("t", 1), hash)).download();
    assertEquals(2, after1.nextBlockSequenceCounter());
    assertEquals(GROUP, after1.bytesReceived());
    assertEquals(d.image(), after1.image());
    assertEquals("c7/3", after1.assignmentId());
    // the previous group again: acknowledged, not hashed twice
    assertInstanceOf(UdsDownload.Repeated.class, UdsDownload.receive(after1, group("t", 1), hash));
  }

  @Test
  void theExitChecksEveryByteArrivedAndTheirHashIsTheDirectors() {
    EcuState.Download d = opened("t");
    Ecu.RequestTransferExit exit = new Ecu.RequestTransferExit("t", null);
    ReceivedHash hash = ReceivedHash.start("t");
    assertFalse(
        refused(UdsDownload.exit(d, exit, hash), NegativeResponseCode.REQUEST_SEQUENCE_ERROR)
            .endsDownload());
    EcuState.Download all = d;
    for (int g = 1; g <= 3; g++) {
      all = ((UdsDownload.Accepted) take(all, group("t", g), hash)).download();
    }
    refused(
        UdsDownload.exit(all, new Ecu.RequestTransferExit("u", null), hash),
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR);
    assertEquals(new UdsDownload.Accepted(all), UdsDownload.exit(all, exit, hash));
    // the exit's check leaves the running hash as it was
    assertEquals(new UdsDownload.Accepted(all), UdsDownload.exit(all, exit, hash));

    // the same length of other bytes: the download ends, those bytes are no image of the director
    EcuState.Download forged = d;
    ReceivedHash forgedHash = ReceivedHash.start("t");
    byte[] other = image.clone();
    other[GROUP + 3] ^= 1;
    for (int g = 1; g <= 3; g++) {
      int from = (g - 1) * GROUP;
      byte[] part = Arrays.copyOfRange(other, from, Math.min(other.length, from + GROUP));
      forged =
          ((UdsDownload.Accepted)
                  take(forged, new Ecu.TransferData("t", g, part, null), forgedHash))
              .download();
    }
    UdsDownload.Refused r =
        refused(
            UdsDownload.exit(forged, exit, forgedHash),
            NegativeResponseCode.GENERAL_PROGRAMMING_FAILURE);
    assertTrue(r.endsDownload());
    assertTrue(r.reason().contains(BlobSha.of(image)), r.reason());
  }

  @Test
  void anExitAfterTheImageWasAcceptedIsAcknowledgedOnlyForItsTransfer() {
    EcuState.Download d = opened("t");
    assertInstanceOf(
        UdsDownload.Repeated.class,
        UdsDownload.repeatedExit(d, new Ecu.RequestTransferExit("t", null), Ecu.Phase.FLASHING));
    refused(
        UdsDownload.repeatedExit(d, new Ecu.RequestTransferExit("u", null), Ecu.Phase.FLASHING),
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR);
    refused(
        UdsDownload.repeatedExit(null, new Ecu.RequestTransferExit("t", null), Ecu.Phase.RUNNING),
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR);
  }

  @Test
  void requestsOutOfPhaseGetTheCodeATesterExpects() {
    assertEquals(
        NegativeResponseCode.SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION,
        UdsDownload.outOfPhase(Ecu.UdsService.REQUEST_DOWNLOAD, "t", Ecu.Phase.RUNNING).nrc());
    assertEquals(
        NegativeResponseCode.CONDITIONS_NOT_CORRECT,
        UdsDownload.outOfPhase(Ecu.UdsService.REQUEST_DOWNLOAD, "t", Ecu.Phase.FLASHING).nrc());
    assertEquals(
        NegativeResponseCode.CONDITIONS_NOT_CORRECT,
        UdsDownload.outOfPhase(Ecu.UdsService.DIAGNOSTIC_SESSION_CONTROL, "t", Ecu.Phase.REBOOTING)
            .nrc());
    for (Ecu.UdsService s :
        new Ecu.UdsService[] {Ecu.UdsService.TRANSFER_DATA, Ecu.UdsService.REQUEST_TRANSFER_EXIT}) {
      Ecu.NegativeResponse nr = UdsDownload.outOfPhase(s, "t", Ecu.Phase.RUNNING);
      assertEquals(NegativeResponseCode.REQUEST_SEQUENCE_ERROR, nr.nrc());
      assertEquals(s, nr.service());
      assertTrue(nr.reason().contains("RUNNING"), nr.reason());
    }
  }

  @Test
  void aPositiveResponseTellsOnlyItsOwnTransferWhereToResume() {
    EcuState.Download d =
        ((UdsDownload.Accepted) take(opened("t"), group("t", 1), ReceivedHash.start("t")))
            .download();
    assertEquals(
        new Ecu.PositiveResponse("t", Ecu.UdsService.REQUEST_DOWNLOAD, 2, GROUP),
        UdsDownload.positive("t", Ecu.UdsService.REQUEST_DOWNLOAD, d));
    assertEquals(
        new Ecu.PositiveResponse("u", Ecu.UdsService.REQUEST_DOWNLOAD, 1, 0),
        UdsDownload.positive("u", Ecu.UdsService.REQUEST_DOWNLOAD, d));
    assertEquals(
        new Ecu.PositiveResponse("u", Ecu.UdsService.DIAGNOSTIC_SESSION_CONTROL, 1, 0),
        UdsDownload.positive("u", Ecu.UdsService.DIAGNOSTIC_SESSION_CONTROL, null));
  }
}
