package io.fleetsim.uptane.client;

import static io.fleetsim.uptane.Assertions2.assertRefused;
import static io.fleetsim.uptane.Fixtures.T0;
import static io.fleetsim.uptane.HandMade.with;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.HandMade;
import io.fleetsim.uptane.HandMade.Signer;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.MetaFile;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.SnapshotMetadata;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.Repository;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Targets described by sha512 (alone or with sha256), and by algorithms this client lacks. */
class HashAlgorithmsTest {
  private final Repository repo =
      Repository.create("images", new Random(9), T0, Expiries.defaults());
  private final byte[] image = "an image hashed with sha512".getBytes(StandardCharsets.UTF_8);
  private final byte[] other = "an image hashed with sha256".getBytes(StandardCharsets.UTF_8);

  private static Json.Obj fileInfo(byte[] b, Map<String, String> hashes) {
    Map<String, Json> h = new java.util.LinkedHashMap<>();
    hashes.forEach((k, v) -> h.put(k, Json.str(v)));
    return Json.obj("length", Json.num(b.length), "hashes", Json.obj(h));
  }

  private TargetsMetadata trustedTargets() throws Exception {
    Json.Obj targets =
        Json.obj(
            "sha512-only.bin",
            fileInfo(image, Map.of("sha512", Hashing.hex("sha512", image))),
            "both.bin",
            fileInfo(
                image,
                Map.of(
                    "sha256", Hashing.hex("sha256", image),
                    "sha512", Hashing.hex("sha512", other))),
            "blake.bin",
            fileInfo(image, Map.of("blake2b-256", "00ff")));
    Json.Obj body = with(repo.signedTargets().signed().toJson(), "targets", targets);
    body = with(body, "version", Json.num(2));
    byte[] tb = HandMade.envelope(body, List.of(Signer.of(repo.signingKeys(Role.TARGETS).get(0))));
    SnapshotMetadata sm = repo.signedSnapshot().signed();
    byte[] sb =
        io.fleetsim.uptane.metadata.Signed.sign(
                new SnapshotMetadata(
                    2,
                    sm.expires(),
                    Map.of(
                        "targets.json",
                        new MetaFile(
                            2,
                            java.util.OptionalLong.of(tb.length),
                            Map.of("sha512", Hashing.hex("sha512", tb))))),
                repo.signingKeys(Role.SNAPSHOT))
            .toBytes();
    byte[] ts =
        io.fleetsim.uptane.metadata.Signed.sign(
                new TimestampMetadata(
                    2,
                    repo.signedTimestamp().signed().expires(),
                    new MetaFile(
                        2,
                        java.util.OptionalLong.empty(),
                        Map.of("blake2b-256", "00ff", "sha384", Hashing.hex("sha384", sb)))),
                repo.signingKeys(Role.TIMESTAMP))
            .toBytes();
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    set.updateTimestamp(ts);
    set.updateSnapshot(sb);
    return set.updateTargets(tb).signed();
  }

  @Test
  void aTargetListingOnlySha512IsChecked() throws Exception {
    TargetFile t = trustedTargets().targets().get("sha512-only.bin");
    ImageVerifier.verify(t, image);
    assertRefused(Attack.ARBITRARY_SOFTWARE, () -> ImageVerifier.verify(t, other));
    ImageVerifier.Streaming s = ImageVerifier.streaming(t);
    s.update(image);
    s.finish();
  }

  @Test
  void everySupportedHashListedMustMatch() throws Exception {
    TargetFile t = trustedTargets().targets().get("both.bin");
    // sha256 matches, sha512 is of other bytes: refused.
    assertRefused(Attack.ARBITRARY_SOFTWARE, () -> ImageVerifier.verify(t, image));
  }

  @Test
  void aTargetWithNoSupportedHashIsRefusedAloneNotItsMetadata() throws Exception {
    TargetsMetadata targets = trustedTargets();
    assertEquals(3, targets.targets().size());
    TargetFile t = targets.targets().get("blake.bin");
    assertRefused(Attack.ARBITRARY_SOFTWARE, () -> ImageVerifier.verify(t, image));
  }

  @Test
  void aMetadataHashOfAnotherAlgorithmIsChecked() throws Exception {
    trustedTargets();
    byte[] sb = repo.snapshot();
    byte[] ts =
        io.fleetsim.uptane.metadata.Signed.sign(
                new TimestampMetadata(
                    2,
                    repo.signedTimestamp().signed().expires(),
                    new MetaFile(
                        1,
                        java.util.OptionalLong.empty(),
                        Map.of("sha512", Hashing.hex("sha512", other)))),
                repo.signingKeys(Role.TIMESTAMP))
            .toBytes();
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    set.updateTimestamp(ts);
    assertRefused(Attack.MIX_AND_MATCH, () -> set.updateSnapshot(sb));
  }
}
