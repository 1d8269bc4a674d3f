package io.fleetsim.uptane.repository;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import io.fleetsim.uptane.json.JsonParser;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.RoleMetadata;
import io.fleetsim.uptane.metadata.RootMetadata;
import io.fleetsim.uptane.metadata.Signed;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The private keys of one repository's four roles and the chain of roots that published them.
 * Shared by {@link Repository} and {@link DirectorSigner}, which differ only in what targets they
 * sign.
 */
final class KeyRing {
  private final Expiries expiries;
  private final EnumMap<Role, List<SigningKey>> keys;
  private final EnumMap<Role, Integer> thresholds;
  private final List<Signed<RootMetadata>> roots;
  private boolean consistentSnapshot;

  private KeyRing(
      Expiries expiries,
      EnumMap<Role, List<SigningKey>> keys,
      EnumMap<Role, Integer> thresholds,
      List<Signed<RootMetadata>> roots) {
    this.expiries = expiries;
    this.keys = keys;
    this.thresholds = thresholds;
    this.roots = roots;
  }

  static KeyRing create(
      Random rng, Instant now, Expiries expiries, int keysPerRole, int threshold) {
    return create(rng, now, expiries, keysPerRole, threshold, false);
  }

  /** {@code consistentSnapshot}: whether the roots it signs announce TUF's versioned layout. */
  static KeyRing create(
      Random rng,
      Instant now,
      Expiries expiries,
      int keysPerRole,
      int threshold,
      boolean consistentSnapshot) {
    EnumMap<Role, int[]> layout = new EnumMap<>(Role.class);
    for (Role r : Role.values()) {
      layout.put(r, new int[] {keysPerRole, threshold});
    }
    return create(rng, now, expiries, layout, consistentSnapshot);
  }

  /**
   * A ring with {@code layout.get(role) = {keys, threshold}} for each role; keys are drawn from
   * {@code rng} role by role, in {@link Role} order.
   */
  static KeyRing create(
      Random rng,
      Instant now,
      Expiries expiries,
      Map<Role, int[]> layout,
      boolean consistentSnapshot) {
    EnumMap<Role, List<SigningKey>> keys = new EnumMap<>(Role.class);
    EnumMap<Role, Integer> thresholds = new EnumMap<>(Role.class);
    for (Role r : Role.values()) {
      int[] kt = layout.get(r);
      int keysPerRole = kt[0];
      int threshold = kt[1];
      if (keysPerRole < 1 || threshold < 1 || threshold > keysPerRole) {
        throw new IllegalArgumentException(
            r.type()
                + ": need 1 <= threshold <= keys per role, got "
                + threshold
                + "/"
                + keysPerRole);
      }
      List<SigningKey> ks = new ArrayList<>();
      for (int i = 0; i < keysPerRole; i++) {
        ks.add(SigningKey.generate(rng));
      }
      keys.put(r, List.copyOf(ks));
      thresholds.put(r, threshold);
    }
    KeyRing ring = new KeyRing(expiries, keys, thresholds, new ArrayList<>());
    ring.consistentSnapshot = consistentSnapshot;
    RootMetadata root = ring.rootBody(1, now);
    ring.roots.add(Signed.sign(root, keys.get(Role.ROOT)));
    return ring;
  }

  private RootMetadata rootBody(int version, Instant now) {
    Map<Role, List<PublicKey>> pub = new EnumMap<>(Role.class);
    keys.forEach((r, ks) -> pub.put(r, ks.stream().map(SigningKey::publicKey).toList()));
    RootMetadata r = RootMetadata.of(version, expiry(Role.ROOT, now), pub, thresholds);
    return new RootMetadata(r.version(), r.expires(), consistentSnapshot, r.keys(), r.roles());
  }

  Instant expiry(Role role, Instant now) {
    // TUF times have whole seconds; round up so the duration is never shortened.
    Instant t = now.plus(expiries.forRole(role));
    Instant s = t.truncatedTo(ChronoUnit.SECONDS);
    return s.equals(t) ? s : s.plus(Duration.ofSeconds(1));
  }

  Expiries expiries() {
    return expiries;
  }

  <M extends RoleMetadata> Signed<M> sign(M body) {
    return Signed.sign(body, keys.get(body.role()));
  }

  Signed<RootMetadata> currentRoot() {
    return roots.get(roots.size() - 1);
  }

  int rootVersion() {
    return roots.size();
  }

  byte[] root(int version) {
    if (version < 1 || version > roots.size()) {
      throw new IllegalArgumentException(
          "no root version " + version + " (have 1.." + roots.size() + ")");
    }
    return roots.get(version - 1).toBytes();
  }

  List<SigningKey> keys(Role role) {
    return keys.get(role);
  }

  /**
   * Replaces a role's keys and publishes a root signed by both the old and the new root keys, so
   * clients holding the old root can verify the new one and the new one verifies itself.
   */
  void rotate(Role role, List<SigningKey> newKeys, Instant now) {
    if (newKeys.size() < thresholds.get(role)) {
      throw new IllegalArgumentException("fewer new keys than the role's threshold");
    }
    List<SigningKey> oldRootKeys = keys.get(Role.ROOT);
    keys.put(role, List.copyOf(newKeys));
    RootMetadata body = rootBody(roots.size() + 1, now);
    LinkedHashSet<String> seen = new LinkedHashSet<>();
    List<SigningKey> signers = new ArrayList<>();
    for (SigningKey k : oldRootKeys) {
      if (seen.add(k.keyId())) {
        signers.add(k);
      }
    }
    for (SigningKey k : keys.get(Role.ROOT)) {
      if (seen.add(k.keyId())) {
        signers.add(k);
      }
    }
    roots.add(Signed.sign(body, signers));
  }

  /** Re-signs the current keys into a new root version, e.g. before the root expires. */
  void renewRoot(Instant now) {
    roots.add(Signed.sign(rootBody(roots.size() + 1, now), keys.get(Role.ROOT)));
  }

  /** Private keys and settings as JSON; the roots travel separately as metadata files. */
  Json.Obj exportKeys() {
    Map<String, Json> roles = new LinkedHashMap<>();
    for (Role r : Role.values()) {
      List<Json> seeds = new ArrayList<>();
      for (SigningKey k : keys.get(r)) {
        seeds.add(Json.str(Hex.encode(k.seed())));
      }
      roles.put(
          r.type(), Json.obj("seeds", Json.arr(seeds), "threshold", Json.num(thresholds.get(r))));
    }
    Map<String, Json> exp = new LinkedHashMap<>();
    for (Role r : Role.values()) {
      exp.put(r.type(), Json.num(expiries.forRole(r).getSeconds()));
    }
    return Json.obj("roles", Json.obj(roles), "expiries_seconds", Json.obj(exp));
  }

  static KeyRing importKeys(byte[] keysJson, List<byte[]> rootFiles) throws VerificationException {
    return importKeys(keysJson, rootFiles, false);
  }

  /** {@code consistentSnapshot} applies to the roots signed from now on. */
  static KeyRing importKeys(byte[] keysJson, List<byte[]> rootFiles, boolean consistentSnapshot)
      throws VerificationException {
    Json.Obj o = JsonFields.asObj(JsonParser.parse(keysJson, 1 << 20), "keys");
    Json.Obj roles = JsonFields.obj(o, "roles", "keys");
    Json.Obj exp = JsonFields.obj(o, "expiries_seconds", "keys");
    EnumMap<Role, List<SigningKey>> keys = new EnumMap<>(Role.class);
    EnumMap<Role, Integer> thresholds = new EnumMap<>(Role.class);
    Duration[] d = new Duration[4];
    for (Role r : Role.values()) {
      Json.Obj ro = JsonFields.obj(roles, r.type(), "keys.roles");
      List<SigningKey> ks = new ArrayList<>();
      for (Json s : JsonFields.arr(ro, "seeds", "keys.roles." + r.type()).items()) {
        try {
          ks.add(SigningKey.fromHex(JsonFields.asStr(s, "seed")));
        } catch (IllegalArgumentException e) {
          throw JsonFields.malformed("keys.roles." + r.type(), "invalid seed");
        }
      }
      keys.put(r, List.copyOf(ks));
      thresholds.put(r, (int) JsonFields.num(ro, "threshold", "keys.roles." + r.type()));
      d[r.ordinal()] = Duration.ofSeconds(JsonFields.num(exp, r.type(), "keys.expiries_seconds"));
    }
    Expiries expiries =
        new Expiries(
            d[Role.ROOT.ordinal()],
            d[Role.TARGETS.ordinal()],
            d[Role.SNAPSHOT.ordinal()],
            d[Role.TIMESTAMP.ordinal()]);
    List<Signed<RootMetadata>> roots = new ArrayList<>();
    for (byte[] b : rootFiles) {
      roots.add(RootMetadata.parse(b));
    }
    if (roots.isEmpty()) {
      throw JsonFields.malformed("repository", "no root metadata");
    }
    KeyRing ring = new KeyRing(expiries, keys, thresholds, roots);
    ring.consistentSnapshot = consistentSnapshot;
    return ring;
  }

  static byte[] canonical(Json j) {
    return CanonicalJson.pretty(j);
  }
}
