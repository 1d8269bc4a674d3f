package io.fleetsim.uptane.repository;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
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
 * current targets, snapshot and timestamp. Not thread-safe; an actor owns one.
 */
public final class Repository {
  public static final String KEYS_FILE = "keys/keys.json";
  public static final String STAGED_FILE = "keys/staged-targets.json";

  private final String name;
  private final KeyRing ring;
  private final TreeMap<String, TargetFile> staged = new TreeMap<>(CanonicalJson.KEY_ORDER);
  private Signed<TargetsMetadata> targets;
  private Signed<SnapshotMetadata> snapshot;
  private Signed<TimestampMetadata> timestamp;

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
        new Repository(name, KeyRing.create(rng, now, expiries, keysPerRole, threshold));
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

  /** Signs new targets, snapshot and timestamp versions over the staged targets. */
  public void publish(Instant now) {
    int tv = targets == null ? 1 : targets.version() + 1;
    targets = ring.sign(new TargetsMetadata(tv, ring.expiry(Role.TARGETS, now), staged));
    signSnapshotAndTimestamp(now);
  }

  private void signSnapshotAndTimestamp(Instant now) {
    int sv = snapshot == null ? 1 : snapshot.version() + 1;
    snapshot =
        ring.sign(
            new SnapshotMetadata(
                sv,
                ring.expiry(Role.SNAPSHOT, now),
                Map.of("targets.json", MetaFile.describing(targets.version(), targets.toBytes()))));
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
              roots);
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
      return repo;
    } catch (VerificationException e) {
      throw new IllegalArgumentException("repository state does not parse: " + e.getMessage(), e);
    }
  }

  private static byte[] require(Map<String, byte[]> state, String file) {
    byte[] b = state.get(file);
    if (b == null) {
      throw new IllegalArgumentException("repository state lacks " + file);
    }
    return b;
  }

  public void save(Path dir) {
    try {
      for (Map.Entry<String, byte[]> e : exportState().entrySet()) {
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
          List.of("timestamp.json", "snapshot.json", "targets.json", KEYS_FILE, STAGED_FILE)) {
        Path p = dir.resolve(f);
        if (Files.exists(p)) {
          state.put(f, Files.readAllBytes(p));
        }
      }
      return importState(state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
