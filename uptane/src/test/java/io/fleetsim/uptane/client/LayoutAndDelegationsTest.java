package io.fleetsim.uptane.client;

import static io.fleetsim.uptane.Assertions2.assertRefused;
import static io.fleetsim.uptane.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.crypto.SigningKey;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Consistent snapshots, typed fetch results and delegated targets, through the client. */
class LayoutAndDelegationsTest {
  private final Random rng = new Random(77);
  private final Repository repo = Repository.create("images", rng, T0, Expiries.defaults());
  private final byte[] brakeImage = "brake 3.0".getBytes(StandardCharsets.UTF_8);
  private final TargetFile brake = TargetFile.of("brake/fw-3.0.bin", brakeImage, null);

  /** Only what a standard consistent-snapshot repository serves: no plain snapshot/targets. */
  private Map<String, byte[]> consistentOnly() {
    Map<String, byte[]> files = new LinkedHashMap<>(repo.consistentFiles());
    files.remove("snapshot.json");
    files.remove("targets.json");
    for (String r : repo.delegatedRoles()) {
      files.remove(r + ".json");
    }
    return files;
  }

  private static RepositoryFetcher recording(Map<String, byte[]> files, List<String> asked) {
    RepositoryFetcher inner = RepositoryFetcher.fromMap(files);
    return new RepositoryFetcher() {
      @Override
      public FetchResult fetchMetadata(MetadataRequest r) {
        asked.add(r.fileName());
        return inner.fetchMetadata(r);
      }

      @Override
      public FetchResult fetchTarget(String fileName, long maxLength) {
        asked.add("targets/" + fileName);
        return inner.fetchTarget(fileName, maxLength);
      }
    };
  }

  @Test
  void fleetsimRepositoriesAnnounceConsistentSnapshots() {
    assertTrue(repo.currentRoot().signed().consistentSnapshot());
    assertTrue(repo.files().containsKey("snapshot.json"));
    assertTrue(repo.consistentFiles().containsKey("1.snapshot.json"));
  }

  @Test
  void aConsistentRepositoryIsReadByVersionedNames() throws Exception {
    repo.addTarget(brake);
    repo.publish(T0);
    repo.publish(T0);
    // A name-only fetcher over a standard layout: today's client asked for snapshot.json.
    RepositoryClient legacy = new RepositoryClient(repo.root(1));
    legacy.refresh(MetadataFetcher.fromMap(consistentOnly()), T0);
    assertEquals(3, legacy.targets().orElseThrow().version());

    List<String> asked = new ArrayList<>();
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(recording(consistentOnly(), asked), T0);
    assertEquals(
        List.of("2.root.json", "timestamp.json", "3.snapshot.json", "3.targets.json"), asked);
  }

  @Test
  void aVersionedNameServingOtherBytesIsRefused() throws Exception {
    byte[] oldSnapshot = repo.snapshot();
    repo.publish(T0);
    Map<String, byte[]> files = consistentOnly();
    files.put("2.snapshot.json", oldSnapshot);
    RepositoryClient client = new RepositoryClient(repo.root(1));
    assertRefused(Attack.MIX_AND_MATCH, () -> client.refresh(RepositoryFetcher.fromMap(files), T0));
  }

  @Test
  void targetsAreDownloadedAsHashDotName() throws Exception {
    repo.addTarget(brake);
    repo.publish(T0);
    Map<String, byte[]> files = consistentOnly();
    String hashed = RepositoryClient.targetFileName(brake, true);
    assertEquals("brake/" + brake.sha256() + ".fw-3.0.bin", hashed);
    files.put("targets/" + hashed, brakeImage);
    List<String> asked = new ArrayList<>();
    RepositoryFetcher fetcher = recording(files, asked);
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(fetcher, T0);
    TargetFile t = client.findTarget("brake/fw-3.0.bin").orElseThrow();
    assertArrayEquals(brakeImage, client.downloadTarget(t, fetcher));
    assertEquals("targets/" + hashed, asked.get(asked.size() - 1));

    files.put("targets/" + hashed, "brake 3.O".getBytes(StandardCharsets.UTF_8));
    assertRefused(Attack.ARBITRARY_SOFTWARE, () -> client.downloadTarget(t, fetcher));
    files.remove("targets/" + hashed);
    FetchException e = assertThrows(FetchException.class, () -> client.downloadTarget(t, fetcher));
    assertEquals(FetchFailure.NOT_FOUND, e.failure());
  }

  @Test
  void networkFailuresAreTypedNotAttacks() throws Exception {
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(RepositoryFetcher.fromMap(repo.consistentFiles()), T0);
    TrustedState before = client.state();
    repo.renewRoot(T0);
    repo.publish(T0);
    for (FetchFailure f : FetchFailure.values()) {
      Map<String, byte[]> files = repo.consistentFiles();
      RepositoryFetcher failingAtTimestamp =
          new RepositoryFetcher() {
            @Override
            public FetchResult fetchMetadata(MetadataRequest r) {
              return r.role().equals("timestamp")
                  ? FetchResult.failed(f, "simulated")
                  : RepositoryFetcher.fromMap(files).fetchMetadata(r);
            }
          };
      RepositoryClient c = new RepositoryClient(before);
      FetchException e =
          assertThrows(FetchException.class, () -> c.refresh(failingAtTimestamp, T0));
      assertEquals(f, e.failure());
      assertEquals("timestamp.json", e.fileName());
      // The new root verified before the failure stays trusted.
      assertArrayEquals(repo.root(2), c.state().root());
    }
    // A root that cannot be fetched for another reason than absence does not end the chain.
    RepositoryFetcher rootDown =
        r ->
            r.role().equals("root")
                ? FetchResult.failed(FetchFailure.SERVER_ERROR, "503")
                : RepositoryFetcher.fromMap(repo.consistentFiles()).fetchMetadata(r);
    FetchException e =
        assertThrows(
            FetchException.class, () -> new RepositoryClient(before).refresh(rootDown, T0));
    assertEquals(FetchFailure.SERVER_ERROR, e.failure());
    // Too large is reported by the fetcher, and enforced if it returns more anyway.
    RepositoryFetcher bloated =
        r ->
            r.role().equals("timestamp")
                ? FetchResult.found(new byte[(int) r.maxLength() + 1])
                : RepositoryFetcher.fromMap(repo.consistentFiles()).fetchMetadata(r);
    e = assertThrows(FetchException.class, () -> new RepositoryClient(before).refresh(bloated, T0));
    assertEquals(FetchFailure.TOO_LARGE, e.failure());
  }

  @Test
  void aNameOnlyFetcherSeenAsARepositoryFetcher() {
    byte[] big = new byte[100];
    RepositoryFetcher f =
        RepositoryFetcher.of(MetadataFetcher.fromMap(Map.of("snapshot.json", big)));
    MetadataRequest consistent =
        new MetadataRequest("snapshot", java.util.OptionalInt.of(4), "4.snapshot.json", 1000);
    // The versioned name is absent: the plain one is what fleetsim's entities serve.
    assertArrayEquals(big, ((FetchResult.Found) f.fetchMetadata(consistent)).data());
    MetadataRequest small =
        new MetadataRequest("snapshot", java.util.OptionalInt.of(4), "4.snapshot.json", 10);
    assertEquals(FetchFailure.TOO_LARGE, ((FetchResult.Failed) f.fetchMetadata(small)).failure());
    MetadataRequest root =
        new MetadataRequest("root", java.util.OptionalInt.of(2), "2.root.json", 1000);
    assertEquals(FetchFailure.NOT_FOUND, ((FetchResult.Failed) f.fetchMetadata(root)).failure());
  }

  private List<SigningKey> keys(int n) {
    List<SigningKey> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(SigningKey.generate(rng));
    }
    return out;
  }

  @Test
  void aSupplierDelegationIsFollowed() throws Exception {
    repo.delegate("brake-supplier", keys(1), 1, List.of("brake/*"), false);
    repo.addTarget("brake-supplier", brake);
    repo.publish(T0);
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(RepositoryFetcher.fromMap(consistentOnly()), T0);
    // The top-level targets lists nothing itself.
    assertTrue(client.targets().orElseThrow().signed().targets().isEmpty());
    assertEquals(brake, client.findTarget("brake/fw-3.0.bin").orElseThrow());
    assertTrue(client.findTarget("tcu/fw.bin").isEmpty());
    assertTrue(client.findTarget("brake/sub/fw.bin").isEmpty());
    assertThrows(
        IllegalArgumentException.class,
        () -> repo.addTarget("brake-supplier", TargetFile.of("tcu/x.bin", new byte[] {1}, null)));
  }

  /**
   * A set trusting the repository's targets, with a snapshot (signed by the snapshot key, as a
   * compromised snapshot key could) describing {@code delegated} as {@code role}'s metadata at
   * {@code listedVersion}: only the delegation's keys and the version rules stand in the way.
   */
  private TrustedMetadataSet describing(String role, byte[] delegated, int listedVersion)
      throws Exception {
    SnapshotMetadata sm = repo.signedSnapshot().signed();
    Map<String, MetaFile> meta = new LinkedHashMap<>(sm.meta());
    meta.put(role + ".json", MetaFile.describing(listedVersion, delegated));
    byte[] snapshot =
        Signed.sign(
                new SnapshotMetadata(sm.version() + 1, sm.expires(), meta),
                repo.signingKeys(Role.SNAPSHOT))
            .toBytes();
    TimestampMetadata tm = repo.signedTimestamp().signed();
    byte[] timestamp =
        Signed.sign(
                new TimestampMetadata(
                    tm.version() + 1,
                    tm.expires(),
                    MetaFile.describing(sm.version() + 1, snapshot)),
                repo.signingKeys(Role.TIMESTAMP))
            .toBytes();
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    set.updateTimestamp(timestamp);
    set.updateSnapshot(snapshot);
    set.updateTargets(repo.targets());
    return set;
  }

  @Test
  void delegatedMetadataIsCheckedAgainstTheDelegationsKeysVersionAndExpiry() throws Exception {
    List<SigningKey> supplier = keys(2);
    String role = "brake-supplier";
    repo.delegate(role, supplier, 2, List.of("brake/*"), false);
    repo.addTarget(role, brake);
    repo.publish(T0);
    TargetsMetadata body = repo.signedDelegatedTargets(role).signed();

    byte[] good = repo.signedDelegatedTargets(role).toBytes();
    assertEquals(
        1, describing(role, good, 1).updateDelegatedTargets(good, role, "targets").version());

    byte[] byAttacker = Signed.sign(body, keys(1)).toBytes();
    assertRefused(
        Attack.UNKNOWN_KEY,
        () -> describing(role, byAttacker, 1).updateDelegatedTargets(byAttacker, role, "targets"));
    byte[] byTopLevel = Signed.sign(body, repo.signingKeys(Role.TARGETS)).toBytes();
    assertRefused(
        Attack.UNKNOWN_KEY,
        () -> describing(role, byTopLevel, 1).updateDelegatedTargets(byTopLevel, role, "targets"));
    byte[] oneOfTwo = Signed.sign(body, supplier.subList(0, 1)).toBytes();
    assertRefused(
        Attack.THRESHOLD_NOT_MET,
        () -> describing(role, oneOfTwo, 1).updateDelegatedTargets(oneOfTwo, role, "targets"));
    Signed<TargetsMetadata> signed = Signed.sign(body, supplier);
    Signature s0 = signed.signatures().get(0);
    char[] c = s0.sig().toCharArray();
    c[3] = c[3] == '0' ? '1' : '0';
    byte[] tampered =
        signed
            .withSignatures(
                List.of(new Signature(s0.keyId(), new String(c)), signed.signatures().get(1)))
            .toBytes();
    assertRefused(
        Attack.THRESHOLD_NOT_MET,
        () -> describing(role, tampered, 1).updateDelegatedTargets(tampered, role, "targets"));
    assertRefused(
        Attack.MIX_AND_MATCH,
        () -> describing(role, good, 2).updateDelegatedTargets(good, role, "targets"));
    byte[] expired =
        Signed.sign(new TargetsMetadata(1, T0.minusSeconds(1), body.targets()), supplier).toBytes();
    assertRefused(
        Attack.FREEZE,
        () -> describing(role, expired, 1).updateDelegatedTargets(expired, role, "targets"));
    // Bytes other than the snapshot lists.
    assertRefused(
        Attack.MIX_AND_MATCH,
        () -> describing(role, good, 1).updateDelegatedTargets(byAttacker, role, "targets"));
    assertThrows(
        IllegalArgumentException.class,
        () -> describing(role, good, 1).updateDelegatedTargets(good, "tcu-supplier", "targets"));
  }

  @Test
  void theFirstDelegationListedWinsAndTerminatingStopsTheSearch() throws Exception {
    TargetFile a = TargetFile.of("fw/x.bin", new byte[] {1}, null);
    TargetFile b = TargetFile.of("fw/x.bin", new byte[] {2}, null);
    TargetFile onlyInB = TargetFile.of("fw/y.bin", new byte[] {3}, null);
    repo.delegate("first", keys(1), 1, List.of("fw/*"), false);
    repo.delegate("second", keys(1), 1, List.of("fw/*"), false);
    repo.addTarget("first", a);
    repo.addTarget("second", b);
    repo.addTarget("second", onlyInB);
    repo.publish(T0);
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(RepositoryFetcher.fromMap(repo.consistentFiles()), T0);
    assertEquals(a, client.findTarget("fw/x.bin").orElseThrow());
    assertEquals(onlyInB, client.findTarget("fw/y.bin").orElseThrow());

    Repository term = Repository.create("t", new Random(4), T0, Expiries.defaults());
    term.delegate("first", keys(1), 1, List.of("fw/*"), true);
    term.delegate("second", keys(1), 1, List.of("fw/*"), false);
    term.addTarget("second", onlyInB);
    term.publish(T0);
    RepositoryClient c = new RepositoryClient(term.root(1));
    c.refresh(RepositoryFetcher.fromMap(term.consistentFiles()), T0);
    assertTrue(c.findTarget("fw/y.bin").isEmpty(), "a terminating delegation ends the search");
  }

  @Test
  void theSearchVisitsABoundedNumberOfRoles() throws Exception {
    int roles = RepositoryClient.MAX_DELEGATIONS + 3;
    for (int i = 0; i < roles; i++) {
      repo.delegate("r" + i, keys(1), 1, List.of("fw/*"), false);
    }
    repo.addTarget("r" + (roles - 1), TargetFile.of("fw/deep.bin", new byte[] {9}, null));
    repo.addTarget("r5", TargetFile.of("fw/shallow.bin", new byte[] {8}, null));
    repo.publish(T0);
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(RepositoryFetcher.fromMap(repo.consistentFiles()), T0);
    assertTrue(client.findTarget("fw/shallow.bin").isPresent());
    assertFalse(client.findTarget("fw/deep.bin").isPresent());
  }

  @Test
  void delegationsSurviveExportAndImport() throws Exception {
    repo.delegate("brake-supplier", keys(2), 2, List.of("brake/*"), true);
    repo.addTarget("brake-supplier", brake);
    repo.publish(T0);
    Repository back = Repository.importState(repo.exportState());
    assertEquals(List.of("brake-supplier"), back.delegatedRoles());
    back.addTarget("brake-supplier", TargetFile.of("brake/fw-3.1.bin", new byte[] {5}, null));
    back.publish(T0);
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(RepositoryFetcher.fromMap(back.consistentFiles()), T0);
    assertTrue(client.findTarget("brake/fw-3.0.bin").isPresent());
    assertTrue(client.findTarget("brake/fw-3.1.bin").isPresent());
    assertTrue(back.signedTargets().signed().delegations().roles().get(0).terminating());
  }
}
