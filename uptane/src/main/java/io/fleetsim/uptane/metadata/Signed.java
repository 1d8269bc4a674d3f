package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import io.fleetsim.uptane.json.JsonParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The envelope {@code {"signatures":[...],"signed":{...}}}. It keeps the canonical bytes of the
 * signed part it was parsed from (or signed), so signatures are checked over exactly those bytes
 * and nothing is serialised twice. Treat {@link #canonicalSigned()} as read-only.
 */
public record Signed<M extends RoleMetadata>(
    M signed, List<Signature> signatures, byte[] canonicalSigned) {
  public Signed {
    signatures = List.copyOf(signatures);
  }

  public static <M extends RoleMetadata> Signed<M> sign(M body, List<SigningKey> keys) {
    byte[] canonical = CanonicalJson.write(body.toJson());
    List<Signature> sigs = new ArrayList<>();
    for (SigningKey k : keys) {
      sigs.add(new Signature(k.keyId(), Hex.encode(k.sign(canonical))));
    }
    return new Signed<>(body, sigs, canonical);
  }

  public Signed<M> withSignatures(List<Signature> newSignatures) {
    return new Signed<>(signed, newSignatures, canonicalSigned);
  }

  public int version() {
    return signed.version();
  }

  private Json signaturesJson() {
    List<Json> s = new ArrayList<>();
    for (Signature sig : signatures) {
      s.add(sig.toJson());
    }
    return Json.arr(s);
  }

  /** Canonical JSON of the whole envelope. */
  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(canonicalSigned.length + 256);
    out.writeBytes("{\"signatures\":".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(CanonicalJson.write(signaturesJson()));
    out.writeBytes(",\"signed\":".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(canonicalSigned);
    out.write('}');
    return out.toByteArray();
  }

  /** Indented JSON of the envelope, for files people read (same signed content). */
  public byte[] toPrettyBytes() {
    return CanonicalJson.pretty(
        Json.obj("signatures", signaturesJson(), "signed", signed.toJson()));
  }

  /** Parses an envelope of the given metadata type, checking the size limit for its role. */
  public static <M extends RoleMetadata> Signed<M> parse(byte[] bytes, Class<M> type)
      throws VerificationException {
    Role expected = roleOf(type);
    return parse(bytes, type, Limits.forRole(expected));
  }

  public static <M extends RoleMetadata> Signed<M> parse(byte[] bytes, Class<M> type, int maxLength)
      throws VerificationException {
    Role expected = roleOf(type);
    JsonParser.Envelope env = JsonParser.parseEnvelope(bytes, maxLength);
    List<Signature> sigs = readSignatures(env.root(), expected.type());
    Json.Obj signed = (Json.Obj) env.signed();
    RoleMetadata body;
    switch (expected) {
      case ROOT:
        body = RootMetadata.fromJson(signed);
        break;
      case TARGETS:
        body = TargetsMetadata.fromJson(signed);
        break;
      case SNAPSHOT:
        body = SnapshotMetadata.fromJson(signed);
        break;
      default:
        body = TimestampMetadata.fromJson(signed);
        break;
    }
    return new Signed<>(type.cast(body), sigs, env.signedCanonical());
  }

  /** Parses any of the four roles, telling them apart by {@code _type}. */
  public static Signed<? extends RoleMetadata> parseAny(byte[] bytes, int maxLength)
      throws VerificationException {
    JsonParser.Envelope env = JsonParser.parseEnvelope(bytes, maxLength);
    String type = JsonFields.str((Json.Obj) env.signed(), "_type", "signed");
    Role role =
        Role.fromType(type)
            .orElseThrow(() -> JsonFields.malformed("signed", "unknown _type \"" + type + "\""));
    return parse(bytes, classOf(role), maxLength);
  }

  public static Class<? extends RoleMetadata> classOf(Role role) {
    switch (role) {
      case ROOT:
        return RootMetadata.class;
      case TARGETS:
        return TargetsMetadata.class;
      case SNAPSHOT:
        return SnapshotMetadata.class;
      default:
        return TimestampMetadata.class;
    }
  }

  static Role roleOf(Class<? extends RoleMetadata> type) {
    if (type == RootMetadata.class) {
      return Role.ROOT;
    }
    if (type == TargetsMetadata.class) {
      return Role.TARGETS;
    }
    if (type == SnapshotMetadata.class) {
      return Role.SNAPSHOT;
    }
    if (type == TimestampMetadata.class) {
      return Role.TIMESTAMP;
    }
    throw new IllegalArgumentException("not a metadata type: " + type);
  }

  /** Reads {@code signatures}; shared with the manifest envelopes. */
  public static List<Signature> readSignatures(Json.Obj envelope, String where)
      throws VerificationException {
    Json.Arr arr = JsonFields.arr(envelope, "signatures", where);
    List<Signature> sigs = new ArrayList<>(arr.items().size());
    int i = 0;
    for (Json item : arr.items()) {
      String w = where + ".signatures[" + i++ + "]";
      Json.Obj o = JsonFields.asObj(item, w);
      sigs.add(new Signature(JsonFields.str(o, "keyid", w), JsonFields.str(o, "sig", w)));
    }
    return sigs;
  }
}
