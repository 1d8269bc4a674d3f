package io.fleetsim.ecu;

import io.fleetsim.uptane.VerificationException;
import java.time.Instant;

/**
 * The checks of the UDS download session (ISO 14229-1 RequestDownload, TransferData,
 * RequestTransferExit): each turns a request and the open download into the next download, a
 * repeated acknowledgement, or a negative response. Pure: the {@link Ecu} persists and replies.
 */
final class UdsDownload {

  private UdsDownload() {}

  /** What a check decided. */
  sealed interface Check {}

  /** Accepted: the download as it stands after this request (unchanged for a verified exit). */
  record Accepted(EcuState.Download download) implements Check {}

  /**
   * A request already carried out (a repeated block or exit): acknowledged again, nothing changes.
   */
  record Repeated() implements Check {}

  /**
   * Refused with {@code response}; {@code endsDownload} when the download cannot go on (the
   * received bytes are not the director's image), otherwise the sender may correct itself.
   */
  record Refused(Ecu.NegativeResponse response, boolean endsDownload) implements Check {
    String reason() {
      return response.reason();
    }
  }

  /**
   * RequestDownload in the programming session: the director targets pass partial verification for
   * this ECU and carry an assignment id, and the announced length is the signed one.
   */
  static Check start(EcuProfile profile, Bank running, Ecu.RequestDownload cmd, Instant now) {
    EcuCrypto.DirectedImage image;
    try {
      image =
          EcuCrypto.verifyDirectorTargets(
              cmd.directorTargets(),
              profile.directorTargetsKeys(),
              profile.directorThreshold(),
              profile.ecuSerial(),
              profile.hardwareId(),
              running.releaseCounter(),
              now);
    } catch (VerificationException | RuntimeException e) {
      return refused(
          cmd.transferId(),
          Ecu.UdsService.REQUEST_DOWNLOAD,
          NegativeResponseCode.UPLOAD_DOWNLOAD_NOT_ACCEPTED,
          "director targets rejected: " + e.getMessage());
    }
    if (image.length() != cmd.length()) {
      return refused(
          cmd.transferId(),
          Ecu.UdsService.REQUEST_DOWNLOAD,
          NegativeResponseCode.REQUEST_OUT_OF_RANGE,
          "announced length " + cmd.length() + " differs from the director's " + image.length());
    }
    return new Accepted(
        new EcuState.Download(
            cmd.transferId(), image.assignmentId(), image.bank(), 1, 0, image.campaignId()));
  }

  /**
   * RequestDownload while a download is open: the same transfer learns where to resume (its sender
   * lost track), or, when the ECU itself restarted and lost the hash of the bytes received so far,
   * starts again from the first block; another transfer must wait until this one is closed.
   */
  static Check reopen(EcuState.Download open, Ecu.RequestDownload cmd, ReceivedHash hash) {
    if (open.transferId().equals(cmd.transferId())) {
      return ReceivedHash.covers(hash, open) ? new Repeated() : new Accepted(open.restarted());
    }
    return refused(
        cmd.transferId(),
        Ecu.UdsService.REQUEST_DOWNLOAD,
        NegativeResponseCode.CONDITIONS_NOT_CORRECT,
        "download " + open.transferId() + " is still open");
  }

  /** TransferData: the next group in sequence, within the announced length, hashed as it comes. */
  static Check receive(EcuState.Download d, Ecu.TransferData cmd, ReceivedHash hash) {
    Ecu.UdsService service = Ecu.UdsService.TRANSFER_DATA;
    if (!d.transferId().equals(cmd.transferId())) {
      return refused(
          cmd.transferId(),
          service,
          NegativeResponseCode.REQUEST_SEQUENCE_ERROR,
          "no download open for this transfer (open: " + d.transferId() + ")");
    }
    int expected = d.nextBlockSequenceCounter();
    if (cmd.blockSequenceCounter() == expected - 1 && cmd.blockSequenceCounter() > 0) {
      // ISO 14229: a repeated block is acknowledged again without being written twice
      return new Repeated();
    }
    if (cmd.blockSequenceCounter() != expected) {
      return refused(
          cmd.transferId(),
          service,
          NegativeResponseCode.WRONG_BLOCK_SEQUENCE_COUNTER,
          "expected block " + expected + ", got " + cmd.blockSequenceCounter());
    }
    if (cmd.data() == null || cmd.data().length == 0) {
      return refused(
          cmd.transferId(), service, NegativeResponseCode.INCORRECT_MESSAGE_LENGTH, "empty block");
    }
    if (d.bytesReceived() + cmd.data().length > d.image().length()) {
      return refused(
          cmd.transferId(),
          service,
          NegativeResponseCode.TRANSFER_DATA_SUSPENDED,
          "block "
              + cmd.blockSequenceCounter()
              + " goes beyond the announced length "
              + d.image().length());
    }
    if (!ReceivedHash.covers(hash, d)) {
      return hashLost(cmd.transferId(), service);
    }
    return new Accepted(
        d.received(cmd.blockSequenceCounter() + 1, d.bytesReceived() + cmd.data().length));
  }

  /**
   * RequestTransferExit: every announced byte arrived and their SHA-256 is the director's. A wrong
   * hash ends the download: those bytes are not the image the director vouched for.
   */
  static Check exit(EcuState.Download d, Ecu.RequestTransferExit cmd, ReceivedHash hash) {
    Ecu.UdsService service = Ecu.UdsService.REQUEST_TRANSFER_EXIT;
    if (!d.transferId().equals(cmd.transferId())) {
      return refused(
          cmd.transferId(),
          service,
          NegativeResponseCode.REQUEST_SEQUENCE_ERROR,
          "no download open for this transfer (open: " + d.transferId() + ")");
    }
    if (d.bytesReceived() < d.image().length()) {
      return refused(
          cmd.transferId(),
          service,
          NegativeResponseCode.REQUEST_SEQUENCE_ERROR,
          d.bytesReceived() + " of " + d.image().length() + " bytes received");
    }
    if (!ReceivedHash.covers(hash, d)) {
      return hashLost(cmd.transferId(), service);
    }
    String actual = hash.hex();
    if (!actual.equals(d.image().sha256())) {
      return new Refused(
          new Ecu.NegativeResponse(
              cmd.transferId(),
              service,
              NegativeResponseCode.GENERAL_PROGRAMMING_FAILURE,
              "image hash " + actual + " does not match the director's " + d.image().sha256()),
          true);
    }
    return new Accepted(d);
  }

  /**
   * RequestTransferExit once the image was accepted (flashing or rebooting): the same transfer's
   * exit is acknowledged again, any other is out of sequence.
   */
  static Check repeatedExit(EcuState.Download d, Ecu.RequestTransferExit cmd, Ecu.Phase phase) {
    if (d != null && d.transferId().equals(cmd.transferId())) {
      return new Repeated();
    }
    return new Refused(
        outOfPhase(Ecu.UdsService.REQUEST_TRANSFER_EXIT, cmd.transferId(), phase), false);
  }

  /** A UDS request the ECU's phase has no handler for. */
  static Ecu.NegativeResponse outOfPhase(
      Ecu.UdsService service, String transferId, Ecu.Phase phase) {
    return switch (service) {
      case DIAGNOSTIC_SESSION_CONTROL, REQUEST_DOWNLOAD ->
          new Ecu.NegativeResponse(
              transferId,
              service,
              service == Ecu.UdsService.REQUEST_DOWNLOAD && phase == Ecu.Phase.RUNNING
                  ? NegativeResponseCode.SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION
                  : NegativeResponseCode.CONDITIONS_NOT_CORRECT,
              "ECU is " + phase);
      case TRANSFER_DATA, REQUEST_TRANSFER_EXIT ->
          new Ecu.NegativeResponse(
              transferId,
              service,
              NegativeResponseCode.REQUEST_SEQUENCE_ERROR,
              "no download open (ECU is " + phase + ")");
    };
  }

  /**
   * The positive response to {@code service}: where the sender stands in {@code open} if it is this
   * transfer's download, the start otherwise.
   */
  static Ecu.PositiveResponse positive(
      String transferId, Ecu.UdsService service, EcuState.Download open) {
    boolean same = open != null && open.transferId().equals(transferId);
    return new Ecu.PositiveResponse(
        transferId,
        service,
        same ? open.nextBlockSequenceCounter() : 1,
        same ? open.bytesReceived() : 0);
  }

  /** The ECU restarted since the bytes so far arrived; their hash is gone with its memory. */
  private static Refused hashLost(String transferId, Ecu.UdsService service) {
    return refused(
        transferId,
        service,
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR,
        "the ECU restarted during the download; request the download again");
  }

  private static Refused refused(
      String transferId, Ecu.UdsService service, NegativeResponseCode nrc, String reason) {
    return new Refused(new Ecu.NegativeResponse(transferId, service, nrc, reason), false);
  }
}
