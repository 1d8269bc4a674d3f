package io.fleetsim.uptane;

import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metadata written member by member, the way another TUF implementation may write it, for cases
 * fleetsim's own signer never produces (extra key fields, odd thresholds, duplicated signatures).
 */
public final class HandMade {
  private HandMade() {}

  /** Something that signs canonical bytes under a key id. */
  public interface Signer {
    String keyId();

    String signHex(byte[] message);

    static Signer of(SigningKey key) {
      return of(key.keyId(), key);
    }

    static Signer of(String keyId, SigningKey key) {
      return new Signer() {
        @Override
        public String keyId() {
          return keyId;
        }

        @Override
        public String signHex(byte[] message) {
          return Hex.encode(key.sign(message));
        }
      };
    }
  }

  /** A copy of {@code o} with {@code key} set to {@code value} (removed when null). */
  public static Json.Obj with(Json.Obj o, String key, Json value) {
    Map<String, Json> m = new LinkedHashMap<>(o.fields());
    if (value == null) {
      m.remove(key);
    } else {
      m.put(key, value);
    }
    return Json.obj(m);
  }

  /** The TUF key id of a key object exactly as written. */
  public static String keyId(Json.Obj key) {
    return Hashing.sha256Hex(CanonicalJson.write(key));
  }

  public static Json.Arr strings(List<String> s) {
    return Json.arr(s.stream().map(Json::str).toList());
  }

  /** The envelope over {@code signed}, one signature per signer, in canonical JSON. */
  public static byte[] envelope(Json.Obj signed, List<Signer> signers) {
    byte[] canonical = CanonicalJson.write(signed);
    List<Json> sigs = new ArrayList<>();
    for (Signer s : signers) {
      sigs.add(Json.obj("keyid", Json.str(s.keyId()), "sig", Json.str(s.signHex(canonical))));
    }
    return CanonicalJson.write(Json.obj("signatures", Json.arr(sigs), "signed", signed));
  }
}
