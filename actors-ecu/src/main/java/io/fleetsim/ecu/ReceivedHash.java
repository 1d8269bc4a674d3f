package io.fleetsim.ecu;

import io.fleetsim.uptane.crypto.Hashing;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The SHA-256 over the bytes of the open download received so far, kept in the {@link Ecu}'s memory
 * and fed block by block, as a bootloader hashes what it writes. It is not journaled: the journal
 * keeps how far the download came, and after a restart the hash of those bytes is gone (as in an
 * ECU whose RAM is lost), so the download starts again from its first block ({@link
 * UdsDownload#reopen}). The JDK's SHA-256 is used because it runs on the CPU's SHA instructions.
 */
final class ReceivedHash {

  private static final HexFormat HEX = HexFormat.of();

  private final String transferId;
  private final MessageDigest digest = Hashing.newSha256();
  private long bytes;

  private ReceivedHash(String transferId) {
    this.transferId = transferId;
  }

  /** A fresh hash for the download {@code transferId}, no byte received yet. */
  static ReceivedHash start(String transferId) {
    return new ReceivedHash(transferId);
  }

  /** Whether this is the hash over exactly the bytes {@code d} says were received. */
  static boolean covers(ReceivedHash h, EcuState.Download d) {
    return h != null
        && d != null
        && h.transferId.equals(d.transferId())
        && h.bytes == d.bytesReceived();
  }

  void update(byte[] data) {
    digest.update(data, 0, data.length);
    bytes += data.length;
  }

  /** The hash so far, as lower-case hex; the running hash goes on unchanged. */
  String hex() {
    try {
      return HEX.formatHex(((MessageDigest) digest.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
    }
  }
}
