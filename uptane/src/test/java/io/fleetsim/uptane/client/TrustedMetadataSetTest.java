package io.fleetsim.uptane.client;

import static io.fleetsim.uptane.Assertions2.assertRefused;
import static io.fleetsim.uptane.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.MetaFile;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.Signature;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.SnapshotMetadata;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.Repository;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrustedMetadataSetTest {
  private final Random rng = new Random(7);
  private final Repository repo = Repository.create("images", rng, T0, Expiries.defaults());

  private TrustedMetadataSet loadedUpToSnapshot() throws Exception {
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    set.updateTimestamp(repo.timestamp());
    set.updateSnapshot(repo.snapshot());
    return set;
  }

  private <M extends io.fleetsim.uptane.metadata.RoleMetadata> byte[] signAs(Role role, M body) {
    return Signed.sign(body, repo.signingKeys(role)).toBytes();
  }

  @Test
  void acceptsTheWholeChainInOrder() throws Exception {
    repo.addTarget(TargetFile.of("a.bin", new byte[] {1, 2, 3}, null));
    repo.publish(T0);
    TrustedMetadataSet set = loadedUpToSnapshot();
    set.updateTargets(repo.targets());
    assertEquals(2, set.targets().orElseThrow().version());
    assertTrue(set.targets().orElseThrow().signed().targets().containsKey("a.bin"));
  }

  @Test
  void outOfOrderCallsAreProgrammingErrors() throws Exception {
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    assertThrows(IllegalStateException.class, () -> set.updateSnapshot(repo.snapshot()));
    assertThrows(IllegalStateException.class, () -> set.updateTargets(repo.targets()));
    set.updateTimestamp(repo.timestamp());
    assertThrows(IllegalStateException.class, () -> set.updateRoot(repo.root(1)));
  }

  @Test
  void badSignature() throws Exception {
    Signed<TimestampMetadata> ts = repo.signedTimestamp();
    Signature s = ts.signatures().get(0);
    char[] sig = s.sig().toCharArray();
    sig[5] = sig[5] == 'a' ? 'b' : 'a';
    byte[] forged = ts.withSignatures(List.of(new Signature(s.keyId(), new String(sig)))).toBytes();
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    assertRefused(Attack.BAD_SIGNATURE, () -> set.updateTimestamp(forged));
    // Signature over other content: valid hex, wrong message.
    byte[] otherContent =
        ts.withSignatures(
                repo.signedSnapshot().signatures().stream()
                    .map(x -> new Signature(s.keyId(), x.sig()))
                    .toList())
            .toBytes();
    assertRefused(Attack.BAD_SIGNATURE, () -> set.updateTimestamp(otherContent));
    assertRefused(
        Attack.BAD_SIGNATURE,
        () ->
            set.updateTimestamp(
                ts.withSignatures(List.of(new Signature(s.keyId(), "zz"))).toBytes()));
  }

  @Test
  void signedByAKeyRootDoesNotTrustForTheRole() throws Exception {
    // The snapshot key signing a timestamp: a real signature, by the wrong role's key.
    Signed<TimestampMetadata> bySnapshotKey =
        Signed.sign(repo.signedTimestamp().signed(), repo.signingKeys(Role.SNAPSHOT));
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    assertRefused(Attack.UNKNOWN_KEY, () -> set.updateTimestamp(bySnapshotKey.toBytes()));
    assertRefused(
        Attack.THRESHOLD_NOT_MET,
        () -> set.updateTimestamp(repo.signedTimestamp().withSignatures(List.of()).toBytes()));
  }

  @Test
  void thresholdNotMet() throws Exception {
    Repository multi = Repository.create("multi", new Random(3), T0, Expiries.defaults(), 3, 2);
    TrustedMetadataSet ok = new TrustedMetadataSet(multi.root(1), T0);
    ok.updateTimestamp(multi.timestamp());
    Signed<TimestampMetadata> ts = multi.signedTimestamp();
    assertEquals(3, ts.signatures().size());
    // One valid signature repeated does not count twice: the envelope is invalid outright.
    Signature one = ts.signatures().get(0);
    byte[] single = ts.withSignatures(List.of(one, one, one)).toBytes();
    TrustedMetadataSet set = new TrustedMetadataSet(multi.root(1), T0);
    assertRefused(Attack.MALFORMED, () -> set.updateTimestamp(single));
    byte[] tooFew = ts.withSignatures(List.of(one)).toBytes();
    assertRefused(Attack.THRESHOLD_NOT_MET, () -> set.updateTimestamp(tooFew));
    // Root itself with one of two required signatures.
    Signed<io.fleetsim.uptane.metadata.RootMetadata> root = multi.currentRoot();
    byte[] weakRoot = root.withSignatures(List.of(root.signatures().get(0))).toBytes();
    assertRefused(Attack.THRESHOLD_NOT_MET, () -> new TrustedMetadataSet(weakRoot, T0));
  }

  @Test
  void rollbackOfTimestampSnapshotAndRoot() throws Exception {
    byte[] oldTimestamp = repo.timestamp();
    byte[] oldSnapshot = repo.snapshot();
    repo.publish(T0);
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    set.updateTimestamp(repo.timestamp());
    assertRefused(Attack.ROLLBACK, () -> set.updateTimestamp(oldTimestamp));

    // A newer timestamp that names an older snapshot.
    TimestampMetadata cur = repo.signedTimestamp().signed();
    byte[] tsOldSnap =
        signAs(
            Role.TIMESTAMP,
            new TimestampMetadata(cur.version() + 1, cur.expires(), MetaFile.of(1)));
    assertRefused(Attack.ROLLBACK, () -> set.updateTimestamp(tsOldSnap));

    // A newer snapshot naming an older targets version than the trusted snapshot did.
    TrustedMetadataSet set2 = new TrustedMetadataSet(repo.root(1), T0);
    set2.updateTimestamp(repo.timestamp());
    set2.updateSnapshot(repo.snapshot(), true);
    SnapshotMetadata sCur = repo.signedSnapshot().signed();
    byte[] snapOldTargets =
        signAs(
            Role.SNAPSHOT,
            new SnapshotMetadata(
                sCur.version(), sCur.expires(), Map.of("targets.json", MetaFile.of(1))));
    assertRefused(Attack.ROLLBACK, () -> set2.updateSnapshot(snapOldTargets, true));
    byte[] snapDropsTargets =
        signAs(Role.SNAPSHOT, new SnapshotMetadata(sCur.version(), sCur.expires(), Map.of()));
    assertRefused(Attack.ROLLBACK, () -> set2.updateSnapshot(snapDropsTargets, true));
    assertTrue(oldSnapshot.length > 0);

    repo.renewRoot(T0);
    repo.renewRoot(T0);
    TrustedMetadataSet roots = new TrustedMetadataSet(repo.root(2), T0);
    assertRefused(Attack.ROLLBACK, () -> roots.updateRoot(repo.root(1)));
    assertRefused(Attack.ROLLBACK, () -> roots.updateRoot(repo.root(2)));
    TrustedMetadataSet skip = new TrustedMetadataSet(repo.root(1), T0);
    assertRefused(Attack.FAST_FORWARD, () -> skip.updateRoot(repo.root(3)));
    skip.updateRoot(repo.root(2));
    skip.updateRoot(repo.root(3));
    assertEquals(3, skip.root().version());
  }

  @Test
  void freezeOnExpiredMetadataOfEveryRole() throws Exception {
    Instant late = T0.plus(Duration.ofDays(2));
    // Timestamp expires after a day.
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), late);
    assertRefused(Attack.FREEZE, () -> set.updateTimestamp(repo.timestamp()));

    repo.refreshTimestamp(late);
    TrustedMetadataSet set2 = new TrustedMetadataSet(repo.root(1), late);
    set2.updateTimestamp(repo.timestamp());
    set2.updateSnapshot(repo.snapshot()); // 7 days: still fresh
    set2.updateTargets(repo.targets());

    Instant muchLater = T0.plus(Duration.ofDays(10));
    repo.refreshTimestamp(muchLater);
    TrustedMetadataSet set3 = new TrustedMetadataSet(repo.root(1), muchLater);
    set3.updateTimestamp(repo.timestamp());
    assertRefused(Attack.FREEZE, () -> set3.updateSnapshot(repo.snapshot()));

    Instant afterTargets = T0.plus(Duration.ofDays(100));
    repo.refreshSnapshot(afterTargets);
    TrustedMetadataSet set4 = new TrustedMetadataSet(repo.root(1), afterTargets);
    set4.updateTimestamp(repo.timestamp());
    set4.updateSnapshot(repo.snapshot());
    assertRefused(Attack.FREEZE, () -> set4.updateTargets(repo.targets()));

    // The final root must be current before anything else is trusted.
    Instant afterRoot = T0.plus(Duration.ofDays(400));
    repo.publish(afterRoot);
    TrustedMetadataSet set5 = new TrustedMetadataSet(repo.root(1), afterRoot);
    assertRefused(Attack.FREEZE, () -> set5.updateTimestamp(repo.timestamp()));
  }

  @Test
  void mixAndMatch() throws Exception {
    repo.publish(T0); // targets v2, snapshot v2, timestamp v2
    byte[] targetsV2 = repo.targets();
    repo.publish(T0); // targets v3
    TrustedMetadataSet set = loadedUpToSnapshot();
    // Snapshot says targets v3, targets offered is v2 (and its hash differs too).
    assertRefused(Attack.MIX_AND_MATCH, () -> set.updateTargets(targetsV2));

    // Same check on versions alone when snapshot carries no hash.
    SnapshotMetadata s = repo.signedSnapshot().signed();
    byte[] snapNoHash =
        signAs(
            Role.SNAPSHOT,
            new SnapshotMetadata(
                s.version() + 1, s.expires(), Map.of("targets.json", MetaFile.of(3))));
    TimestampMetadata t = repo.signedTimestamp().signed();
    byte[] ts =
        signAs(
            Role.TIMESTAMP,
            new TimestampMetadata(t.version() + 1, t.expires(), MetaFile.of(s.version() + 1)));
    TrustedMetadataSet set2 = new TrustedMetadataSet(repo.root(1), T0);
    set2.updateTimestamp(ts);
    set2.updateSnapshot(snapNoHash);
    assertRefused(Attack.MIX_AND_MATCH, () -> set2.updateTargets(targetsV2));
    set2.updateTargets(repo.targets());

    // Snapshot not the one timestamp names (version, without hash).
    byte[] tsNoHash =
        signAs(
            Role.TIMESTAMP,
            new TimestampMetadata(t.version() + 1, t.expires(), MetaFile.of(s.version() + 5)));
    TrustedMetadataSet set3 = new TrustedMetadataSet(repo.root(1), T0);
    set3.updateTimestamp(tsNoHash);
    assertRefused(Attack.MIX_AND_MATCH, () -> set3.updateSnapshot(repo.snapshot()));

    // Snapshot bytes not matching the hash in timestamp.
    TrustedMetadataSet set4 = new TrustedMetadataSet(repo.root(1), T0);
    set4.updateTimestamp(repo.timestamp());
    assertRefused(Attack.MIX_AND_MATCH, () -> set4.updateSnapshot(snapNoHash));
  }

  @Test
  void endlessData() throws Exception {
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    byte[] huge = new byte[64 * 1024];
    java.util.Arrays.fill(huge, (byte) ' ');
    assertRefused(Attack.ENDLESS_DATA, () -> set.updateTimestamp(huge));
    set.updateTimestamp(repo.timestamp());
    // Longer than the length timestamp declares for snapshot.
    byte[] padded =
        (new String(repo.snapshot(), StandardCharsets.UTF_8) + "   ")
            .getBytes(StandardCharsets.UTF_8);
    assertRefused(Attack.ENDLESS_DATA, () -> set.updateSnapshot(padded));
    assertRefused(Attack.ENDLESS_DATA, () -> new TrustedMetadataSet(new byte[600 * 1024], T0));
    MetadataFetcher limited = MetadataFetcher.fromMap(Map.of("timestamp.json", huge));
    assertRefused(Attack.ENDLESS_DATA, () -> limited.fetch("timestamp.json", 16 * 1024));
  }

  @Test
  void wrongTypeOrGarbageIsMalformed() throws Exception {
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    assertRefused(Attack.MALFORMED, () -> set.updateTimestamp(repo.snapshot()));
    assertRefused(
        Attack.MALFORMED, () -> set.updateTimestamp("null".getBytes(StandardCharsets.UTF_8)));
    assertRefused(Attack.MALFORMED, () -> set.updateTimestamp(null));
    assertRefused(Attack.MALFORMED, () -> new TrustedMetadataSet(repo.targets(), T0));
    assertRefused(
        Attack.MALFORMED,
        () ->
            set.updateRoot(
                "{\"signatures\":[],\"signed\":{\"_type\":\"root\"}}"
                    .getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void fastForwardIsUndoneByRotatingTheTimestampKey() throws Exception {
    // An attacker holding the timestamp key signs a far-future version; the client trusts it.
    TimestampMetadata cur = repo.signedTimestamp().signed();
    byte[] fastForwarded =
        signAs(Role.TIMESTAMP, new TimestampMetadata(1000, cur.expires(), cur.snapshot()));
    RepositoryClient client = new RepositoryClient(repo.root(1));
    Map<String, byte[]> evil = new java.util.HashMap<>(repo.files());
    evil.put("timestamp.json", fastForwarded);
    client.refresh(MetadataFetcher.fromMap(evil), T0);
    assertEquals(1000, client.lastRefresh().orElseThrow().timestamp().orElseThrow().version());

    // Without a rotation the honest repository can never catch up: it looks like a rollback.
    repo.publish(T0);
    assertRefused(Attack.ROLLBACK, () -> client.refresh(MetadataFetcher.fromMap(repo.files()), T0));

    // The repository rotates the timestamp key (root v2 signed by old and new root keys).
    repo.rotateKey(Role.TIMESTAMP, rng, T0);
    assertEquals(2, repo.rootVersion());
    // The attacker keeps serving the old-key timestamp: refused, its key being no longer trusted.
    Map<String, byte[]> stillEvil = new java.util.HashMap<>(repo.files());
    stillEvil.put("timestamp.json", fastForwarded);
    assertRefused(Attack.UNKNOWN_KEY, () -> client.refresh(MetadataFetcher.fromMap(stillEvil), T0));
    // The honest files are accepted: the trusted v1000 no longer verifies and is dropped, and the
    // client says it undid a fast-forward.
    TrustedMetadataSet set = client.refresh(MetadataFetcher.fromMap(repo.files()), T0);
    assertTrue(set.timestamp().orElseThrow().version() < 1000);
    assertEquals(2, set.root().version());
    assertEquals(1, set.fastForwardsUndone().size());
    assertTrue(set.fastForwardsUndone().get(0).startsWith("trusted timestamp v1000 "));
    // Once dropped it is gone: the next refresh undoes nothing.
    assertEquals(
        List.of(), client.refresh(MetadataFetcher.fromMap(repo.files()), T0).fastForwardsUndone());
  }

  @Test
  void aRotationUndoesAFastForwardInTheRefreshThatFetchesTheNewRoot() throws Exception {
    TimestampMetadata cur = repo.signedTimestamp().signed();
    byte[] fastForwarded =
        signAs(Role.TIMESTAMP, new TimestampMetadata(1000, cur.expires(), cur.snapshot()));
    RepositoryClient client = new RepositoryClient(repo.root(1));
    Map<String, byte[]> evil = new java.util.HashMap<>(repo.files());
    evil.put("timestamp.json", fastForwarded);
    client.refresh(MetadataFetcher.fromMap(evil), T0);
    repo.rotateKey(Role.TIMESTAMP, rng, T0);
    repo.publish(T0);
    TrustedMetadataSet set = client.refresh(MetadataFetcher.fromMap(repo.files()), T0);
    assertEquals(2, set.root().version());
    assertEquals(1, set.fastForwardsUndone().size());
  }

  @Test
  void anOrdinaryRotationUndoesNothing() throws Exception {
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(MetadataFetcher.fromMap(repo.files()), T0);
    repo.rotateKey(Role.TIMESTAMP, rng, T0);
    repo.publish(T0);
    TrustedMetadataSet set = client.refresh(MetadataFetcher.fromMap(repo.files()), T0);
    assertEquals(2, set.root().version());
    assertEquals(List.of(), set.fastForwardsUndone());
  }

  @Test
  void rotatingTheSnapshotKeyRecoversFromAFastForwardedSnapshot() throws Exception {
    SnapshotMetadata s = repo.signedSnapshot().signed();
    Signed<SnapshotMetadata> evilSnap =
        Signed.sign(
            new SnapshotMetadata(500, s.expires(), s.meta()), repo.signingKeys(Role.SNAPSHOT));
    TimestampMetadata t = repo.signedTimestamp().signed();
    byte[] evilTs =
        signAs(
            Role.TIMESTAMP,
            new TimestampMetadata(
                t.version() + 1, t.expires(), MetaFile.describing(500, evilSnap.toBytes())));
    RepositoryClient client = new RepositoryClient(repo.root(1));
    Map<String, byte[]> evil = new java.util.HashMap<>(repo.files());
    evil.put("timestamp.json", evilTs);
    evil.put("snapshot.json", evilSnap.toBytes());
    client.refresh(MetadataFetcher.fromMap(evil), T0);

    repo.rotateKey(Role.TIMESTAMP, rng, T0);
    repo.rotateKey(Role.SNAPSHOT, rng, T0);
    TrustedMetadataSet set = client.refresh(MetadataFetcher.fromMap(repo.files()), T0);
    assertTrue(set.snapshot().orElseThrow().version() < 500);
  }

  @Test
  void clientSkipsFetchingWhatItAlreadyTrusts() throws Exception {
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(MetadataFetcher.fromMap(repo.files()), T0);
    List<String> fetched = new java.util.ArrayList<>();
    Map<String, byte[]> files = repo.files();
    client.refresh(
        (name, max) -> {
          fetched.add(name);
          return MetadataFetcher.fromMap(files).fetch(name, max);
        },
        T0);
    assertEquals(List.of("2.root.json", "timestamp.json"), fetched);
    TrustedState state = client.state();
    RepositoryClient restarted = new RepositoryClient(state);
    restarted.refresh(MetadataFetcher.fromMap(files), T0);
    assertEquals(
        client.targets().orElseThrow().version(), restarted.targets().orElseThrow().version());
  }

  @Test
  void unsignedDataInATargetsFileIsRefused() throws Exception {
    TargetsMetadata tm = repo.signedTargets().signed();
    TargetsMetadata extra =
        new TargetsMetadata(
            tm.version(),
            tm.expires(),
            Map.of("evil.bin", TargetFile.of("evil.bin", new byte[] {6}, Json.NULL)));
    byte[] forged =
        new Signed<>(
                extra,
                repo.signedTargets().signatures(),
                io.fleetsim.uptane.json.CanonicalJson.write(extra.toJson()))
            .toBytes();
    TrustedMetadataSet set = loadedUpToSnapshot();
    // The length pinned in snapshot catches it first.
    assertRefused(Attack.ENDLESS_DATA, () -> set.updateTargets(forged));
    // Without length and hash in snapshot, the signature check does.
    SnapshotMetadata s = repo.signedSnapshot().signed();
    byte[] snap =
        signAs(
            Role.SNAPSHOT,
            new SnapshotMetadata(
                s.version() + 1, s.expires(), Map.of("targets.json", MetaFile.of(tm.version()))));
    TimestampMetadata t = repo.signedTimestamp().signed();
    byte[] ts =
        signAs(
            Role.TIMESTAMP,
            new TimestampMetadata(t.version() + 1, t.expires(), MetaFile.of(s.version() + 1)));
    TrustedMetadataSet unpinned = new TrustedMetadataSet(repo.root(1), T0);
    unpinned.updateTimestamp(ts);
    unpinned.updateSnapshot(snap);
    assertRefused(Attack.BAD_SIGNATURE, () -> unpinned.updateTargets(forged));
    SigningKey attacker = SigningKey.generate(new Random(99));
    byte[] attackerSigned = Signed.sign(extra, List.of(attacker)).toBytes();
    assertRefused(Attack.UNKNOWN_KEY, () -> unpinned.updateTargets(attackerSigned));
    unpinned.updateTargets(repo.targets());
  }
}
