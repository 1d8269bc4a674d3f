package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What timestamp says about snapshot and snapshot about targets: the version, and optionally the
 * length and hashes of the file so a client can check the bytes before parsing them.
 */
public record MetaFile(int version, OptionalLong length, Map<String, String> hashes) {
  public MetaFile {
    hashes = Map.copyOf(hashes);
  }

  public static MetaFile of(int version) {
    return new MetaFile(version, OptionalLong.empty(), Map.of());
  }

  public static MetaFile describing(int version, byte[] fileBytes) {
    return new MetaFile(
        version,
        OptionalLong.of(fileBytes.length),
        Map.of("sha256", io.fleetsim.uptane.crypto.Hashing.sha256Hex(fileBytes)));
  }

  public Json.Obj toJson() {
    Map<String, Json> m = new LinkedHashMap<>();
    m.put("version", Json.num(version));
    length.ifPresent(l -> m.put("length", Json.num(l)));
    if (!hashes.isEmpty()) {
      Map<String, Json> h = new LinkedHashMap<>();
      hashes.forEach((k, v) -> h.put(k, Json.str(v)));
      m.put("hashes", Json.obj(h));
    }
    return Json.obj(m);
  }

  public static MetaFile fromJson(Json v, String where) throws VerificationException {
    Json.Obj o = JsonFields.asObj(v, where);
    int version = JsonFields.version(o, "version", where);
    OptionalLong length =
        o.has("length")
            ? OptionalLong.of(JsonFields.nonNegative(o, "length", where))
            : OptionalLong.empty();
    Map<String, String> hashes = o.has("hashes") ? TargetFile.readHashes(o, where) : Map.of();
    return new MetaFile(version, length, hashes);
  }
}
