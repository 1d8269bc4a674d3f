package io.fleetsim.uptane.repository;

import static io.fleetsim.uptane.Assertions2.assertRefused;
import static io.fleetsim.uptane.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.client.MetadataFetcher;
import io.fleetsim.uptane.client.RepositoryClient;
import io.fleetsim.uptane.client.TrustedMetadataSet;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.RootMetadata;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.SnapshotMetadata;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryTest {
  @Test
  void sameSeedSameRepository() {
    Repository a = Repository.create("r", new Random(5), T0, Expiries.defaults());
    Repository b = Repository.create("r", new Random(5), T0, Expiries.defaults());
    Repository c = Repository.create("r", new Random(6), T0, Expiries.defaults());
    assertArrayEquals(a.root(1), b.root(1));
    assertArrayEquals(a.timestamp(), b.timestamp());
    assertNotEquals(new String(a.root(1)), new String(c.root(1)));
  }

  @Test
  void writtenParsedAndVerifiedAgainByteIdentical() throws Exception {
    Repository r = Repository.create("r", new Random(5), T0, Expiries.defaults());
    r.addTarget(TargetFile.of("x/ü.bin", new byte[] {9, 9}, Json.obj("note", Json.str("q\"\\"))));
    r.publish(T0);
    assertArrayEquals(r.root(1), RootMetadata.parse(r.root(1)).toBytes());
    assertArrayEquals(r.targets(), TargetsMetadata.parse(r.targets()).toBytes());
    assertArrayEquals(r.snapshot(), SnapshotMetadata.parse(r.snapshot()).toBytes());
    assertArrayEquals(r.timestamp(), TimestampMetadata.parse(r.timestamp()).toBytes());
    // The indented form carries the same signed content and verifies too.
    Signed<TargetsMetadata> t = r.signedTargets();
    Signed<TargetsMetadata> fromPretty = TargetsMetadata.parse(t.toPrettyBytes());
    assertArrayEquals(t.canonicalSigned(), fromPretty.canonicalSigned());
    assertEquals(t.signed(), fromPretty.signed());
    r.currentRoot().signed().verifyRole(Role.TARGETS, fromPretty);
    assertEquals(Signed.parseAny(r.snapshot(), 1 << 20).signed().role(), Role.SNAPSHOT);
  }

  @Test
  void rotationNeedsTheOldAndTheNewRootThresholds() throws Exception {
    Repository r = Repository.create("r", new Random(8), T0, Expiries.defaults(), 2, 2);
    List<SigningKey> oldRootKeys = r.signingKeys(Role.ROOT);
    r.rotateKey(Role.ROOT, new Random(9), T0);
    Signed<RootMetadata> v2 = r.currentRoot();
    assertEquals(4, v2.signatures().size());
    TrustedMetadataSet ok = new TrustedMetadataSet(r.root(1), T0);
    ok.updateRoot(r.root(2));

    // Only the new keys: the old root's threshold is not met.
    Signed<RootMetadata> onlyNew = Signed.sign(v2.signed(), r.signingKeys(Role.ROOT));
    assertRefused(
        Attack.UNKNOWN_KEY,
        () -> new TrustedMetadataSet(r.root(1), T0).updateRoot(onlyNew.toBytes()));
    // Only the old keys: the new root's own threshold is not met.
    Signed<RootMetadata> onlyOld = Signed.sign(v2.signed(), oldRootKeys);
    assertRefused(
        Attack.UNKNOWN_KEY,
        () -> new TrustedMetadataSet(r.root(1), T0).updateRoot(onlyOld.toBytes()));
    // One old and one new key: neither threshold of two is met.
    Signed<RootMetadata> half =
        Signed.sign(v2.signed(), List.of(oldRootKeys.get(0), r.signingKeys(Role.ROOT).get(0)));
    assertRefused(
        Attack.THRESHOLD_NOT_MET,
        () -> new TrustedMetadataSet(r.root(1), T0).updateRoot(half.toBytes()));
  }

  @Test
  void clientFollowsRotationsOfEveryRole() throws Exception {
    Repository r = Repository.create("r", new Random(10), T0, Expiries.defaults());
    RepositoryClient client = new RepositoryClient(r.root(1));
    client.refresh(MetadataFetcher.fromMap(r.files()), T0);
    Random rng = new Random(11);
    for (Role role : List.of(Role.TARGETS, Role.SNAPSHOT, Role.TIMESTAMP, Role.ROOT)) {
      r.rotateKey(role, rng, T0);
      r.addTarget(TargetFile.of(role.type() + ".bin", role.type().getBytes(), null));
      r.publish(T0);
      TrustedMetadataSet set = client.refresh(MetadataFetcher.fromMap(r.files()), T0);
      assertTrue(set.targets().orElseThrow().signed().targets().containsKey(role.type() + ".bin"));
    }
    assertEquals(5, client.lastRefresh().orElseThrow().root().version());
  }

  @Test
  void refreshingTheTimestampKeepsClientsOutOfAFreeze() throws Exception {
    Repository r = Repository.create("r", new Random(12), T0, Expiries.defaults());
    RepositoryClient client = new RepositoryClient(r.root(1));
    client.refresh(MetadataFetcher.fromMap(r.files()), T0);
    java.time.Instant later = T0.plus(Duration.ofHours(30));
    assertRefused(Attack.FREEZE, () -> client.refresh(MetadataFetcher.fromMap(r.files()), later));
    r.refreshTimestamp(later);
    client.refresh(MetadataFetcher.fromMap(r.files()), later);
  }

  @Test
  void saveAndLoadKeepKeysRootsAndTargets(@TempDir Path dir) throws Exception {
    Repository r = Repository.create("images", new Random(13), T0, Expiries.defaults());
    r.addTarget(TargetFile.of("a.bin", new byte[] {1}, null));
    r.publish(T0);
    r.rotateKey(Role.SNAPSHOT, new Random(14), T0);
    r.save(dir);
    assertTrue(Files.exists(dir.resolve("2.root.json")));
    assertTrue(Files.exists(dir.resolve("keys/keys.json")));
    Repository loaded = Repository.load(dir);
    assertEquals(r.files().keySet(), loaded.files().keySet());
    for (Map.Entry<String, byte[]> e : r.files().entrySet()) {
      assertArrayEquals(e.getValue(), loaded.files().get(e.getKey()), e.getKey());
    }
    loaded.addTarget(TargetFile.of("b.bin", new byte[] {2}, null));
    loaded.publish(T0);
    RepositoryClient client = new RepositoryClient(r.root(1));
    TrustedMetadataSet set = client.refresh(MetadataFetcher.fromMap(loaded.files()), T0);
    assertEquals(
        List.of("a.bin", "b.bin"),
        new ArrayList<>(set.targets().orElseThrow().signed().targets().keySet()));
    assertThrows(IllegalArgumentException.class, () -> Repository.importState(Map.of()));
  }

  @Test
  void directorStateRoundTripsAndRefusesBadAssignments() {
    DirectorSigner d = DirectorSigner.create(new Random(15), T0, Expiries.defaults());
    DirectorSigner restored = DirectorSigner.importState(d.exportState());
    assertArrayEquals(d.root(1), restored.root(1));
    assertEquals(d.targetsKey(), restored.targetsKey());
    TargetFile t = TargetFile.of("a.bin", new byte[] {1}, null);
    assertThrows(IllegalArgumentException.class, () -> d.signFor("V", 1, List.of(t), T0));
    var ecu = new io.fleetsim.uptane.metadata.EcuTargetCustom("e1", "hw", 1);
    assertThrows(
        IllegalArgumentException.class,
        () -> d.signFor("V", 1, List.of(t.forEcu(ecu), t.forEcu(ecu)), T0));
    VehicleMetadata vm = d.signFor("V", 1, List.of(t.forEcu(ecu)), T0);
    VehicleMetadata refreshed = d.refreshTimestamp(vm, 2, T0.plus(Duration.ofHours(20)));
    assertArrayEquals(vm.targets(), refreshed.targets());
    assertNotEquals(new String(vm.timestamp()), new String(refreshed.timestamp()));
  }
}
