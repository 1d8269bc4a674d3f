package io.fleetsim.uptane.crypto;

import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 private key. Generated from a caller's {@link Random} so a simulation seeded the same
 * way builds the same keys; pass a {@link java.security.SecureRandom} for real keys.
 */
public final class SigningKey {
  public static final int SEED_LENGTH = 32;

  private final Ed25519PrivateKeyParameters params;

  /** Derived on first use: a scalar multiplication, not needed to keep or hand on a seed. */
  private volatile PublicKey publicKey;

  private SigningKey(byte[] seed) {
    if (seed == null || seed.length != SEED_LENGTH) {
      throw new IllegalArgumentException("an Ed25519 seed has " + SEED_LENGTH + " bytes");
    }
    this.params = new Ed25519PrivateKeyParameters(seed, 0);
  }

  public static SigningKey generate(Random rng) {
    byte[] seed = new byte[SEED_LENGTH];
    rng.nextBytes(seed);
    return new SigningKey(seed);
  }

  public static SigningKey fromSeed(byte[] seed32) {
    return new SigningKey(seed32);
  }

  /**
   * The key of a hex seed. Entities keep their key as its seed in their journal and sign with it
   * again and again; the keys parsed last are kept (bounded: the keys of a 10,000-vehicle fleet's
   * vehicles and ECUs fit) so that the public key, a scalar multiplication, is derived once per key
   * and not once per signature.
   */
  public static SigningKey fromHex(String seedHex) {
    SigningKey known = PARSED.get(seedHex);
    if (known != null) {
      return known;
    }
    SigningKey k = new SigningKey(Hex.decode(seedHex));
    if (PARSED.size() >= PARSED_CAPACITY) {
      PARSED.clear();
    }
    PARSED.put(seedHex, k);
    return k;
  }

  private static final int PARSED_CAPACITY = 65_536;
  private static final ConcurrentHashMap<String, SigningKey> PARSED = new ConcurrentHashMap<>();

  public byte[] seed() {
    return params.getEncoded();
  }

  public PublicKey publicKey() {
    PublicKey k = publicKey;
    if (k == null) {
      k = new PublicKey(params.generatePublicKey().getEncoded());
      publicKey = k;
    }
    return k;
  }

  /** Derived once: every signature's envelope names it. */
  private volatile String keyId;

  public String keyId() {
    String id = keyId;
    if (id == null) {
      id = publicKey().keyId();
      keyId = id;
    }
    return id;
  }

  public byte[] sign(byte[] message) {
    CryptoOps.signed();
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, params);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  @Override
  public String toString() {
    return "SigningKey[" + publicKey().hex() + "]";
  }
}
