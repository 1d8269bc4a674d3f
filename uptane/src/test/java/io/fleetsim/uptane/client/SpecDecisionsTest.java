package io.fleetsim.uptane.client;

import static io.fleetsim.uptane.Assertions2.assertRefused;
import static io.fleetsim.uptane.Fixtures.T0;
import static io.fleetsim.uptane.HandMade.with;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.HandMade;
import io.fleetsim.uptane.HandMade.Signer;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.MetaFile;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.Signature;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.Repository;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Decisions the specification makes differently from a first reading: what is kept after a failed
 * refresh, how key ids are computed, what an unmeetable threshold spoils, and unique signatures.
 */
class SpecDecisionsTest {
  private final Random rng = new Random(15);
  private final Repository repo = Repository.create("images", rng, T0, Expiries.defaults());

  private Json.Obj rootV2() {
    return with(repo.currentRoot().signed().toJson(), "version", Json.num(2));
  }

  private byte[] signedByRoot(Json.Obj root) {
    return HandMade.envelope(root, List.of(Signer.of(repo.signingKeys(Role.ROOT).get(0))));
  }

  @Test
  void keyIdsAreComputedOverTheKeyAsWrittenIncludingUnknownFields() throws Exception {
    Json.Obj root = rootV2();
    Json.Obj keys = (Json.Obj) root.get("keys");
    SigningKey ts = repo.signingKeys(Role.TIMESTAMP).get(0);
    Json.Obj legacy =
        with(
            (Json.Obj) keys.get(ts.keyId()),
            "keyid_hash_algorithms",
            HandMade.strings(List.of("sha256", "sha512")));
    String legacyId = HandMade.keyId(legacy);
    Json.Obj roles = (Json.Obj) root.get("roles");
    root =
        with(
            with(root, "keys", with(keys, legacyId, legacy)),
            "roles",
            with(
                roles,
                "timestamp",
                Json.obj("keyids", HandMade.strings(List.of(legacyId)), "threshold", Json.num(1))));
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    set.updateRoot(signedByRoot(root));
    byte[] timestamp =
        HandMade.envelope(
            repo.signedTimestamp().signed().toJson(), List.of(Signer.of(legacyId, ts)));
    assertEquals(1, set.updateTimestamp(timestamp).version());

    // A key id that is not the hash of the key as written is still refused.
    Json.Obj wrongId =
        with(
            with(root, "keys", with(keys, legacyId, keys.get(ts.keyId()))), "version", Json.num(2));
    assertRefused(
        Attack.MALFORMED,
        () -> new TrustedMetadataSet(repo.root(1), T0).updateRoot(signedByRoot(wrongId)));
  }

  @Test
  void aThresholdAboveTheKeyCountSpoilsThatRoleNotTheRoot() throws Exception {
    Json.Obj root = rootV2();
    Json.Obj roles = (Json.Obj) root.get("roles");
    Json.Obj targets = (Json.Obj) roles.get("targets");
    root = with(root, "roles", with(roles, "targets", with(targets, "threshold", Json.num(2))));
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    assertEquals(2, set.updateRoot(signedByRoot(root)).version());
    set.updateTimestamp(repo.timestamp());
    set.updateSnapshot(repo.snapshot());
    assertRefused(Attack.THRESHOLD_NOT_MET, () -> set.updateTargets(repo.targets()));

    // The root role itself unmeetable: that root cannot be trusted, it cannot sign itself.
    Json.Obj rootRole = (Json.Obj) roles.get("root");
    Json.Obj selfSpoiled =
        with(rootV2(), "roles", with(roles, "root", with(rootRole, "threshold", Json.num(2))));
    assertRefused(
        Attack.THRESHOLD_NOT_MET,
        () -> new TrustedMetadataSet(repo.root(1), T0).updateRoot(signedByRoot(selfSpoiled)));
  }

  @Test
  void theSameSignatureTwiceMakesMetadataInvalid() throws Exception {
    Signed<?> snapshot = repo.signedSnapshot();
    Signature once = snapshot.signatures().get(0);
    byte[] twice = snapshot.withSignatures(List.of(once, once)).toBytes();
    byte[] timestamp =
        Signed.sign(
                new TimestampMetadata(
                    2,
                    repo.signedTimestamp().signed().expires(),
                    MetaFile.describing(snapshot.version(), twice)),
                repo.signingKeys(Role.TIMESTAMP))
            .toBytes();
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    set.updateTimestamp(timestamp);
    assertRefused(Attack.MALFORMED, () -> set.updateSnapshot(twice));
  }

  @Test
  void aRefreshFailingAtSnapshotKeepsTheNewRootAndTimestamp() throws Exception {
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(MetadataFetcher.fromMap(repo.files()), T0);
    TrustedState before = client.state();

    repo.rotateKey(Role.TIMESTAMP, rng, T0);
    repo.refreshSnapshot(T0);
    Map<String, byte[]> files = new LinkedHashMap<>(repo.files());
    files.put("snapshot.json", "{\"not\":\"a snapshot\"}".getBytes(StandardCharsets.UTF_8));
    assertRefused(Attack.MIX_AND_MATCH, () -> client.refresh(MetadataFetcher.fromMap(files), T0));

    TrustedState after = client.state();
    assertArrayEquals(repo.root(2), after.root());
    assertArrayEquals(repo.timestamp(), after.timestamp());
    assertArrayEquals(before.snapshot(), after.snapshot());
    assertArrayEquals(before.targets(), after.targets());
    // And a fresh client built from that state no longer needs the old root.
    RepositoryClient restarted = new RepositoryClient(after);
    restarted.refresh(MetadataFetcher.fromMap(repo.files()), T0);
    assertEquals(2, restarted.lastRefresh().orElseThrow().root().version());
  }

  @Test
  void aRootChainBrokenHalfwayKeepsTheRootsVerifiedSoFarAndTheOldBaseline() throws Exception {
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(MetadataFetcher.fromMap(repo.files()), T0);
    byte[] oldTimestamp = client.state().timestamp();

    repo.renewRoot(T0);
    repo.renewRoot(T0);
    Map<String, byte[]> files = new LinkedHashMap<>(repo.files());
    byte[] bad = repo.root(3).clone();
    bad[bad.length / 2] ^= 1;
    files.put("3.root.json", bad);
    VerificationExceptionHolder.refused(() -> client.refresh(MetadataFetcher.fromMap(files), T0));

    assertArrayEquals(repo.root(2), client.state().root());
    assertNotNull(client.state().timestamp());
    assertArrayEquals(oldTimestamp, client.state().timestamp());
  }

  @Test
  void aSnapshotTheTimestampDoesNotNameIsNeverKept() throws Exception {
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    // Timestamp names snapshot v1 by version only; a validly signed v2 arrives.
    byte[] timestamp =
        Signed.sign(
                new TimestampMetadata(2, repo.signedTimestamp().signed().expires(), MetaFile.of(1)),
                repo.signingKeys(Role.TIMESTAMP))
            .toBytes();
    byte[] snapshotV2 =
        Signed.sign(
                new io.fleetsim.uptane.metadata.SnapshotMetadata(
                    2,
                    repo.signedSnapshot().signed().expires(),
                    repo.signedSnapshot().signed().meta()),
                repo.signingKeys(Role.SNAPSHOT))
            .toBytes();
    set.updateTimestamp(timestamp);
    assertRefused(Attack.MIX_AND_MATCH, () -> set.updateSnapshot(snapshotV2));
    assertEquals(null, set.state().snapshot());
    assertArrayEquals(timestamp, set.state().timestamp());
  }

  /** Any refusal will do where the exact attack depends on which byte was flipped. */
  static final class VerificationExceptionHolder {
    static void refused(io.fleetsim.uptane.Assertions2.Check c) {
      try {
        c.run();
      } catch (io.fleetsim.uptane.VerificationException e) {
        return;
      } catch (Exception e) {
        throw new AssertionError("expected a refusal, got " + e, e);
      }
      throw new AssertionError("expected a refusal, but the check passed");
    }
  }
}
