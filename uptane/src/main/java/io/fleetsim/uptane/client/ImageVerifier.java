package io.fleetsim.uptane.client;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.metadata.TargetFile;
import java.security.MessageDigest;

/** Checks image bytes against the length and sha256 a verified target promises. */
public final class ImageVerifier {
  private ImageVerifier() {}

  public static void verify(TargetFile t, byte[] image) throws VerificationException {
    if (image == null) {
      throw new VerificationException(Attack.ARBITRARY_SOFTWARE, "no image for " + t.name());
    }
    verify(t, image.length, Hashing.sha256Hex(image));
  }

  /** For callers that measured length and sha256 themselves (e.g. while receiving blocks). */
  public static void verify(TargetFile t, long length, String sha256Hex)
      throws VerificationException {
    if (length != t.length()) {
      throw new VerificationException(
          Attack.ARBITRARY_SOFTWARE,
          "image " + t.name() + " is " + length + " bytes, target says " + t.length());
    }
    if (!t.sha256().equals(sha256Hex)) {
      throw new VerificationException(
          Attack.ARBITRARY_SOFTWARE,
          "image " + t.name() + " sha256 " + sha256Hex + " differs from target's " + t.sha256());
    }
  }

  public static Streaming streaming(TargetFile t) {
    return new Streaming(t);
  }

  /**
   * Incremental check: refuses as soon as more bytes arrive than the target's length (before
   * hashing them), and checks length and hash at the end.
   */
  public static final class Streaming {
    private final TargetFile target;
    private final MessageDigest digest = Hashing.newSha256();
    private long received;

    private Streaming(TargetFile target) {
      this.target = target;
    }

    public void update(byte[] chunk, int off, int len) throws VerificationException {
      if (received + len > target.length()) {
        throw new VerificationException(
            Attack.ENDLESS_DATA,
            "image " + target.name() + " exceeds its " + target.length() + " bytes");
      }
      digest.update(chunk, off, len);
      received += len;
    }

    public void update(byte[] chunk) throws VerificationException {
      update(chunk, 0, chunk.length);
    }

    public long received() {
      return received;
    }

    public void finish() throws VerificationException {
      verify(target, received, Hex.encode(digest.digest()));
    }
  }
}
