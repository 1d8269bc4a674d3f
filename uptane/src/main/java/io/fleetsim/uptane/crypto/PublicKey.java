package io.fleetsim.uptane.crypto;

import io.fleetsim.uptane.json.Json;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** An Ed25519 public key: 32 raw bytes, compared by content. */
public record PublicKey(byte[] raw) implements VerifyingKey {
  public static final int LENGTH = 32;

  public PublicKey {
    if (raw == null || raw.length != LENGTH) {
      throw new IllegalArgumentException(
          "an Ed25519 public key has " + LENGTH + " bytes, got " + (raw == null ? 0 : raw.length));
    }
    raw = raw.clone();
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  @Override
  public String keyType() {
    return "ed25519";
  }

  @Override
  public String scheme() {
    return "ed25519";
  }

  public String hex() {
    return Hex.encode(raw);
  }

  public static PublicKey fromHex(String hex) {
    return new PublicKey(Hex.decode(hex));
  }

  /** {@code {"keytype":"ed25519","keyval":{"public":HEX},"scheme":"ed25519"}} */
  @Override
  public Json.Obj toJson() {
    return Json.obj(
        "keytype", Json.str("ed25519"),
        "scheme", Json.str("ed25519"),
        "keyval", Json.obj("public", Json.str(hex())));
  }

  /** TUF key id: hex SHA-256 of the canonical JSON of the key object. */
  public String keyId() {
    // Same bytes as CanonicalJson.write(toJson()), without building the tree: key ids are
    // computed for every key of every root parsed.
    byte[] json =
        (KEY_PREFIX + hex() + KEY_SUFFIX).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return Hashing.sha256Hex(json);
  }

  private static final String KEY_PREFIX = "{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"";
  private static final String KEY_SUFFIX = "\"},\"scheme\":\"ed25519\"}";

  /**
   * False for a wrong signature, a signature of the wrong length or a key off the curve. A
   * signature this JVM already found valid over the same bytes is not checked again ({@link
   * VerifiedSignatures}).
   */
  @Override
  public boolean verify(byte[] message, byte[] signature) {
    if (message == null || signature == null || signature.length != 64) {
      CryptoOps.verified();
      return false;
    }
    Object entry = VerifiedSignatures.entry(raw, message, signature);
    if (VerifiedSignatures.known(entry)) {
      CryptoOps.recalledOne();
      return true;
    }
    CryptoOps.verified();
    boolean valid;
    try {
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, Points.of(raw));
      verifier.update(message, 0, message.length);
      valid = verifier.verifySignature(signature);
    } catch (RuntimeException e) {
      valid = false;
    }
    if (valid) {
      VerifiedSignatures.remember(entry);
    }
    return valid;
  }

  /**
   * Decoded curve points of the keys verified last. Decoding a key (a square root in the field) is
   * a sizeable part of a verification, and the same keys (repository roles, vehicles, ECUs) verify
   * again and again; bounded, cleared when full. The raw bytes are a record component and never
   * change, so they can key the map.
   */
  private static final class Points {
    private static final int CAPACITY = 65_536;
    private static final ConcurrentHashMap<ByteBuffer, Ed25519PublicKeyParameters> DECODED =
        new ConcurrentHashMap<>();

    /** Throws, as Bouncy Castle does, for bytes that are not a point on the curve. */
    static Ed25519PublicKeyParameters of(byte[] raw) {
      ByteBuffer key = ByteBuffer.wrap(raw);
      Ed25519PublicKeyParameters known = DECODED.get(key);
      if (known != null) {
        return known;
      }
      Ed25519PublicKeyParameters decoded = new Ed25519PublicKeyParameters(raw, 0);
      if (DECODED.size() >= CAPACITY) {
        DECODED.clear();
      }
      DECODED.put(key, decoded);
      return decoded;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublicKey other && Arrays.equals(raw, other.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "PublicKey[" + hex() + "]";
  }
}
