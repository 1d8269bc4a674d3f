package io.fleetsim.vehicle;

import io.sigpipe.jbsdiff.Patch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Rebuilds an image from the image an ECU runs and a bsdiff delta to the new one. */
final class Delta {

  private static final byte[] MAGIC = "BSDIFF40".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = 32;

  private Delta() {}

  /**
   * Applies {@code delta} to {@code base}, expecting {@code expectedLength} bytes (the signed
   * target's length). A delta announcing another length is not applied at all, so a hostile delta
   * cannot make the vehicle allocate what it likes; one that does not apply yields no bytes. Either
   * way the result is then checked against the signed length and hash like any download.
   */
  static byte[] apply(byte[] base, byte[] delta, long expectedLength) {
    if (outputLength(delta) != expectedLength) {
      return new byte[0];
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) expectedLength);
    try {
      Patch.patch(base, delta, out);
      return out.toByteArray();
    } catch (Exception e) {
      return new byte[0];
    }
  }

  /** The new file's length from a BSDIFF40 header (bsdiff's sign-magnitude "offtin"), or -1. */
  static long outputLength(byte[] delta) {
    if (delta == null
        || delta.length < HEADER
        || !Arrays.equals(Arrays.copyOf(delta, MAGIC.length), MAGIC)) {
      return -1;
    }
    long y = delta[31] & 0x7F;
    for (int i = 30; i >= 24; i--) {
      y = (y << 8) | (delta[i] & 0xFF);
    }
    return (delta[31] & 0x80) != 0 ? -y : y;
  }
}
