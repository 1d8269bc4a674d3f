package io.fleetsim.uptane.repository;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.JsonFields;
import io.fleetsim.uptane.json.JsonParser;
import io.fleetsim.uptane.metadata.MetaFile;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.SnapshotMetadata;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The director repository's keys. Every vehicle trusts the same director root, but gets its own
 * targets (one entry per ECU to update, with {@code ecu_serial}, {@code hardware_id} and {@code
 * release_counter} in {@code custom}) and its own snapshot and timestamp.
 */
public final class DirectorSigner {
  private final KeyRing ring;

  private DirectorSigner(KeyRing ring) {
    this.ring = ring;
  }

  public static DirectorSigner create(Random rng, Instant now, Expiries e) {
    return new DirectorSigner(KeyRing.create(rng, now, e, 1, 1));
  }

  public static DirectorSigner create(
      Random rng, Instant now, Expiries e, int keysPerRole, int threshold) {
    return new DirectorSigner(KeyRing.create(rng, now, e, keysPerRole, threshold));
  }

  /**
   * A director whose targets role has {@code targetsKeys} keys of which {@code targetsThreshold}
   * must sign, and one key for each other role.
   */
  public static DirectorSigner withTargetsThreshold(
      Random rng, Instant now, Expiries e, int targetsKeys, int targetsThreshold) {
    Map<Role, int[]> layout = new java.util.EnumMap<>(Role.class);
    for (Role r : Role.values()) {
      layout.put(
          r, r == Role.TARGETS ? new int[] {targetsKeys, targetsThreshold} : new int[] {1, 1});
    }
    return new DirectorSigner(KeyRing.create(rng, now, e, layout, false));
  }

  /** An independent signer with the same keys and roots, to rotate without changing this one. */
  public DirectorSigner copy() {
    return importState(exportState());
  }

  public byte[] root(int version) {
    return ring.root(version);
  }

  public int rootVersion() {
    return ring.rootVersion();
  }

  /**
   * Signs targets, snapshot and timestamp for one vehicle, all at {@code version} (which must grow
   * with every assignment for that vehicle). Each target must carry {@link
   * io.fleetsim.uptane.metadata.EcuTargetCustom} fields; one target path per vehicle.
   */
  public VehicleMetadata signFor(
      String vin, int version, List<TargetFile> ecuTargets, Instant now) {
    if (version < 1) {
      throw new IllegalArgumentException("version must be at least 1");
    }
    Map<String, TargetFile> targets = new LinkedHashMap<>();
    Set<String> serials = new HashSet<>();
    for (TargetFile t : ecuTargets) {
      String serial;
      try {
        serial = t.ecuCustom().ecuSerial();
      } catch (VerificationException e) {
        throw new IllegalArgumentException("director target " + t.name() + " lacks ECU fields", e);
      }
      if (!serials.add(serial)) {
        throw new IllegalArgumentException("two targets for ECU " + serial);
      }
      if (targets.put(t.name(), t) != null) {
        throw new IllegalArgumentException("target path used twice for " + vin + ": " + t.name());
      }
    }
    Signed<TargetsMetadata> tm =
        ring.sign(new TargetsMetadata(version, ring.expiry(Role.TARGETS, now), targets));
    byte[] tb = tm.toBytes();
    Signed<SnapshotMetadata> sm =
        ring.sign(
            new SnapshotMetadata(
                version,
                ring.expiry(Role.SNAPSHOT, now),
                Map.of("targets.json", MetaFile.describing(version, tb))));
    byte[] sb = sm.toBytes();
    Signed<TimestampMetadata> ts =
        ring.sign(
            new TimestampMetadata(
                version, ring.expiry(Role.TIMESTAMP, now), MetaFile.describing(version, sb)));
    return new VehicleMetadata(vin, version, tb, sb, ts.toBytes());
  }

  /**
   * A fresh timestamp (at {@code newVersion}) over a vehicle's existing snapshot, for when the
   * assignment is unchanged but the old timestamp is about to expire.
   */
  public VehicleMetadata refreshTimestamp(VehicleMetadata current, int newVersion, Instant now) {
    try {
      Signed<SnapshotMetadata> sm = SnapshotMetadata.parse(current.snapshot());
      Signed<TimestampMetadata> ts =
          ring.sign(
              new TimestampMetadata(
                  newVersion,
                  ring.expiry(Role.TIMESTAMP, now),
                  MetaFile.describing(sm.version(), current.snapshot())));
      return new VehicleMetadata(
          current.vin(), current.version(), current.targets(), current.snapshot(), ts.toBytes());
    } catch (VerificationException e) {
      throw new IllegalArgumentException("not director snapshot metadata", e);
    }
  }

  /** All roots plus the vehicle's three files, by TUF file name, for a fetcher. */
  public Map<String, byte[]> files(VehicleMetadata vm) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int v = 1; v <= ring.rootVersion(); v++) {
      files.put(v + ".root.json", ring.root(v));
    }
    files.put("root.json", ring.root(ring.rootVersion()));
    files.put("timestamp.json", vm.timestamp());
    files.put("snapshot.json", vm.snapshot());
    files.put("targets.json", vm.targets());
    return files;
  }

  /** The key secondaries are provisioned with for partial verification. */
  public PublicKey targetsKey() {
    return ring.keys(Role.TARGETS).get(0).publicKey();
  }

  public List<PublicKey> targetsKeys() {
    List<PublicKey> out = new ArrayList<>();
    for (SigningKey k : ring.keys(Role.TARGETS)) {
      out.add(k.publicKey());
    }
    return out;
  }

  public int targetsThreshold() {
    return ring.currentRoot().signed().threshold(Role.TARGETS);
  }

  public void rotateKey(Role role, Random rng, Instant now) {
    List<SigningKey> fresh = new ArrayList<>();
    for (int i = 0; i < ring.keys(role).size(); i++) {
      fresh.add(SigningKey.generate(rng));
    }
    ring.rotate(role, fresh, now);
  }

  public void renewRoot(Instant now) {
    ring.renewRoot(now);
  }

  public List<SigningKey> signingKeys(Role role) {
    return ring.keys(role);
  }

  /** Keys and root chain, to persist and restore with {@link #importState}. */
  public Map<String, byte[]> exportState() {
    Map<String, byte[]> state = new LinkedHashMap<>();
    for (int v = 1; v <= ring.rootVersion(); v++) {
      state.put(v + ".root.json", ring.root(v));
    }
    state.put(Repository.KEYS_FILE, CanonicalJson.pretty(ring.exportKeys()));
    return state;
  }

  public static DirectorSigner importState(Map<String, byte[]> state) {
    List<byte[]> roots = new ArrayList<>();
    for (int v = 1; state.containsKey(v + ".root.json"); v++) {
      roots.add(state.get(v + ".root.json"));
    }
    try {
      byte[] keys = state.get(Repository.KEYS_FILE);
      if (keys == null) {
        throw new IllegalArgumentException("no " + Repository.KEYS_FILE);
      }
      JsonFields.asObj(JsonParser.parse(keys, 1 << 20), "keys");
      return new DirectorSigner(KeyRing.importKeys(keys, roots));
    } catch (VerificationException e) {
      throw new IllegalArgumentException("director state does not parse: " + e.getMessage(), e);
    }
  }
}
