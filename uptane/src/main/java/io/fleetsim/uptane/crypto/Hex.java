package io.fleetsim.uptane.crypto;

/** Lower-case hex, the form TUF uses for key values, key ids, signatures and hashes. */
public final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  public static String encode(byte[] data) {
    return encode(data, 0, data.length);
  }

  public static String encode(byte[] data, int off, int len) {
    char[] out = new char[len * 2];
    for (int i = 0; i < len; i++) {
      int b = data[off + i] & 0xff;
      out[2 * i] = DIGITS[b >>> 4];
      out[2 * i + 1] = DIGITS[b & 0x0f];
    }
    return new String(out);
  }

  /** Decodes lower- or upper-case hex; throws IllegalArgumentException on anything else. */
  public static byte[] decode(String hex) {
    if (hex == null || (hex.length() & 1) != 0) {
      throw new IllegalArgumentException("hex string of odd length");
    }
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(hex.charAt(2 * i), 16);
      int lo = Character.digit(hex.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("not a hex digit near position " + 2 * i);
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }

  /** Whether the string is lower-case hex of exactly the given number of bytes. */
  public static boolean isLowerHex(String s, int bytes) {
    if (s.length() != bytes * 2) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
