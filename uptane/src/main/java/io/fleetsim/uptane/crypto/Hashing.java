package io.fleetsim.uptane.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash algorithms TUF metadata names ({@code sha256}, {@code sha384}, {@code sha512}) as lower
 * case hex. SHA-256 is what fleetsim writes; the others are checked when other tools list them.
 */
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

  /** The algorithms a client can check, in the names TUF uses. */
  public static final java.util.List<String> SUPPORTED =
      java.util.List.of("sha256", "sha384", "sha512");

  public static boolean supported(String algorithm) {
    return SUPPORTED.contains(algorithm);
  }

  /** A fresh digest for a {@link #SUPPORTED} algorithm name. */
  public static MessageDigest newDigest(String algorithm) {
    if (algorithm.equals("sha256")) {
      return newSha256();
    }
    if (!supported(algorithm)) {
      throw new IllegalArgumentException("unsupported hash algorithm " + algorithm);
    }
    try {
      return MessageDigest.getInstance(algorithm.equals("sha384") ? "SHA-384" : "SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-384 and SHA-512", e);
    }
  }

  public static String hex(String algorithm, byte[] data) {
    return Hex.encode(newDigest(algorithm).digest(data));
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
