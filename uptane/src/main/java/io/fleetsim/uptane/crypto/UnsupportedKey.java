package io.fleetsim.uptane.crypto;

import io.fleetsim.uptane.json.Json;

/**
 * A key of a type or scheme this client does not implement. The specification lets repositories
 * list such keys; they are kept (so key ids and roots still verify) but can never sign.
 */
public record UnsupportedKey(String keyType, String scheme, Json.Obj toJson)
    implements VerifyingKey {
  @Override
  public boolean verify(byte[] message, byte[] signature) {
    return false;
  }

  @Override
  public boolean supported() {
    return false;
  }
}
