package io.fleetsim.ecu;

import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.uptane.manifest.InstallResult;
import io.fleetsim.uptane.manifest.UpdateOutcome;

/**
 * The parts of an {@link Ecu}'s state beside its phase and banks: the download it has open and how
 * its last install ended. (The state itself, {@link Ecu.State}, stays in the entity: it is the
 * snapshot's type.)
 */
public final class EcuState {

  private EcuState() {}

  /**
   * An open download: the assignment and image the director vouched for, and how far the bytes have
   * come (their hash is in memory only, {@link ReceivedHash}).
   */
  public record Download(
      String transferId,
      String assignmentId,
      Bank image,
      int nextBlockSequenceCounter,
      long bytesReceived,
      String campaignId)
      implements CborSerializable {

    Download received(int next, long bytes) {
      return new Download(transferId, assignmentId, image, next, bytes, campaignId);
    }

    /** The same download from its first block again. */
    Download restarted() {
      return received(1, 0);
    }
  }

  /**
   * How the last install ended, for the bus and for the version report, tied to the assignment the
   * director signed into its targets.
   *
   * @param version the image running afterwards, {@code null} when the install did not get to boot
   */
  public record LastInstall(
      String transferId, String assignmentId, UpdateOutcome outcome, String reason, String version)
      implements CborSerializable {

    /** What the signed version report carries of it. */
    public InstallResult result() {
      return new InstallResult(assignmentId, outcome, reason);
    }
  }
}
