package io.fleetsim.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.faults.LinkTampering.Repo;
import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.ImageVerifier;
import io.fleetsim.uptane.client.TrustedMetadataSet;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.repository.DirectorSigner;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.VehicleMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each attack on the link produces real Uptane bytes that the vehicle's own verification refuses
 * with the check the attack's kind expects.
 */
class LinkTamperingTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final String VIN = "FSIMTAMPER0000001";

  final DirectorSigner director = DirectorSigner.create(new Random(7), NOW, Expiries.defaults());
  final LinkTampering attacker = new LinkTampering(42);

  static FaultRule rule(FaultKind kind) {
    return new FaultRule(
        kind.name().toLowerCase(), kind, Selector.all(), Map.of(), Window.from(Instant.EPOCH));
  }

  VehicleMetadata version(int v) {
    return director.signFor(VIN, v, List.of(), NOW);
  }

  byte[] through(FaultKind kind, String file, byte[] served) {
    return attacker.metadata(List.of(rule(kind)), VIN, Repo.DIRECTOR, file, served).bytes();
  }

  TrustedMetadataSet trusted() throws VerificationException {
    return new TrustedMetadataSet(director.root(1), NOW);
  }

  Attack refusalOfTimestamp(byte[] timestamp) {
    VerificationException e =
        assertThrows(VerificationException.class, () -> trusted().updateTimestamp(timestamp));
    return e.attack();
  }

  @Test
  void aChangedSignatureIsABadSignature() throws Exception {
    byte[] real = version(1).timestamp();
    trusted().updateTimestamp(real);
    assertEquals(
        Attack.BAD_SIGNATURE,
        refusalOfTimestamp(through(FaultKind.BAD_SIGNATURE, "timestamp.json", real)));
  }

  @Test
  void metadataSignedByTheAttackersKeyIsSignedByAnUnknownKey() {
    byte[] real = version(1).timestamp();
    assertEquals(
        Attack.UNKNOWN_KEY,
        refusalOfTimestamp(through(FaultKind.UNTRUSTED_KEY, "timestamp.json", real)));
  }

  @Test
  void aFrozenTimestampIsTheFirstOneSeenServedForEver() {
    byte[] v1 = version(1).timestamp();
    byte[] v2 = version(2).timestamp();
    assertSame(v1, through(FaultKind.FREEZE, "timestamp.json", v1));
    assertArrayEquals(v1, through(FaultKind.FREEZE, "timestamp.json", v2));
    assertArrayEquals(v1, through(FaultKind.FREEZE, "timestamp.json", v2));
    // other files pass
    byte[] snapshot = version(2).snapshot();
    assertSame(snapshot, through(FaultKind.FREEZE, "snapshot.json", snapshot));
  }

  @Test
  void aRollbackServesTheOldTimestampOnceTheVehicleTrustsANewerOne() throws Exception {
    byte[] v1 = version(1).timestamp();
    byte[] v2 = version(2).timestamp();
    assertSame(v1, through(FaultKind.ROLLBACK, "timestamp.json", v1));
    assertSame(v2, through(FaultKind.ROLLBACK, "timestamp.json", v2), "the newer one goes through");
    byte[] replayed = through(FaultKind.ROLLBACK, "timestamp.json", v2);
    assertArrayEquals(v1, replayed);
    TrustedMetadataSet vehicle = trusted();
    vehicle.updateTimestamp(v2);
    // The vehicle's next check starts from the v2 it trusts.
    VerificationException e =
        assertThrows(VerificationException.class, () -> vehicle.updateTimestamp(replayed));
    assertEquals(Attack.ROLLBACK, e.attack());
  }

  @Test
  void aReplayRecordsAgainOnceTheRepositorySignsWithANewKey() throws Exception {
    byte[] v1 = version(1).timestamp();
    assertSame(v1, through(FaultKind.FREEZE, "timestamp.json", v1));
    DirectorSigner rotated = director.copy();
    rotated.rotateKey(io.fleetsim.uptane.metadata.Role.TIMESTAMP, new Random(8), NOW);
    byte[] v2 = rotated.signFor(VIN, 2, List.of(), NOW).timestamp();
    byte[] v3 = rotated.signFor(VIN, 3, List.of(), NOW).timestamp();
    // The recording no longer verifies: the newly signed one is recorded and frozen instead.
    assertSame(v2, through(FaultKind.FREEZE, "timestamp.json", v2));
    assertArrayEquals(v2, through(FaultKind.FREEZE, "timestamp.json", v3));
  }

  @Test
  void anOldSnapshotWithANewTimestampIsAMixAndMatch() throws Exception {
    VehicleMetadata v1 = version(1);
    VehicleMetadata v2 = version(2);
    assertSame(v1.snapshot(), through(FaultKind.MIX_AND_MATCH, "snapshot.json", v1.snapshot()));
    byte[] served = through(FaultKind.MIX_AND_MATCH, "snapshot.json", v2.snapshot());
    assertArrayEquals(v1.snapshot(), served);
    TrustedMetadataSet vehicle = trusted();
    vehicle.updateTimestamp(v2.timestamp());
    VerificationException e =
        assertThrows(VerificationException.class, () -> vehicle.updateSnapshot(served));
    assertEquals(Attack.MIX_AND_MATCH, e.attack());
  }

  @Test
  void aDroppedRequestNeverComesBack() {
    byte[] real = version(1).timestamp();
    assertThrows(
        LinkTampering.Dropped.class, () -> through(FaultKind.DROP_REQUEST, "1.root.json", real));
    assertThrows(
        LinkTampering.Dropped.class,
        () -> attacker.image(List.of(rule(FaultKind.DROP_REQUEST)), new byte[10]));
  }

  @Test
  void imagesAreChangedOrLengthenedAndTheImageChecksRefuseThem() {
    byte[] image = new byte[4096];
    new Random(3).nextBytes(image);
    TargetFile target =
        new TargetFile(
            "ADAS/1.1.0.img", image.length, Map.of("sha256", Hashing.sha256Hex(image)), null);
    byte[] changed = attacker.image(List.of(rule(FaultKind.ARBITRARY_SOFTWARE)), image).bytes();
    assertEquals(image.length, changed.length);
    assertEquals(
        Attack.ARBITRARY_SOFTWARE,
        assertThrows(VerificationException.class, () -> ImageVerifier.verify(target, changed))
            .attack());
    byte[] longer = attacker.image(List.of(rule(FaultKind.ENDLESS_DATA)), image).bytes();
    assertEquals(image.length + 4096, longer.length);
    assertEquals(
        Attack.ENDLESS_DATA,
        assertThrows(VerificationException.class, () -> ImageVerifier.verify(target, longer))
            .attack());
    assertTrue(LinkTampering.blocksDeltas(List.of(rule(FaultKind.ENDLESS_DATA))));
    assertFalse(LinkTampering.blocksDeltas(List.of(rule(FaultKind.FREEZE))));
    // the repository's image is never changed in place
    assertEquals(Hashing.sha256Hex(image), target.sha256());
  }

  @Test
  void onlyTheDirectorsFilesAreTamperedWithAndNothingWithoutRules() {
    byte[] real = version(1).timestamp();
    assertSame(
        real,
        attacker
            .metadata(
                List.of(rule(FaultKind.BAD_SIGNATURE)), VIN, Repo.IMAGES, "timestamp.json", real)
            .bytes());
    LinkTampering.Outcome none =
        attacker.metadata(List.of(), VIN, Repo.DIRECTOR, "timestamp.json", real);
    assertSame(real, none.bytes());
    assertTrue(none.applied().isEmpty());
  }

  static FaultRule rule(FaultKind kind, Map<String, Double> params) {
    return new FaultRule(
        kind.name().toLowerCase(), kind, Selector.all(), params, Window.from(Instant.EPOCH));
  }

  @Test
  void aDeniedImageRepositoryAnswersNothingWhileTheDirectorAnswers() {
    byte[] real = version(1).timestamp();
    List<FaultRule> dos = List.of(rule(FaultKind.REPOSITORY_DOS));
    assertThrows(
        LinkTampering.Dropped.class,
        () -> attacker.metadata(dos, VIN, Repo.IMAGES, "timestamp.json", real));
    assertSame(real, attacker.metadata(dos, VIN, Repo.DIRECTOR, "timestamp.json", real).bytes());
    assertThrows(LinkTampering.Dropped.class, () -> LinkTampering.request(dos));
  }

  @Test
  void aPartialBundleBlocksEveryImageButTheFirstOrItsShareAndAlwaysOne() {
    List<FaultRule> partial = List.of(rule(FaultKind.PARTIAL_BUNDLE));
    assertEquals(
        List.of("b", "c"),
        List.copyOf(LinkTampering.blocked(partial, List.of("a", "b", "c")).keySet()));
    assertEquals(List.of("a"), List.copyOf(LinkTampering.blocked(partial, List.of("a")).keySet()));
    List<FaultRule> third = List.of(rule(FaultKind.PARTIAL_BUNDLE, Map.of("share", 0.3)));
    assertEquals(
        List.of("c"), List.copyOf(LinkTampering.blocked(third, List.of("a", "b", "c")).keySet()));
    List<FaultRule> none = List.of(rule(FaultKind.PARTIAL_BUNDLE, Map.of("share", 0.0)));
    assertEquals(
        List.of("c"), List.copyOf(LinkTampering.blocked(none, List.of("a", "b", "c")).keySet()));
    assertEquals(Map.of(), LinkTampering.blocked(List.of(rule(FaultKind.FREEZE)), List.of("a")));
  }

  @Test
  void aCorruptedFileOrImageHasOneByteChangedAndIsRefused() throws Exception {
    byte[] real = version(1).timestamp();
    List<FaultRule> always = List.of(rule(FaultKind.CORRUPT, Map.of("rate", 1.0)));
    LinkTampering.Outcome o =
        attacker.metadata(always, VIN, Repo.IMAGES, "timestamp.json", real, 1000);
    assertEquals(always, o.applied());
    assertEquals(real.length, o.bytes().length);
    int changed = 0;
    for (int i = 0; i < real.length; i++) {
      changed += real[i] != o.bytes()[i] ? 1 : 0;
    }
    assertEquals(1, changed);
    assertThrows(VerificationException.class, () -> trusted().updateTimestamp(o.bytes()));
    // The same seed, file and instant: the same byte.
    assertArrayEquals(
        o.bytes(),
        new LinkTampering(42)
            .metadata(always, VIN, Repo.IMAGES, "timestamp.json", real, 1000)
            .bytes());

    byte[] image = new byte[4096];
    new Random(3).nextBytes(image);
    TargetFile target =
        new TargetFile(
            "ADAS/1.1.0.img", image.length, Map.of("sha256", Hashing.sha256Hex(image)), null);
    byte[] bad = attacker.image(always, VIN, target.sha256(), image, 1000).bytes();
    assertEquals(
        Attack.ARBITRARY_SOFTWARE,
        assertThrows(VerificationException.class, () -> ImageVerifier.verify(target, bad))
            .attack());

    List<FaultRule> never = List.of(rule(FaultKind.CORRUPT, Map.of("rate", 0.0)));
    assertSame(
        real, attacker.metadata(never, VIN, Repo.DIRECTOR, "timestamp.json", real, 1000).bytes());
    // At a share, some exchanges are corrupted and some are not, as the seed draws them.
    List<FaultRule> half = List.of(rule(FaultKind.CORRUPT, Map.of("rate", 0.5)));
    int corrupted = 0;
    for (long t = 0; t < 200; t++) {
      corrupted += attacker.image(half, VIN, "x", image, t * 1000).applied().size();
    }
    assertTrue(corrupted > 60 && corrupted < 140, corrupted + " of 200");
  }

  @Test
  void aDuplicatedAnswerArrivesTwiceAsTheSeedDraws() {
    Duration base = Duration.ofMillis(80);
    FaultRule always = rule(FaultKind.DUPLICATE, Map.of("rate", 1.0));
    LinkFaults.Shaped twice =
        LinkFaults.shape(List.of(always), 42, VIN, 1000, 0, 100, false, base, true);
    assertTrue(twice.duplicated());
    assertTrue(twice.delivered());
    assertEquals(base, twice.duration());
    assertEquals(List.of(always), twice.applied());
    FaultRule never = rule(FaultKind.DUPLICATE, Map.of("rate", 0.0));
    assertFalse(
        LinkFaults.shape(List.of(never), 42, VIN, 1000, 0, 100, false, base, true).duplicated());
    // A lost exchange has no answer to duplicate.
    assertFalse(
        LinkFaults.shape(List.of(always), 42, VIN, 1000, 0, 100, false, base, false).duplicated());
  }

  @Test
  void linkFaultsFailDelayAndSlowExchangesDeterministically() {
    Duration base = Duration.ofMillis(80);
    LinkFaults.Shaped cut =
        LinkFaults.shape(
            List.of(rule(FaultKind.PARTITION)), 42, VIN, 1000, 0, 100, false, base, true);
    assertFalse(cut.delivered());
    FaultRule lossy =
        new FaultRule(
            "lossy",
            FaultKind.LOSS,
            Selector.all(),
            Map.of("rate", 1.0),
            Window.from(Instant.EPOCH));
    assertFalse(
        LinkFaults.shape(List.of(lossy), 42, VIN, 1000, 0, 100, false, base, true).delivered());
    FaultRule slow =
        new FaultRule(
            "slow",
            FaultKind.LATENCY,
            Selector.all(),
            Map.of("ms", 500.0, "jitterMs", 100.0),
            Window.from(Instant.EPOCH));
    LinkFaults.Shaped late =
        LinkFaults.shape(List.of(slow), 42, VIN, 1000, 0, 100, false, base, true);
    long ms = late.duration().toMillis();
    assertTrue(ms >= 580 && ms <= 680, "80 + 500 + 0..100 ms, got " + ms);
    assertEquals(late, LinkFaults.shape(List.of(slow), 42, VIN, 1000, 0, 100, false, base, true));
    FaultRule capped =
        new FaultRule(
            "cap",
            FaultKind.BANDWIDTH,
            Selector.all(),
            Map.of("kbps", 8.0),
            Window.from(Instant.EPOCH));
    assertEquals(
        Duration.ofMillis(1080),
        LinkFaults.shape(List.of(capped), 42, VIN, 1000, 0, 1000, false, base, true).duration());
    FaultRule trickle = rule(FaultKind.SLOW_RETRIEVAL);
    assertEquals(
        base,
        LinkFaults.shape(List.of(trickle), 42, VIN, 1000, 0, 1000, false, base, true).duration());
    assertEquals(
        Duration.ofMillis(8080),
        LinkFaults.shape(List.of(trickle), 42, VIN, 1000, 0, 1000, true, base, true).duration());
  }
}
