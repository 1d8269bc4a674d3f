package io.fleetsim.uptane.client;

import static io.fleetsim.uptane.Fixtures.T0;
import static io.fleetsim.uptane.HandMade.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.HandMade;
import io.fleetsim.uptane.HandMade.Signer;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.MetaFile;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.SnapshotMetadata;
import io.fleetsim.uptane.metadata.SuccinctRoles;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.Repository;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Succinct hash bin delegation (TAP 15), end to end through the client. */
class HashBinsTest {
  private final Random rng = new Random(31);
  private final Repository repo = Repository.create("images", rng, T0, Expiries.defaults());
  private final SigningKey binKey = SigningKey.generate(rng);
  private final SuccinctRoles bins = new SuccinctRoles(List.of(binKey.keyId()), 1, 2, "bins");
  private final TargetFile fw = TargetFile.of("brake/fw-3.0.bin", new byte[] {1, 2}, null);
  private final TargetFile misplaced = TargetFile.of("brake/evil.bin", new byte[] {6}, null);

  private Map<String, byte[]> files() {
    String fwBin = bins.roleFor(fw.name());
    assertEquals("bins-3", fwBin); // sha256("brake/fw-3.0.bin") starts with 0xd7
    String wrongBin = bins.roleFor(misplaced.name()).equals("bins-0") ? "bins-1" : "bins-0";
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("1.root.json", repo.root(1));
    Map<String, MetaFile> meta = new LinkedHashMap<>();
    for (int b = 0; b < 4; b++) {
      String name = bins.binName(b);
      Map<String, Json> targets = new LinkedHashMap<>();
      if (name.equals(fwBin)) {
        targets.put(fw.name(), fw.toJson());
      }
      if (name.equals(wrongBin)) {
        targets.put(misplaced.name(), misplaced.toJson());
      }
      Json.Obj body = with(repo.signedTargets().signed().toJson(), "targets", Json.obj(targets));
      byte[] bytes = HandMade.envelope(body, List.of(Signer.of(binKey)));
      files.put("1." + name + ".json", bytes);
      meta.put(name + ".json", MetaFile.describing(1, bytes));
    }
    Json.Obj top =
        with(
            with(repo.signedTargets().signed().toJson(), "version", Json.num(2)),
            "delegations",
            Json.obj(
                "keys",
                Json.obj(binKey.keyId(), binKey.publicKey().toJson()),
                "succinct_roles",
                bins.toJson()));
    byte[] tb = HandMade.envelope(top, List.of(Signer.of(repo.signingKeys(Role.TARGETS).get(0))));
    files.put("2.targets.json", tb);
    meta.put("targets.json", MetaFile.describing(2, tb));
    SnapshotMetadata sm = repo.signedSnapshot().signed();
    byte[] sb =
        Signed.sign(new SnapshotMetadata(2, sm.expires(), meta), repo.signingKeys(Role.SNAPSHOT))
            .toBytes();
    files.put("2.snapshot.json", sb);
    files.put(
        "timestamp.json",
        Signed.sign(
                new TimestampMetadata(
                    2, repo.signedTimestamp().signed().expires(), MetaFile.describing(2, sb)),
                repo.signingKeys(Role.TIMESTAMP))
            .toBytes());
    return files;
  }

  @Test
  void aTargetIsFoundInItsBinAndOnlyThere() throws Exception {
    Map<String, byte[]> files = files();
    RepositoryClient client = new RepositoryClient(repo.root(1));
    client.refresh(RepositoryFetcher.fromMap(files), T0);
    assertEquals(fw, client.findTarget(fw.name()).orElseThrow());
    assertTrue(client.findTarget(misplaced.name()).isEmpty(), "listed in a bin not its own");
    assertEquals(Map.of(fw.name(), fw), client.allTargets());
    assertNotEquals(bins.roleFor(fw.name()), bins.roleFor("a.txt"));
  }
}
