package io.fleetsim.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.MetadataFetcher;
import io.fleetsim.uptane.client.RepositoryClient;
import io.fleetsim.uptane.client.TrustedMetadataSet;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import io.fleetsim.uptane.repository.DirectorSigner;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.VehicleMetadata;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The attacker with keys stolen from the Director signs real metadata with them, and the vehicle's
 * own verification refuses it with the check the kind expects, or, for a fast-forward, undoes it
 * once the Director rotated the key.
 */
class RepositorySigningTest {

  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final long ROTATION = NOW.plusSeconds(3600).toEpochMilli();
  static final String VIN = "FSIMSIGNING000001";

  /** Root v1: targets 2 of 2; root v2 from ROTATION on: a new timestamp key. */
  final DirectorSigner v1 =
      DirectorSigner.withTargetsThreshold(new Random(5), NOW, Expiries.defaults(), 2, 2);

  final DirectorSigner v2 = rotated(v1);

  final RepositorySigning.Keys keys =
      new RepositorySigning.Keys() {
        @Override
        public int rootVersionAt(long epochMillis) {
          return epochMillis >= ROTATION ? 2 : 1;
        }

        @Override
        public List<SigningKey> keys(Role role, int rootVersion) {
          return (rootVersion == 1 ? v1 : v2).signingKeys(role);
        }

        @Override
        public int threshold(Role role) {
          return role == Role.TARGETS ? 2 : 1;
        }
      };

  final RepositorySigning attacker = new RepositorySigning();

  static DirectorSigner rotated(DirectorSigner first) {
    DirectorSigner next = first.copy();
    next.rotateKey(Role.TIMESTAMP, new Random(6), NOW);
    return next;
  }

  static FaultRule rule(FaultKind kind, Map<String, Double> params) {
    return new FaultRule(
        kind.name().toLowerCase(), kind, Selector.all(), params, Window.from(Instant.EPOCH));
  }

  static TargetFile adas() {
    byte[] image = "ADAS 1.1.0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return new TargetFile(
        "ADAS/1.1.0.img",
        image.length,
        Map.of("sha256", Hashing.sha256Hex(image)),
        new EcuTargetCustom("s-adas", "hw-adas", 2).toJson());
  }

  RepositorySigning.Served served(DirectorSigner signer, int version, List<TargetFile> targets) {
    VehicleMetadata vm = signer.signFor(VIN, version, targets, NOW);
    return new RepositorySigning.Served(
        vm.targets(), vm.snapshot(), vm.timestamp(), NOW.toEpochMilli());
  }

  Map<String, byte[]> through(FaultRule rule, RepositorySigning.Served genuine, long at) {
    Map<String, byte[]> files = new HashMap<>();
    for (String name : List.of("timestamp.json", "snapshot.json", "targets.json")) {
      files.put(name, attacker.serve(List.of(rule), VIN, genuine, name, at, keys).bytes());
    }
    return files;
  }

  static Attack refusal(TrustedMetadataSet set, Map<String, byte[]> files) {
    return assertThrows(
            VerificationException.class,
            () -> {
              set.updateTimestamp(files.get("timestamp.json"));
              set.updateSnapshot(files.get("snapshot.json"));
              set.updateTargets(files.get("targets.json"));
            })
        .attack();
  }

  @Test
  void oneStolenTargetsKeyOfTwoIsRefusedByTheThresholdCheck() throws Exception {
    RepositorySigning.Served genuine = served(v1, 3, List.of(adas()));
    FaultRule compromised = rule(FaultKind.COMPROMISED_KEY, Map.of());
    Map<String, byte[]> files = through(compromised, genuine, NOW.toEpochMilli());
    // Timestamp and snapshot are signed by the stolen online keys and pass; the targets fail.
    TrustedMetadataSet set = new TrustedMetadataSet(v1.root(1), NOW);
    assertEquals(Attack.THRESHOLD_NOT_MET, refusal(set, files));
    assertEquals(3, set.timestamp().orElseThrow().version());
    assertEquals(3, set.snapshot().orElseThrow().version());
    TargetsMetadata forged = TargetsMetadata.parse(files.get("targets.json")).signed();
    assertNotEquals(
        adas().sha256(), forged.targets().get("ADAS/1.1.0.img").sha256(), "the attacker's image");
    // One forgery per genuine timestamp: the same bytes on every fetch of the check.
    assertArrayEquals(
        files.get("targets.json"),
        attacker
            .serve(List.of(compromised), VIN, genuine, "targets.json", NOW.toEpochMilli(), keys)
            .bytes());
  }

  @Test
  void withBothTargetsKeysStolenTheSignaturesPass() throws Exception {
    Map<String, byte[]> files =
        through(
            rule(FaultKind.COMPROMISED_KEY, Map.of("keys", 2.0)),
            served(v1, 3, List.of(adas())),
            NOW.toEpochMilli());
    TrustedMetadataSet set = new TrustedMetadataSet(v1.root(1), NOW);
    set.updateTimestamp(files.get("timestamp.json"));
    set.updateSnapshot(files.get("snapshot.json"));
    // Only the image repository's targets, which do not list this hash, are left to refuse it.
    assertEquals(1, set.updateTargets(files.get("targets.json")).signed().targets().size());
  }

  @Test
  void nothingToInstallOrMetadataSignedBeforeTheRuleIsLeftAlone() {
    RepositorySigning.Served empty = served(v1, 1, List.of());
    FaultRule compromised = rule(FaultKind.COMPROMISED_KEY, Map.of());
    LinkTampering.Outcome o =
        attacker.serve(List.of(compromised), VIN, empty, "targets.json", NOW.toEpochMilli(), keys);
    assertArrayEquals(empty.targets(), o.bytes());
    assertEquals(List.of(), o.applied());

    RepositorySigning.Served old = served(v1, 2, List.of(adas()));
    FaultRule later =
        new FaultRule(
            "later",
            FaultKind.COMPROMISED_KEY,
            Selector.all(),
            Map.of(),
            Window.from(NOW.plusSeconds(60)));
    assertEquals(
        List.of(),
        attacker
            .serve(List.of(later), VIN, old, "timestamp.json", NOW.toEpochMilli(), keys)
            .applied());
  }

  @Test
  void aFastForwardIsAcceptedAndUndoneByTheRotation() throws Exception {
    FaultRule ff = rule(FaultKind.FAST_FORWARD, Map.of());
    RepositorySigning.Served genuine = served(v1, 3, List.of());
    Map<String, byte[]> files = through(ff, genuine, NOW.toEpochMilli());
    assertEquals(
        1_000_003, TimestampMetadata.parse(files.get("timestamp.json")).signed().version());
    assertArrayEquals(genuine.snapshot(), files.get("snapshot.json"));
    RepositoryClient vehicle = new RepositoryClient(v1.root(1));
    vehicle.refresh(MetadataFetcher.fromMap(files), NOW);
    assertEquals(List.of(), vehicle.fastForwardsUndone(), "nothing can tell it yet");

    // After the rotation the attacker's key is no longer trusted, so it stops; the vehicle drops
    // the fast-forwarded timestamp and accepts the Director's own.
    RepositorySigning.Served after = served(v2, 4, List.of());
    long later = ROTATION + 1;
    assertEquals(
        List.of(),
        attacker.serve(List.of(ff), VIN, after, "timestamp.json", later, keys).applied());
    Map<String, byte[]> honest = new HashMap<>(through(ff, after, later));
    honest.put("2.root.json", v2.root(2));
    TrustedMetadataSet set = vehicle.refresh(MetadataFetcher.fromMap(honest), NOW);
    assertEquals(4, set.timestamp().orElseThrow().version());
    assertEquals(1, vehicle.fastForwardsUndone().size(), vehicle.fastForwardsUndone().toString());
    assertTrue(vehicle.fastForwardsUndone().get(0).startsWith("trusted timestamp v1000003 "));
  }

  @Test
  void aRevokedKeyActsOnlyAfterTheRotationAndIsRefused() throws Exception {
    FaultRule revoked = rule(FaultKind.REVOKED_KEY, Map.of());
    RepositorySigning.Served before = served(v1, 3, List.of());
    assertEquals(
        List.of(),
        attacker
            .serve(List.of(revoked), VIN, before, "timestamp.json", NOW.toEpochMilli(), keys)
            .applied());
    RepositorySigning.Served after = served(v2, 4, List.of());
    Map<String, byte[]> files = new HashMap<>(through(revoked, after, ROTATION));
    files.put("2.root.json", v2.root(2));
    RepositoryClient vehicle = new RepositoryClient(v1.root(1));
    assertEquals(
        Attack.UNKNOWN_KEY,
        assertThrows(
                VerificationException.class,
                () -> vehicle.refresh(MetadataFetcher.fromMap(files), NOW))
            .attack());
  }
}
