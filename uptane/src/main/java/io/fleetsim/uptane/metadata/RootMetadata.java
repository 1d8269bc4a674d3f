package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.PemKey;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.crypto.UnsupportedKey;
import io.fleetsim.uptane.crypto.VerifyingKey;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Root: the keys of the repository and which of them sign each role, with thresholds. */
public record RootMetadata(
    int version,
    Instant expires,
    boolean consistentSnapshot,
    Map<String, VerifyingKey> keys,
    Map<Role, RoleKeys> roles)
    implements RoleMetadata {

  public RootMetadata {
    keys = Map.copyOf(keys);
    roles = Map.copyOf(new EnumMap<>(roles));
    for (Role r : Role.values()) {
      RoleKeys rk = roles.get(r);
      if (rk == null) {
        throw new IllegalArgumentException("root must define role " + r.type());
      }
      for (String id : rk.keyIds()) {
        if (!keys.containsKey(id)) {
          throw new IllegalArgumentException("role " + r.type() + " names unknown key " + id);
        }
      }
    }
  }

  /** Builds a root from the public keys of each role. */
  public static RootMetadata of(
      int version,
      Instant expires,
      Map<Role, List<PublicKey>> roleKeys,
      Map<Role, Integer> thresholds) {
    Map<String, VerifyingKey> keys = new LinkedHashMap<>();
    Map<Role, RoleKeys> roles = new EnumMap<>(Role.class);
    for (Role r : Role.values()) {
      List<String> ids = new ArrayList<>();
      for (PublicKey k : roleKeys.get(r)) {
        String id = k.keyId();
        keys.put(id, k);
        ids.add(id);
      }
      roles.put(r, new RoleKeys(ids, thresholds.getOrDefault(r, 1)));
    }
    return new RootMetadata(version, expires, false, keys, roles);
  }

  @Override
  public Role role() {
    return Role.ROOT;
  }

  public List<VerifyingKey> keysFor(Role role) {
    List<VerifyingKey> out = new ArrayList<>();
    for (String id : roles.get(role).keyIds()) {
      out.add(keys.get(id));
    }
    return out;
  }

  public int threshold(Role role) {
    return roles.get(role).threshold();
  }

  @Override
  public Json.Obj toJson() {
    Map<String, Json> m = RoleMetadata.header(Role.ROOT, version, expires);
    m.put("consistent_snapshot", Json.bool(consistentSnapshot));
    Map<String, Json> k = new LinkedHashMap<>();
    keys.forEach((id, key) -> k.put(id, key.toJson()));
    m.put("keys", Json.obj(k));
    Map<String, Json> r = new LinkedHashMap<>();
    roles.forEach((role, rk) -> r.put(role.type(), rk.toJson()));
    m.put("roles", Json.obj(r));
    return Json.obj(m);
  }

  public static RootMetadata fromJson(Json.Obj o) throws VerificationException {
    String where = RoleMetadata.checkHeader(o, Role.ROOT);
    int version = JsonFields.version(o, "version", where);
    Instant expires = JsonFields.time(o, "expires", where);
    boolean consistent = JsonFields.bool(o, "consistent_snapshot", where);
    Map<String, VerifyingKey> keys = new LinkedHashMap<>();
    for (Map.Entry<String, Json> e : JsonFields.obj(o, "keys", where).fields().entrySet()) {
      String id = e.getKey();
      String kw = where + ".keys." + id;
      // The key id is the hash of the key object as the repository wrote it, fields this
      // client does not know (e.g. a legacy keyid_hash_algorithms) included.
      checkKeyId(id, e.getValue(), kw);
      keys.put(id, readKey(e.getValue(), kw));
    }
    Json.Obj rolesObj = JsonFields.obj(o, "roles", where);
    Map<Role, RoleKeys> roles = new EnumMap<>(Role.class);
    for (Role r : Role.values()) {
      String rw = where + ".roles." + r.type();
      Json.Obj ro = JsonFields.obj(rolesObj, r.type(), where + ".roles");
      List<String> ids = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (Json id : JsonFields.arr(ro, "keyids", rw).items()) {
        String s = JsonFields.asStr(id, rw + ".keyids");
        if (!seen.add(s)) {
          throw JsonFields.malformed(rw, "key id listed twice: " + s);
        }
        if (!keys.containsKey(s)) {
          throw JsonFields.malformed(rw, "names a key root does not define: " + s);
        }
        ids.add(s);
      }
      long threshold = JsonFields.num(ro, "threshold", rw);
      // A threshold above the key count is legal: it makes that role's metadata unverifiable
      // (THRESHOLD_NOT_MET when it is checked), not this root untrustworthy.
      if (threshold < 1 || threshold > Integer.MAX_VALUE) {
        throw JsonFields.malformed(rw, "threshold " + threshold + " is not a positive count");
      }
      roles.put(r, new RoleKeys(ids, (int) threshold));
    }
    return new RootMetadata(version, expires, consistent, keys, roles);
  }

  static void checkKeyId(String id, Json key, String where) throws VerificationException {
    String expected = Hashing.sha256Hex(CanonicalJson.write(key));
    if (!expected.equals(id)) {
      throw JsonFields.malformed(
          where, "key id does not match the key (expected " + expected + ")");
    }
  }

  /**
   * A key object as TUF writes it. Key types and schemes this client does not implement become
   * {@link UnsupportedKey}s: listed, never counted. A supported type with an unreadable value is
   * malformed.
   */
  static VerifyingKey readKey(Json v, String where) throws VerificationException {
    Json.Obj k = JsonFields.asObj(v, where);
    String type = JsonFields.str(k, "keytype", where);
    String scheme = JsonFields.str(k, "scheme", where);
    Json.Obj keyval = JsonFields.obj(k, "keyval", where);
    if (type.equals("ed25519") && scheme.equals("ed25519")) {
      String hex = JsonFields.str(keyval, "public", where + ".keyval");
      if (!Hex.isLowerHex(hex, PublicKey.LENGTH)) {
        throw JsonFields.malformed(where, "public key must be 64 lower-case hex digits");
      }
      return PublicKey.fromHex(hex);
    }
    if (PemKey.handles(type, scheme)) {
      String pem = JsonFields.str(keyval, "public", where + ".keyval");
      try {
        return PemKey.of(type, scheme, pem);
      } catch (IllegalArgumentException e) {
        throw JsonFields.malformed(where, e.getMessage());
      }
    }
    return new UnsupportedKey(type, scheme, k);
  }

  /**
   * Checks that the signatures over {@code message} meet {@code role}'s threshold with distinct
   * keys this root lists for the role. Stops verifying once the threshold is met.
   */
  public void verifyRole(Role role, List<Signature> signatures, byte[] message, String what)
      throws VerificationException {
    verifyThreshold(
        roles.get(role).keyIds(),
        keys,
        roles.get(role).threshold(),
        signatures,
        message,
        what + " (root v" + version + " role " + role.type() + ")");
  }

  public void verifyRole(Role role, Signed<?> metadata) throws VerificationException {
    verifyRole(
        role,
        metadata.signatures(),
        metadata.canonicalSigned(),
        metadata.signed().role().type() + " v" + metadata.signed().version());
  }

  /** Threshold check shared by root-based and key-list-based (partial) verification. */
  public static void verifyThreshold(
      List<String> allowedIds,
      Map<String, ? extends VerifyingKey> keysById,
      int threshold,
      List<Signature> signatures,
      byte[] message,
      String what)
      throws VerificationException {
    Set<String> listed = new HashSet<>();
    for (Signature s : signatures) {
      if (!listed.add(s.keyId())) {
        // The specification requires unique key ids, so one key cannot be counted twice by
        // a verifier that forgets to deduplicate.
        throw new VerificationException(
            Attack.MALFORMED, what + ": signatures name key " + s.keyId() + " more than once");
      }
    }
    Set<String> valid = new HashSet<>();
    int unknown = 0;
    int bad = 0;
    for (Signature s : signatures) {
      if (valid.size() >= threshold) {
        return;
      }
      if (!allowedIds.contains(s.keyId())) {
        unknown++;
        continue;
      }
      if (valid.contains(s.keyId())) {
        continue;
      }
      VerifyingKey key = keysById.get(s.keyId());
      byte[] sig;
      try {
        sig = Hex.decode(s.sig());
      } catch (IllegalArgumentException e) {
        bad++;
        continue;
      }
      if (key != null && key.verify(message, sig)) {
        valid.add(s.keyId());
      } else {
        bad++;
      }
    }
    if (valid.size() >= threshold) {
      return;
    }
    String counts =
        what
            + ": "
            + valid.size()
            + " valid of threshold "
            + threshold
            + " ("
            + bad
            + " bad, "
            + unknown
            + " by keys not trusted for the role)";
    if (!valid.isEmpty()) {
      throw new VerificationException(Attack.THRESHOLD_NOT_MET, counts);
    }
    if (bad > 0) {
      throw new VerificationException(Attack.BAD_SIGNATURE, counts);
    }
    if (unknown > 0) {
      throw new VerificationException(Attack.UNKNOWN_KEY, counts);
    }
    throw new VerificationException(Attack.THRESHOLD_NOT_MET, what + ": no signatures");
  }

  public static Signed<RootMetadata> parse(byte[] bytes) throws VerificationException {
    return Signed.parse(bytes, RootMetadata.class);
  }
}
