package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Snapshot: the version (and size and hash) of every targets file, so they cannot be mixed. */
public record SnapshotMetadata(int version, Instant expires, Map<String, MetaFile> meta)
    implements RoleMetadata {
  public SnapshotMetadata {
    TreeMap<String, MetaFile> sorted = new TreeMap<>(CanonicalJson.KEY_ORDER);
    sorted.putAll(meta);
    meta = Collections.unmodifiableMap(sorted);
  }

  @Override
  public Role role() {
    return Role.SNAPSHOT;
  }

  @Override
  public Json.Obj toJson() {
    Map<String, Json> m = RoleMetadata.header(Role.SNAPSHOT, version, expires);
    Map<String, Json> files = new LinkedHashMap<>();
    meta.forEach((name, mf) -> files.put(name, mf.toJson()));
    m.put("meta", Json.obj(files));
    return Json.obj(m);
  }

  public static SnapshotMetadata fromJson(Json.Obj o) throws VerificationException {
    String where = RoleMetadata.checkHeader(o, Role.SNAPSHOT);
    int version = JsonFields.version(o, "version", where);
    Instant expires = JsonFields.time(o, "expires", where);
    Map<String, MetaFile> meta = new LinkedHashMap<>();
    for (Map.Entry<String, Json> e : JsonFields.obj(o, "meta", where).fields().entrySet()) {
      meta.put(e.getKey(), MetaFile.fromJson(e.getValue(), where + ".meta." + e.getKey()));
    }
    return new SnapshotMetadata(version, expires, meta);
  }

  public static Signed<SnapshotMetadata> parse(byte[] bytes) throws VerificationException {
    return Signed.parse(bytes, SnapshotMetadata.class);
  }
}
