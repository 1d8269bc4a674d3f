package io.fleetsim.uptane.crypto;

import io.fleetsim.uptane.json.Json;

/**
 * A public key as TUF metadata lists it ({@code keytype}, {@code scheme}, {@code keyval}): what a
 * client checks signatures with. Ed25519 ({@link PublicKey}), ECDSA and RSA-PSS ({@link PemKey})
 * are supported; any other key is kept as an {@link UnsupportedKey} that never verifies, so a root
 * listing it stays usable and the key simply does not count towards a threshold.
 */
public interface VerifyingKey {
  String keyType();

  String scheme();

  /** False for a wrong or malformed signature; never throws for bad input. */
  boolean verify(byte[] message, byte[] signature);

  /** The key object as it appears in metadata. */
  Json.Obj toJson();

  /** Whether this client can check signatures made with this key at all. */
  default boolean supported() {
    return true;
  }
}
