package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code signed} part of one of the four top-level metadata files. */
public sealed interface RoleMetadata
    permits RootMetadata, TargetsMetadata, SnapshotMetadata, TimestampMetadata {
  String SPEC_VERSION = "1.0.31";

  Role role();

  int version();

  Instant expires();

  /** The {@code signed} object as it is signed. */
  Json.Obj toJson();

  /** TUF counts metadata as expired from its expiry instant on. */
  default boolean isExpired(Instant now) {
    return !now.isBefore(expires());
  }

  default void checkNotExpired(Instant now) throws VerificationException {
    if (isExpired(now)) {
      throw new VerificationException(
          Attack.FREEZE,
          role().type()
              + " v"
              + version()
              + " expired at "
              + JsonFields.formatTime(expires())
              + ", now is "
              + JsonFields.formatTime(now));
    }
  }

  /** The members every role has, followed by the role's own. */
  static Map<String, Json> header(Role role, int version, Instant expires) {
    Map<String, Json> m = new LinkedHashMap<>();
    m.put("_type", Json.str(role.type()));
    m.put("spec_version", Json.str(SPEC_VERSION));
    m.put("version", Json.num(version));
    m.put("expires", Json.str(JsonFields.formatTime(expires)));
    return m;
  }

  /** Checks {@code _type} and {@code spec_version}; returns where-prefix for messages. */
  static String checkHeader(Json.Obj o, Role expected) throws VerificationException {
    String where = expected.type();
    String type = JsonFields.str(o, "_type", where);
    if (!type.equals(expected.type())) {
      throw JsonFields.malformed(
          where, "expected _type \"" + expected.type() + "\", got \"" + type + "\"");
    }
    String spec = JsonFields.str(o, "spec_version", where);
    if (!spec.startsWith("1.")) {
      throw JsonFields.malformed(where, "unsupported spec_version \"" + spec + "\"");
    }
    return where;
  }
}
