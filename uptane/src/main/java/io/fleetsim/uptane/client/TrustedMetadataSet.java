package io.fleetsim.uptane.client;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.metadata.Delegations;
import io.fleetsim.uptane.metadata.Limits;
import io.fleetsim.uptane.metadata.MetaFile;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.RoleKeys;
import io.fleetsim.uptane.metadata.RoleMetadata;
import io.fleetsim.uptane.metadata.RootMetadata;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.SnapshotMetadata;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The trusted metadata of one repository and the rules for replacing it, applied in the order of
 * the TUF client workflow: root chain (5.3), timestamp (5.4), snapshot (5.5), targets (5.6) and
 * delegated targets (5.6.7). Fetching is somebody else's job; this class only judges bytes. Loading
 * out of order (a timestamp before the root chain is done, ...) is a programming error, not an
 * attack, and raises IllegalStateException.
 *
 * <p>Previously trusted timestamp and snapshot bytes may be loaded again before the new ones (as a
 * client does after a restart) so rollback checks have a baseline; if the timestamp or snapshot key
 * was rotated in between, the old ones no longer verify and are dropped, which is how the
 * specification recovers from a fast-forward attack (5.3.11).
 *
 * <p>Each role is kept as soon as it is verified, so {@link #state()} after a refused update still
 * holds every role accepted before the refusal: a new root, then a new timestamp, and so on.
 * Expired timestamp or snapshot metadata whose signatures and versions verify is kept too (then
 * refused as FREEZE): it is still the rollback baseline.
 */
public final class TrustedMetadataSet {
  private final Instant now;
  private Signed<RootMetadata> root;
  private byte[] rootBytes;
  private Signed<TimestampMetadata> timestamp;
  private byte[] timestampBytes;
  private Signed<SnapshotMetadata> snapshot;
  private byte[] snapshotBytes;
  private Signed<TargetsMetadata> targets;
  private byte[] targetsBytes;
  private final Map<String, Signed<TargetsMetadata>> delegated = new LinkedHashMap<>();

  /** Keys removed from the timestamp/snapshot/targets roles by root updates in this session. */
  private final Map<Role, Set<String>> revoked = new EnumMap<>(Role.class);

  /** Fast-forwarded metadata a root update in this session showed up and dropped. */
  private final List<String> undone = new ArrayList<>(0);

  /**
   * Trusts {@code trustedRootBytes} (which came from a trusted source, e.g. provisioning) once it
   * verifies with its own keys. Its expiry is checked only when the root chain is complete.
   */
  public TrustedMetadataSet(byte[] trustedRootBytes, Instant now) throws VerificationException {
    this.now = now;
    Signed<RootMetadata> r = RootMetadata.parse(trustedRootBytes);
    r.signed().verifyRole(Role.ROOT, r);
    this.root = r;
    this.rootBytes = trustedRootBytes.clone();
  }

  public Instant now() {
    return now;
  }

  /** 5.3: accepts root N+1 if root N's and its own root keys both meet their thresholds. */
  public Signed<RootMetadata> updateRoot(byte[] data) throws VerificationException {
    if (timestamp != null) {
      throw new IllegalStateException("cannot update root after timestamp");
    }
    Signed<RootMetadata> next = RootMetadata.parse(data);
    RootMetadata trusted = root.signed();
    trusted.verifyRole(Role.ROOT, next);
    int expected = trusted.version() + 1;
    if (next.version() != expected) {
      throw new VerificationException(
          next.version() < expected ? Attack.ROLLBACK : Attack.FAST_FORWARD,
          "root version " + next.version() + ", expected " + expected);
    }
    next.signed().verifyRole(Role.ROOT, next);
    for (Role r : new Role[] {Role.TIMESTAMP, Role.SNAPSHOT, Role.TARGETS}) {
      Set<String> removed = new HashSet<>(trusted.roles().get(r).keyIds());
      removed.removeAll(next.signed().roles().get(r).keyIds());
      revoked.computeIfAbsent(r, k -> new HashSet<>()).addAll(removed);
    }
    root = next;
    rootBytes = data.clone();
    return next;
  }

  /** 5.4: a timestamp signed by root's timestamp keys, not older than the trusted one. */
  public Signed<TimestampMetadata> updateTimestamp(byte[] data) throws VerificationException {
    if (snapshot != null) {
      throw new IllegalStateException("cannot update timestamp after snapshot");
    }
    // The root chain is complete once a timestamp arrives: the final root must be current.
    root.signed().checkNotExpired(now);
    checkLength(data, Limits.TIMESTAMP, "timestamp");
    Signed<TimestampMetadata> next = TimestampMetadata.parse(data);
    verify(Role.TIMESTAMP, next);
    if (timestamp != null) {
      TimestampMetadata old = timestamp.signed();
      if (next.version() < old.version()) {
        throw new VerificationException(
            Attack.ROLLBACK,
            "timestamp version " + next.version() + " is older than trusted " + old.version());
      }
      if (next.version() == old.version()) {
        // Nothing new: keep what we have (as python-tuf does on an equal version).
        timestamp.signed().checkNotExpired(now);
        return timestamp;
      }
      if (next.signed().snapshot().version() < old.snapshot().version()) {
        throw new VerificationException(
            Attack.ROLLBACK,
            "timestamp v"
                + next.version()
                + " names snapshot v"
                + next.signed().snapshot().version()
                + ", older than trusted snapshot v"
                + old.snapshot().version());
      }
    }
    // Kept even if expired, so that it still serves as the rollback baseline.
    timestamp = next;
    timestampBytes = data.clone();
    next.signed().checkNotExpired(now);
    return next;
  }

  public Signed<SnapshotMetadata> updateSnapshot(byte[] data) throws VerificationException {
    return updateSnapshot(data, false);
  }

  /**
   * 5.5: a snapshot matching what timestamp says about it, signed by the snapshot keys, not rolling
   * back any targets file. {@code trusted} skips the length/hash check against the timestamp for
   * previously trusted bytes loaded again as a rollback baseline.
   */
  public Signed<SnapshotMetadata> updateSnapshot(byte[] data, boolean trusted)
      throws VerificationException {
    if (timestamp == null) {
      throw new IllegalStateException("cannot update snapshot before timestamp");
    }
    if (targets != null) {
      throw new IllegalStateException("cannot update snapshot after targets");
    }
    timestamp.signed().checkNotExpired(now);
    MetaFile meta = timestamp.signed().snapshot();
    if (!trusted) {
      checkMetaFile(data, meta, "snapshot", Limits.SNAPSHOT);
    } else {
      checkLength(data, Limits.SNAPSHOT, "snapshot");
    }
    Signed<SnapshotMetadata> next = SnapshotMetadata.parse(data);
    verify(Role.SNAPSHOT, next);
    if (!trusted && next.version() != meta.version()) {
      // 5.5.4: checked before it is kept, so a snapshot timestamp does not name never becomes the
      // baseline.
      throw new VerificationException(
          Attack.MIX_AND_MATCH,
          "timestamp v"
              + timestamp.version()
              + " names snapshot v"
              + meta.version()
              + ", got v"
              + next.version());
    }
    if (snapshot != null) {
      for (Map.Entry<String, MetaFile> e : snapshot.signed().meta().entrySet()) {
        MetaFile now = next.signed().meta().get(e.getKey());
        if (now == null) {
          throw new VerificationException(
              Attack.ROLLBACK, "snapshot v" + next.version() + " drops " + e.getKey());
        }
        if (now.version() < e.getValue().version()) {
          throw new VerificationException(
              Attack.ROLLBACK,
              "snapshot v"
                  + next.version()
                  + " names "
                  + e.getKey()
                  + " v"
                  + now.version()
                  + ", older than trusted v"
                  + e.getValue().version());
        }
      }
    }
    snapshot = next;
    snapshotBytes = data.clone();
    checkFinalSnapshot();
    return next;
  }

  private void checkFinalSnapshot() throws VerificationException {
    snapshot.signed().checkNotExpired(now);
    int expected = timestamp.signed().snapshot().version();
    if (snapshot.version() != expected) {
      throw new VerificationException(
          Attack.MIX_AND_MATCH,
          "timestamp v"
              + timestamp.version()
              + " names snapshot v"
              + expected
              + ", got v"
              + snapshot.version());
    }
  }

  /** 5.6: the targets snapshot names, by version (and length and hashes when given). */
  public Signed<TargetsMetadata> updateTargets(byte[] data) throws VerificationException {
    if (snapshot == null) {
      throw new IllegalStateException("cannot update targets before snapshot");
    }
    checkFinalSnapshot();
    MetaFile meta = snapshot.signed().meta().get(Role.TARGETS.fileName());
    if (meta == null) {
      throw new VerificationException(
          Attack.MIX_AND_MATCH, "snapshot v" + snapshot.version() + " does not list targets.json");
    }
    checkMetaFile(data, meta, "targets", Limits.TARGETS);
    Signed<TargetsMetadata> next = TargetsMetadata.parse(data);
    verify(Role.TARGETS, next);
    if (next.version() != meta.version()) {
      throw new VerificationException(
          Attack.MIX_AND_MATCH,
          "snapshot v"
              + snapshot.version()
              + " names targets v"
              + meta.version()
              + ", got v"
              + next.version());
    }
    next.signed().checkNotExpired(now);
    targets = next;
    targetsBytes = data.clone();
    return next;
  }

  /**
   * 5.6.7.2 for one delegated role: the delegator (top-level {@code "targets"} or a delegated role
   * loaded before) must delegate to {@code roleName}; the bytes must be what snapshot lists for
   * {@code ROLENAME.json}, meet the delegation's keys and threshold, have the version snapshot
   * names and not be expired. Asking for a role the delegator does not delegate to is a programming
   * error.
   */
  public Signed<TargetsMetadata> updateDelegatedTargets(
      byte[] data, String roleName, String delegatorName) throws VerificationException {
    if (targets == null) {
      throw new IllegalStateException("cannot load delegated targets before targets");
    }
    checkFinalSnapshot();
    Signed<TargetsMetadata> delegator =
        delegatorName.equals(Role.TARGETS.type()) ? targets : delegated.get(delegatorName);
    if (delegator == null) {
      throw new IllegalStateException("delegator " + delegatorName + " is not loaded");
    }
    Delegations d = delegator.signed().delegations();
    RoleKeys keys = d == null ? null : d.keysOf(roleName).orElse(null);
    if (keys == null) {
      throw new IllegalArgumentException(delegatorName + " does not delegate to " + roleName);
    }
    MetaFile meta = snapshot.signed().meta().get(roleName + ".json");
    if (meta == null) {
      throw new VerificationException(
          Attack.MIX_AND_MATCH,
          "snapshot v" + snapshot.version() + " does not list " + roleName + ".json");
    }
    checkMetaFile(data, meta, roleName, Limits.TARGETS);
    Signed<TargetsMetadata> next = TargetsMetadata.parse(data);
    RootMetadata.verifyThreshold(
        keys.keyIds(),
        d.keys(),
        keys.threshold(),
        next.signatures(),
        next.canonicalSigned(),
        "targets " + roleName + " v" + next.version() + " (delegated by " + delegatorName + ")");
    if (next.version() != meta.version()) {
      throw new VerificationException(
          Attack.MIX_AND_MATCH,
          "snapshot v"
              + snapshot.version()
              + " names "
              + roleName
              + " v"
              + meta.version()
              + ", got v"
              + next.version());
    }
    next.signed().checkNotExpired(now);
    delegated.put(roleName, next);
    return next;
  }

  /** A delegated targets role verified in this set, by name. */
  public Optional<Signed<TargetsMetadata>> delegatedTargets(String roleName) {
    return Optional.ofNullable(delegated.get(roleName));
  }

  private void verify(Role role, Signed<? extends RoleMetadata> md) throws VerificationException {
    try {
      root.signed().verifyRole(role, md);
    } catch (VerificationException e) {
      Set<String> gone = revoked.getOrDefault(role, Set.of());
      if (!gone.isEmpty() && md.signatures().stream().anyMatch(s -> gone.contains(s.keyId()))) {
        throw new VerificationException(
            Attack.UNKNOWN_KEY,
            role.type()
                + " v"
                + md.version()
                + " is signed by a key root v"
                + root.version()
                + " revoked ("
                + e.detail()
                + ")",
            e);
      }
      throw e;
    }
  }

  private static void checkLength(byte[] data, long max, String what) throws VerificationException {
    if (data == null) {
      throw new VerificationException(Attack.MALFORMED, what + ": no data");
    }
    if (data.length > max) {
      throw new VerificationException(
          Attack.ENDLESS_DATA, what + " is " + data.length + " bytes, limit " + max);
    }
  }

  private static void checkMetaFile(byte[] data, MetaFile meta, String what, long limit)
      throws VerificationException {
    long max = meta.length().orElse(limit);
    checkLength(data, Math.min(max, limit), what);
    if (meta.length().isPresent() && data.length != meta.length().getAsLong()) {
      throw new VerificationException(
          Attack.MIX_AND_MATCH,
          what
              + " is "
              + data.length
              + " bytes, the referring metadata says "
              + meta.length().getAsLong());
    }
    // Every listed hash this client supports must match; hashes are optional in the
    // specification, so a file described only by algorithms it lacks is judged by version alone.
    for (Map.Entry<String, String> h : meta.hashes().entrySet()) {
      if (!Hashing.supported(h.getKey())) {
        continue;
      }
      String actual = Hashing.hex(h.getKey(), data);
      if (!actual.equals(h.getValue())) {
        throw new VerificationException(
            Attack.MIX_AND_MATCH,
            what
                + " "
                + h.getKey()
                + " "
                + actual
                + " differs from the referring metadata's "
                + h.getValue());
      }
    }
  }

  public Signed<RootMetadata> root() {
    return root;
  }

  /** Records that trusted metadata dropped after a key rotation was a fast-forward. */
  void fastForwardUndone(String detail) {
    undone.add(detail);
  }

  /**
   * The fast-forwards this session undid: previously trusted timestamp or snapshot metadata of a
   * version above what the repository serves, signed by a key the new root revoked (TUF 5.3.11). A
   * client that did not drop them would refuse the repository's own metadata as a rollback.
   */
  public List<String> fastForwardsUndone() {
    return List.copyOf(undone);
  }

  public Optional<Signed<TimestampMetadata>> timestamp() {
    return Optional.ofNullable(timestamp);
  }

  public Optional<Signed<SnapshotMetadata>> snapshot() {
    return Optional.ofNullable(snapshot);
  }

  public Optional<Signed<TargetsMetadata>> targets() {
    return Optional.ofNullable(targets);
  }

  public byte[] rootBytes() {
    return rootBytes.clone();
  }

  public Optional<byte[]> timestampBytes() {
    return Optional.ofNullable(timestampBytes).map(byte[]::clone);
  }

  public Optional<byte[]> snapshotBytes() {
    return Optional.ofNullable(snapshotBytes).map(byte[]::clone);
  }

  public Optional<byte[]> targetsBytes() {
    return Optional.ofNullable(targetsBytes).map(byte[]::clone);
  }

  /**
   * The trusted bytes, to persist and rebuild from after a restart: every role verified so far,
   * also when the last update was refused.
   */
  public TrustedState state() {
    return new TrustedState(rootBytes.clone(), timestampBytes, snapshotBytes, targetsBytes);
  }
}
