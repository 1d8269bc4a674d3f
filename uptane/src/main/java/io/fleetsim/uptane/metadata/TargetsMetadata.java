package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Targets (top-level or delegated): what may be installed, by path, length and hashes, and the
 * roles it delegates to ({@code null} when it delegates nothing).
 */
public record TargetsMetadata(
    int version, Instant expires, Map<String, TargetFile> targets, Delegations delegations)
    implements RoleMetadata {
  public TargetsMetadata(int version, Instant expires, Map<String, TargetFile> targets) {
    this(version, expires, targets, null);
  }

  public TargetsMetadata {
    TreeMap<String, TargetFile> sorted = new TreeMap<>(CanonicalJson.KEY_ORDER);
    for (Map.Entry<String, TargetFile> e : targets.entrySet()) {
      if (!e.getKey().equals(e.getValue().name())) {
        throw new IllegalArgumentException("target key and name differ: " + e.getKey());
      }
      sorted.put(e.getKey(), e.getValue());
    }
    targets = Collections.unmodifiableMap(sorted);
  }

  @Override
  public Role role() {
    return Role.TARGETS;
  }

  @Override
  public Json.Obj toJson() {
    Map<String, Json> m = RoleMetadata.header(Role.TARGETS, version, expires);
    Map<String, Json> t = new LinkedHashMap<>();
    targets.forEach((name, tf) -> t.put(name, tf.toJson()));
    m.put("targets", Json.obj(t));
    if (delegations != null) {
      m.put("delegations", delegations.toJson());
    }
    return Json.obj(m);
  }

  public static TargetsMetadata fromJson(Json.Obj o) throws VerificationException {
    String where = RoleMetadata.checkHeader(o, Role.TARGETS);
    int version = JsonFields.version(o, "version", where);
    Instant expires = JsonFields.time(o, "expires", where);
    Map<String, TargetFile> targets = new LinkedHashMap<>();
    for (Map.Entry<String, Json> e : JsonFields.obj(o, "targets", where).fields().entrySet()) {
      targets.put(
          e.getKey(),
          TargetFile.fromJson(e.getKey(), e.getValue(), where + ".targets." + e.getKey()));
    }
    Delegations delegations =
        o.has("delegations")
            ? Delegations.fromJson(o.get("delegations"), where + ".delegations")
            : null;
    return new TargetsMetadata(version, expires, targets, delegations);
  }

  public Optional<Delegations> delegationsIfAny() {
    return Optional.ofNullable(delegations);
  }

  public static Signed<TargetsMetadata> parse(byte[] bytes) throws VerificationException {
    return Signed.parse(bytes, TargetsMetadata.class);
  }
}
