package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.json.Json;

/** One entry of an envelope's {@code signatures}: key id and hex signature. */
public record Signature(String keyId, String sig) {
  public Json.Obj toJson() {
    return Json.obj("keyid", Json.str(keyId), "sig", Json.str(sig));
  }
}
