package io.fleetsim.uptane.client;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.metadata.TargetFile;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks image bytes against the length and every hash a verified target promises that this client
 * supports (sha256, sha384, sha512); a target listing none of those is refused.
 */
public final class ImageVerifier {
  private ImageVerifier() {}

  public static void verify(TargetFile t, byte[] image) throws VerificationException {
    if (image == null) {
      throw new VerificationException(Attack.ARBITRARY_SOFTWARE, "no image for " + t.name());
    }
    Streaming s = streaming(t);
    // More bytes than the target states is an endless-data attack, refused before hashing them.
    s.update(image);
    s.finish();
  }

  /**
   * For callers that measured length and sha256 themselves (e.g. while receiving blocks). A target
   * without a sha256 cannot be checked this way and is refused; use {@link #streaming}.
   */
  public static void verify(TargetFile t, long length, String sha256Hex)
      throws VerificationException {
    checkLength(t, length);
    if (t.sha256() == null) {
      throw new VerificationException(
          Attack.ARBITRARY_SOFTWARE,
          "target " + t.name() + " lists no sha256 to compare a measured sha256 with");
    }
    checkHash(t, "sha256", sha256Hex);
  }

  private static void checkLength(TargetFile t, long length) throws VerificationException {
    if (length != t.length()) {
      throw new VerificationException(
          Attack.ARBITRARY_SOFTWARE,
          "image " + t.name() + " is " + length + " bytes, target says " + t.length());
    }
  }

  private static void checkHash(TargetFile t, String alg, String actual)
      throws VerificationException {
    String expected = t.hashes().get(alg);
    if (!expected.equals(actual)) {
      throw new VerificationException(
          Attack.ARBITRARY_SOFTWARE,
          "image " + t.name() + " " + alg + " " + actual + " differs from target's " + expected);
    }
  }

  public static Streaming streaming(TargetFile t) {
    return new Streaming(t);
  }

  /**
   * Incremental check: refuses as soon as more bytes arrive than the target's length (before
   * hashing them), and checks length and hashes at the end.
   */
  public static final class Streaming {
    private final TargetFile target;
    private final Map<String, MessageDigest> digests = new LinkedHashMap<>();
    private VerificationException unsupported;
    private long received;

    private Streaming(TargetFile target) {
      this.target = target;
      try {
        for (String alg : target.checkableHashes().keySet()) {
          digests.put(alg, Hashing.newDigest(alg));
        }
      } catch (VerificationException e) {
        // Reported by finish(): the bytes can still be received and counted.
        unsupported = e;
      }
    }

    public void update(byte[] chunk, int off, int len) throws VerificationException {
      if (received + len > target.length()) {
        throw new VerificationException(
            Attack.ENDLESS_DATA,
            "image " + target.name() + " exceeds its " + target.length() + " bytes");
      }
      for (MessageDigest d : digests.values()) {
        d.update(chunk, off, len);
      }
      received += len;
    }

    public void update(byte[] chunk) throws VerificationException {
      update(chunk, 0, chunk.length);
    }

    public long received() {
      return received;
    }

    public void finish() throws VerificationException {
      checkLength(target, received);
      if (unsupported != null) {
        throw unsupported;
      }
      for (Map.Entry<String, MessageDigest> e : digests.entrySet()) {
        checkHash(target, e.getKey(), Hex.encode(e.getValue().digest()));
      }
    }
  }
}
