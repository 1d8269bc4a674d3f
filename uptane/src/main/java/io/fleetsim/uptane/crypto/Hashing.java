package io.fleetsim.uptane.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 as TUF writes it: lower-case hex. */
public final class Hashing {
  private Hashing() {}

  private static final MessageDigest PROTOTYPE = lookup();

  private static MessageDigest lookup() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }

  public static MessageDigest newSha256() {
    try {
      return (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return lookup();
    }
  }

  public static String sha256Hex(byte[] data) {
    return sha256Hex(data, 0, data.length);
  }

  public static String sha256Hex(byte[] data, int off, int len) {
    MessageDigest md = newSha256();
    md.update(data, off, len);
    return Hex.encode(md.digest());
  }

  public static byte[] sha256(byte[] data) {
    return newSha256().digest(data);
  }
}
