package io.fleetsim.uptane.repository;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.crypto.VerifyingKey;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.DelegatedRole;
import io.fleetsim.uptane.metadata.Delegations;
import io.fleetsim.uptane.metadata.MetaFile;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.SnapshotMetadata;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One TUF repository (the image repository, or a plain director): its keys, its root chain and the
 * current targets, snapshot and timestamp, and the targets roles it delegates to (one per ECU
 * supplier in Uptane's image repository, each signing its own images). Not thread-safe; an actor
 * owns one.
 *
 * <p>Roots it signs say {@code consistent_snapshot: true}, TUF's recommended layout: {@link
 * #consistentFiles()} and {@link #save} publish {@code N.snapshot.json}, {@code N.targets.json} and
 * {@code N.ROLE.json} beside the plain names, which {@link #files()} and {@link #exportState()}
 * keep serving for fleetsim's own entities.
 */
public final class Repository {
  public static final String KEYS_FILE = "keys/keys.json";
  public static final String STAGED_FILE = "keys/staged-targets.json";
  public static final String DELEGATIONS_FILE = "keys/delegations.json";

  private final String name;
  private final KeyRing ring;
  private final TreeMap<String, TargetFile> staged = new TreeMap<>(CanonicalJson.KEY_ORDER);
  private Signed<TargetsMetadata> targets;
  private Signed<SnapshotMetadata> snapshot;
  private Signed<TimestampMetadata> timestamp;
  private final Map<String, Delegate> delegates = new LinkedHashMap<>();

  /** A delegated targets role: the supplier's keys (held here to simulate it) and its targets. */
  private static final class Delegate {
    final DelegatedRole role;
    final List<SigningKey> keys;
    final TreeMap<String, TargetFile> staged = new TreeMap<>(CanonicalJson.KEY_ORDER);
    Signed<TargetsMetadata> signed;

    Delegate(DelegatedRole role, List<SigningKey> keys) {
      this.role = role;
      this.keys = List.copyOf(keys);
    }
  }

  private Repository(String name, KeyRing ring) {
    this.name = name;
    this.ring = ring;
  }

  /** Fresh keys for all four roles, root v1 and empty targets, snapshot and timestamp v1. */
  public static Repository create(String name, Random rng, Instant now, Expiries expiries) {
    return create(name, rng, now, expiries, 1, 1);
  }

  /** As {@link #create(String, Random, Instant, Expiries)} with several keys per role. */
  public static Repository create(
      String name, Random rng, Instant now, Expiries expiries, int keysPerRole, int threshold) {
    Repository repo =
        new Repository(name, KeyRing.create(rng, now, expiries, keysPerRole, threshold, true));
    repo.publish(now);
    return repo;
  }

  public String name() {
    return name;
  }

  /** Stages a target; clients see it after the next {@link #publish}. */
  public void addTarget(TargetFile target) {
    staged.put(target.name(), target);
  }

  public void removeTarget(String targetName) {
    staged.remove(targetName);
  }

  public Map<String, TargetFile> stagedTargets() {
    return Map.copyOf(staged);
  }

  /**
   * Delegates the target paths matching {@code paths} (TUF patterns such as {@code "brake/*"}) to a
   * new targets role signed by {@code keys} with {@code threshold}, e.g. one ECU supplier.
   * Delegations are searched in the order they were made; a terminating one ends the search for the
   * paths it covers. Clients see it after the next {@link #publish}.
   */
  public void delegate(
      String roleName,
      List<SigningKey> keys,
      int threshold,
      List<String> paths,
      boolean terminating) {
    if (delegates.containsKey(roleName)) {
      throw new IllegalArgumentException("role " + roleName + " is already delegated");
    }
    if (keys.size() < threshold) {
      throw new IllegalArgumentException("fewer keys than the threshold");
    }
    String problem = TargetFile.nameProblem(roleName);
    if (problem != null || roleName.contains("/")) {
      throw new IllegalArgumentException("role name must be one plain path segment: " + roleName);
    }
    DelegatedRole role =
        DelegatedRole.forPaths(
            roleName, keys.stream().map(SigningKey::keyId).toList(), threshold, terminating, paths);
    // Validates the name against top-level roles before anything changes.
    new Delegations(delegationKeys(List.of(role), keys), List.of(role), null);
    delegates.put(roleName, new Delegate(role, keys));
  }

  /** The delegated role names, in search order. */
  public List<String> delegatedRoles() {
    return List.copyOf(delegates.keySet());
  }

  /** The signing keys of a delegated role (the supplier's). */
  public List<SigningKey> delegateKeys(String roleName) {
    return delegate(roleName).keys;
  }

  /**
   * Stages a target in a delegated role; IllegalArgumentException if the role is not trusted for
   * its path, since clients would never find it there.
   */
  public void addTarget(String roleName, TargetFile target) {
    Delegate d = delegate(roleName);
    if (!d.role.isDelegatedPath(target.name())) {
      throw new IllegalArgumentException(
          "role "
              + roleName
              + " is not trusted for "
              + target.name()
              + " ("
              + d.role.paths()
              + ")");
    }
    d.staged.put(target.name(), target);
  }

  public Map<String, TargetFile> stagedTargets(String roleName) {
    return Map.copyOf(delegate(roleName).staged);
  }

  public Signed<TargetsMetadata> signedDelegatedTargets(String roleName) {
    return delegate(roleName).signed;
  }

  private Delegate delegate(String roleName) {
    Delegate d = delegates.get(roleName);
    if (d == null) {
      throw new IllegalArgumentException("no delegated role " + roleName);
    }
    return d;
  }

  private static Map<String, VerifyingKey> delegationKeys(
      List<DelegatedRole> roles, List<SigningKey> keys) {
    Map<String, VerifyingKey> out = new LinkedHashMap<>();
    for (SigningKey k : keys) {
      out.put(k.keyId(), k.publicKey());
    }
    return out;
  }

  private Delegations delegations() {
    if (delegates.isEmpty()) {
      return null;
    }
    Map<String, VerifyingKey> keys = new LinkedHashMap<>();
    List<DelegatedRole> roles = new ArrayList<>();
    for (Delegate d : delegates.values()) {
      d.keys.forEach(k -> keys.put(k.keyId(), k.publicKey()));
      roles.add(d.role);
    }
    return new Delegations(keys, roles, null);
  }

  /** Signs new targets (and delegated targets), snapshot and timestamp over the staged targets. */
  public void publish(Instant now) {
    for (Delegate d : delegates.values()) {
      int v = d.signed == null ? 1 : d.signed.version() + 1;
      d.signed =
          Signed.sign(new TargetsMetadata(v, ring.expiry(Role.TARGETS, now), d.staged), d.keys);
    }
    int tv = targets == null ? 1 : targets.version() + 1;
    targets =
        ring.sign(new TargetsMetadata(tv, ring.expiry(Role.TARGETS, now), staged, delegations()));
    signSnapshotAndTimestamp(now);
  }

  private void signSnapshotAndTimestamp(Instant now) {
    int sv = snapshot == null ? 1 : snapshot.version() + 1;
    Map<String, MetaFile> meta = new LinkedHashMap<>();
    meta.put("targets.json", MetaFile.describing(targets.version(), targets.toBytes()));
    for (Map.Entry<String, Delegate> e : delegates.entrySet()) {
      Signed<TargetsMetadata> d = e.getValue().signed;
      if (d != null) {
        meta.put(e.getKey() + ".json", MetaFile.describing(d.version(), d.toBytes()));
      }
    }
    snapshot = ring.sign(new SnapshotMetadata(sv, ring.expiry(Role.SNAPSHOT, now), meta));
    signTimestamp(now);
  }

  private void signTimestamp(Instant now) {
    int v = timestamp == null ? 1 : timestamp.version() + 1;
    timestamp =
        ring.sign(
            new TimestampMetadata(
                v,
                ring.expiry(Role.TIMESTAMP, now),
                MetaFile.describing(snapshot.version(), snapshot.toBytes())));
  }

  /** A new timestamp over the same snapshot, so clients are not frozen out when it expires. */
  public void refreshTimestamp(Instant now) {
    signTimestamp(now);
  }

  /** Re-signs snapshot (and so timestamp) with a fresh expiry. */
  public void refreshSnapshot(Instant now) {
    signSnapshotAndTimestamp(now);
  }

  /** Rotates a role to one fresh key per old key; see {@link #rotateKey(Role, List, Instant)}. */
  public void rotateKey(Role role, Random rng, Instant now) {
    List<SigningKey> fresh = new ArrayList<>();
    for (int i = 0; i < ring.keys(role).size(); i++) {
      fresh.add(SigningKey.generate(rng));
    }
    rotateKey(role, fresh, now);
  }

  /**
   * Publishes a new root (signed by the old and the new root keys) naming the new keys, then
   * re-signs the metadata of the rotated role and everything above it with them.
   */
  public void rotateKey(Role role, List<SigningKey> newKeys, Instant now) {
    ring.rotate(role, newKeys, now);
    switch (role) {
      case TARGETS:
        publish(now);
        break;
      case SNAPSHOT:
        signSnapshotAndTimestamp(now);
        break;
      case TIMESTAMP:
        signTimestamp(now);
        break;
      default:
        break;
    }
  }

  /** A new root version with the same keys and a fresh expiry. */
  public void renewRoot(Instant now) {
    ring.renewRoot(now);
  }

  /** The private keys of a role (for tests and attack simulation: a "compromised" key). */
  public List<SigningKey> signingKeys(Role role) {
    return ring.keys(role);
  }

  public byte[] root(int version) {
    return ring.root(version);
  }

  public int rootVersion() {
    return ring.rootVersion();
  }

  public Signed<io.fleetsim.uptane.metadata.RootMetadata> currentRoot() {
    return ring.currentRoot();
  }

  public byte[] timestamp() {
    return timestamp.toBytes();
  }

  public byte[] snapshot() {
    return snapshot.toBytes();
  }

  public byte[] targets() {
    return targets.toBytes();
  }

  public Signed<TargetsMetadata> signedTargets() {
    return targets;
  }

  public Signed<SnapshotMetadata> signedSnapshot() {
    return snapshot;
  }

  public Signed<TimestampMetadata> signedTimestamp() {
    return timestamp;
  }

  /** The published files in TUF's layout (without consistent snapshots). */
  public Map<String, byte[]> files() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int v = 1; v <= ring.rootVersion(); v++) {
      files.put(v + ".root.json", ring.root(v));
    }
    files.put("root.json", ring.root(ring.rootVersion()));
    files.put("timestamp.json", timestamp());
    files.put("snapshot.json", snapshot());
    files.put("targets.json", targets());
    for (Map.Entry<String, Delegate> e : delegates.entrySet()) {
      if (e.getValue().signed != null) {
        files.put(e.getKey() + ".json", e.getValue().signed.toBytes());
      }
    }
    return files;
  }

  /**
   * {@link #files()} plus the current versions under their consistent-snapshot names ({@code
   * N.snapshot.json}, {@code N.targets.json}, {@code N.ROLE.json}), as a standard TUF client
   * fetches them when root says {@code consistent_snapshot}.
   */
  public Map<String, byte[]> consistentFiles() {
    Map<String, byte[]> files = new LinkedHashMap<>(files());
    files.put(snapshot.version() + ".snapshot.json", snapshot());
    files.put(targets.version() + ".targets.json", targets());
    for (Map.Entry<String, Delegate> e : delegates.entrySet()) {
      Signed<TargetsMetadata> d = e.getValue().signed;
      if (d != null) {
        files.put(d.version() + "." + e.getKey() + ".json", d.toBytes());
      }
    }
    return files;
  }

  /** Everything needed to restore this repository: {@link #files()} plus keys and staging. */
  public Map<String, byte[]> exportState() {
    Map<String, byte[]> state = new LinkedHashMap<>(files());
    Map<String, Json> j = new LinkedHashMap<>();
    j.put("name", Json.str(name));
    j.put("keyring", ring.exportKeys());
    state.put(KEYS_FILE, CanonicalJson.pretty(Json.obj(j)));
    Map<String, Json> st = new LinkedHashMap<>();
    staged.forEach((n, t) -> st.put(n, t.toJson()));
    state.put(STAGED_FILE, CanonicalJson.pretty(Json.obj(st)));
    if (!delegates.isEmpty()) {
      List<Json> ds = new ArrayList<>();
      for (Delegate d : delegates.values()) {
        List<Json> seeds = new ArrayList<>();
        d.keys.forEach(k -> seeds.add(Json.str(io.fleetsim.uptane.crypto.Hex.encode(k.seed()))));
        Map<String, Json> dst = new LinkedHashMap<>();
        d.staged.forEach((n, t) -> dst.put(n, t.toJson()));
        ds.add(
            Json.obj("role", d.role.toJson(), "seeds", Json.arr(seeds), "staged", Json.obj(dst)));
      }
      state.put(DELEGATIONS_FILE, CanonicalJson.pretty(Json.arr(ds)));
    }
    return state;
  }

  /** Restores from {@link #exportState()}; IllegalArgumentException if it does not parse. */
  public static Repository importState(Map<String, byte[]> state) {
    try {
      byte[] keys = state.get(KEYS_FILE);
      if (keys == null) {
        throw new IllegalArgumentException("no " + KEYS_FILE);
      }
      Json.Obj k =
          io.fleetsim.uptane.json.JsonFields.asObj(
              io.fleetsim.uptane.json.JsonParser.parse(keys, 1 << 20), "keys");
      String name = io.fleetsim.uptane.json.JsonFields.str(k, "name", "keys");
      List<byte[]> roots = new ArrayList<>();
      for (int v = 1; state.containsKey(v + ".root.json"); v++) {
        roots.add(state.get(v + ".root.json"));
      }
      KeyRing ring =
          KeyRing.importKeys(
              CanonicalJson.write(io.fleetsim.uptane.json.JsonFields.obj(k, "keyring", "keys")),
              roots,
              true);
      Repository repo = new Repository(name, ring);
      repo.targets = TargetsMetadata.parse(require(state, "targets.json"));
      repo.snapshot = SnapshotMetadata.parse(require(state, "snapshot.json"));
      repo.timestamp = TimestampMetadata.parse(require(state, "timestamp.json"));
      byte[] stagedBytes = state.get(STAGED_FILE);
      if (stagedBytes != null) {
        Json.Obj st =
            io.fleetsim.uptane.json.JsonFields.asObj(
                io.fleetsim.uptane.json.JsonParser.parse(stagedBytes, 64 << 20), "staged");
        for (Map.Entry<String, Json> e : st.fields().entrySet()) {
          repo.staged.put(e.getKey(), TargetFile.fromJson(e.getKey(), e.getValue(), "staged"));
        }
      } else {
        repo.staged.putAll(repo.targets.signed().targets());
      }
      byte[] delegationsBytes = state.get(DELEGATIONS_FILE);
      if (delegationsBytes != null) {
        repo.importDelegates(delegationsBytes, state);
      }
      return repo;
    } catch (VerificationException e) {
      throw new IllegalArgumentException("repository state does not parse: " + e.getMessage(), e);
    }
  }

  private void importDelegates(byte[] json, Map<String, byte[]> state)
      throws VerificationException {
    Json.Arr arr = (Json.Arr) io.fleetsim.uptane.json.JsonParser.parse(json, 64 << 20);
    Delegations roles = targets.signed().delegations();
    if (roles == null || roles.roles() == null) {
      throw new IllegalArgumentException("delegated keys but targets.json delegates nothing");
    }
    for (Json item : arr.items()) {
      Json.Obj o = io.fleetsim.uptane.json.JsonFields.asObj(item, "delegation");
      String roleName =
          io.fleetsim.uptane.json.JsonFields.str(
              io.fleetsim.uptane.json.JsonFields.obj(o, "role", "delegation"), "name", "role");
      DelegatedRole role =
          roles.roles().stream()
              .filter(r -> r.name().equals(roleName))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalArgumentException("targets.json does not delegate " + roleName));
      List<SigningKey> keys = new ArrayList<>();
      for (Json seed : io.fleetsim.uptane.json.JsonFields.arr(o, "seeds", "delegation").items()) {
        keys.add(SigningKey.fromHex(io.fleetsim.uptane.json.JsonFields.asStr(seed, "seed")));
      }
      Delegate d = new Delegate(role, keys);
      for (Map.Entry<String, Json> e :
          io.fleetsim.uptane.json.JsonFields.obj(o, "staged", "delegation").fields().entrySet()) {
        d.staged.put(e.getKey(), TargetFile.fromJson(e.getKey(), e.getValue(), "staged"));
      }
      byte[] signed = state.get(roleName + ".json");
      if (signed != null) {
        d.signed = TargetsMetadata.parse(signed);
      }
      delegates.put(roleName, d);
    }
  }

  private static byte[] require(Map<String, byte[]> state, String file) {
    byte[] b = state.get(file);
    if (b == null) {
      throw new IllegalArgumentException("repository state lacks " + file);
    }
    return b;
  }

  /**
   * Writes {@link #exportState()} and the consistent-snapshot names of the current versions into
   * {@code dir}; versions written earlier stay, as consistent snapshots need.
   */
  public void save(Path dir) {
    try {
      Map<String, byte[]> all = new LinkedHashMap<>(exportState());
      all.putAll(consistentFiles());
      for (Map.Entry<String, byte[]> e : all.entrySet()) {
        Path p = dir.resolve(e.getKey());
        Files.createDirectories(p.getParent());
        Files.write(p, e.getValue());
        if (e.getKey().startsWith("keys/")) {
          ownerOnly(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void ownerOnly(Path p) throws IOException {
    try {
      Files.setPosixFilePermissions(
          p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: nothing finer to set.
    }
  }

  public static Repository load(Path dir) {
    try {
      Map<String, byte[]> state = new LinkedHashMap<>();
      for (int v = 1; Files.exists(dir.resolve(v + ".root.json")); v++) {
        state.put(v + ".root.json", Files.readAllBytes(dir.resolve(v + ".root.json")));
      }
      for (String f :
          List.of(
              "timestamp.json",
              "snapshot.json",
              "targets.json",
              KEYS_FILE,
              STAGED_FILE,
              DELEGATIONS_FILE)) {
        Path p = dir.resolve(f);
        if (Files.exists(p)) {
          state.put(f, Files.readAllBytes(p));
        }
      }
      if (state.containsKey(DELEGATIONS_FILE)) {
        try (var files = Files.list(dir)) {
          for (Path p : (Iterable<Path>) files::iterator) {
            String f = p.getFileName().toString();
            if (f.endsWith(".json") && !Character.isDigit(f.charAt(0)) && !state.containsKey(f)) {
              state.put(f, Files.readAllBytes(p));
            }
          }
        }
      }
      return importState(state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
