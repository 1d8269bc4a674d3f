package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import java.time.Instant;
import java.util.Map;

/** Timestamp: short-lived, names the current snapshot so a client notices freezes quickly. */
public record TimestampMetadata(int version, Instant expires, MetaFile snapshot)
    implements RoleMetadata {
  @Override
  public Role role() {
    return Role.TIMESTAMP;
  }

  @Override
  public Json.Obj toJson() {
    Map<String, Json> m = RoleMetadata.header(Role.TIMESTAMP, version, expires);
    m.put("meta", Json.obj("snapshot.json", snapshot.toJson()));
    return Json.obj(m);
  }

  public static TimestampMetadata fromJson(Json.Obj o) throws VerificationException {
    String where = RoleMetadata.checkHeader(o, Role.TIMESTAMP);
    int version = JsonFields.version(o, "version", where);
    Instant expires = JsonFields.time(o, "expires", where);
    Json.Obj meta = JsonFields.obj(o, "meta", where);
    if (meta.fields().size() != 1) {
      throw JsonFields.malformed(where + ".meta", "must describe exactly snapshot.json");
    }
    MetaFile snap =
        MetaFile.fromJson(
            JsonFields.require(meta, "snapshot.json", where + ".meta"),
            where + ".meta.snapshot.json");
    return new TimestampMetadata(version, expires, snap);
  }

  public static Signed<TimestampMetadata> parse(byte[] bytes) throws VerificationException {
    return Signed.parse(bytes, TimestampMetadata.class);
  }
}
