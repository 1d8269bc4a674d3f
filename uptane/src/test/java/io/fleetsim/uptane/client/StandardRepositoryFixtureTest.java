package io.fleetsim.uptane.client;

import static io.fleetsim.uptane.Assertions2.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.metadata.TargetFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A repository written by another TUF implementation (see {@code tuf-fixture/README.md}):
 * consistent snapshots, a root rotation, ECDSA, Ed25519 and RSA-PSS keys with legacy key fields, a
 * terminating delegation and a sha512 hash. It must verify, and each tampered copy must be refused
 * with its attack named.
 */
class StandardRepositoryFixtureTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final Map<String, byte[]> FILES = load();

  private static Map<String, byte[]> load() {
    try {
      Path dir = Path.of(StandardRepositoryFixtureTest.class.getResource("/tuf-fixture").toURI());
      Map<String, byte[]> files = new LinkedHashMap<>();
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
          files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
        }
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hashedName(String suffix) {
    return FILES.keySet().stream().filter(n -> n.endsWith(suffix)).findFirst().orElseThrow();
  }

  private static Map<String, byte[]> tampered(String name, UnaryOperator<String> change) {
    Map<String, byte[]> files = new LinkedHashMap<>(FILES);
    String before = new String(files.get(name), StandardCharsets.UTF_8);
    String after = change.apply(before);
    assertTrue(!after.equals(before), "the change must change " + name);
    files.put(name, after.getBytes(StandardCharsets.UTF_8));
    return files;
  }

  private static RepositoryClient refreshed(Map<String, byte[]> files, Instant now)
      throws Exception {
    RepositoryClient client = new RepositoryClient(files.get("1.root.json"));
    client.refresh(RepositoryFetcher.fromMap(files), now);
    return client;
  }

  @Test
  void verifiesTheWholeRepository() throws Exception {
    RepositoryClient client = refreshed(FILES, NOW);
    TrustedMetadataSet set = client.lastRefresh().orElseThrow();
    assertEquals(2, set.root().version());
    assertTrue(set.root().signed().consistentSnapshot());
    Map<String, TargetFile> all = client.allTargets();
    assertEquals(java.util.Set.of("readme.txt", "brake/fw-3.0.bin"), all.keySet());
    RepositoryFetcher fetcher = RepositoryFetcher.fromMap(FILES);
    byte[] readme = client.downloadTarget(all.get("readme.txt"), fetcher);
    assertEquals(
        "A target listed with sha256 and sha512.\n", new String(readme, StandardCharsets.UTF_8));
    TargetFile brake = client.findTarget("brake/fw-3.0.bin").orElseThrow();
    assertEquals("hw-brake", brake.hardwareId().orElseThrow());
    client.downloadTarget(brake, fetcher);
    // A name-only fetcher reads it too.
    RepositoryClient legacy = new RepositoryClient(FILES.get("1.root.json"));
    legacy.refresh(MetadataFetcher.fromMap(FILES), NOW);
    assertTrue(legacy.findTarget("brake/fw-3.0.bin").isPresent());
  }

  @Test
  void refusesEachTamperedCopyWithItsAttack() throws Exception {
    // A changed timestamp: signature by the ECDSA key no longer verifies.
    Map<String, byte[]> ts =
        tampered("timestamp.json", t -> t.replaceFirst("2040-01-01", "2039-01-01"));
    Map<String, byte[]> tsFinal = ts;
    assertRefused(Attack.BAD_SIGNATURE, () -> refreshed(tsFinal, NOW));
    // Snapshot bytes other than the timestamp's hash.
    Map<String, byte[]> snap =
        tampered("1.snapshot.json", s -> s.replace("2040-01-01", "2041-01-01"));
    assertRefused(Attack.MIX_AND_MATCH, () -> refreshed(snap, NOW));
    // Top-level targets (snapshot lists only its version): RSA-PSS signature fails.
    Map<String, byte[]> targets = tampered("1.targets.json", s -> s.replace("brake/*", "*/*"));
    assertRefused(Attack.BAD_SIGNATURE, () -> refreshed(targets, NOW));
    // The supplier's metadata: its ECDSA signature fails when the target is looked up.
    Map<String, byte[]> supplier =
        tampered("1.brake-supplier.json", s -> s.replace("hw-brake", "hw-other"));
    RepositoryClient c = refreshed(supplier, NOW);
    assertRefused(Attack.BAD_SIGNATURE, () -> c.findTarget("brake/fw-3.0.bin"));
    // An image changed: its sha256 and sha512 no longer match.
    String readme = hashedName(".readme.txt");
    Map<String, byte[]> image = tampered(readme, s -> s.replace("sha512", "sha384"));
    RepositoryClient ci = refreshed(image, NOW);
    assertRefused(
        Attack.ARBITRARY_SOFTWARE,
        () ->
            ci.downloadTarget(
                ci.findTarget("readme.txt").orElseThrow(), RepositoryFetcher.fromMap(image)));
    // The rotated root signed only by the new key: the old root's threshold is not met.
    Map<String, byte[]> root = new LinkedHashMap<>(FILES);
    String r2 = new String(FILES.get("2.root.json"), StandardCharsets.UTF_8);
    int first = r2.indexOf("{\n   \"keyid\"");
    int second = r2.indexOf("{\n   \"keyid\"", first + 1);
    root.put(
        "2.root.json",
        (r2.substring(0, first) + r2.substring(second)).getBytes(StandardCharsets.UTF_8));
    VerificationExceptionOrAttack.expectOneOf(
        () -> refreshed(root, NOW),
        Attack.UNKNOWN_KEY,
        Attack.THRESHOLD_NOT_MET,
        Attack.BAD_SIGNATURE);
    // Everything expires in 2040.
    assertRefused(Attack.FREEZE, () -> refreshed(FILES, Instant.parse("2041-01-01T00:00:00Z")));
  }

  /** For a refusal whose exact kind depends on which signature the tool listed first. */
  static final class VerificationExceptionOrAttack {
    static void expectOneOf(io.fleetsim.uptane.Assertions2.Check c, Attack... allowed) {
      try {
        c.run();
      } catch (io.fleetsim.uptane.VerificationException e) {
        assertTrue(java.util.List.of(allowed).contains(e.attack()), e.getMessage());
        return;
      } catch (Exception e) {
        throw new AssertionError("expected a refusal, got " + e, e);
      }
      throw new AssertionError("expected a refusal, but the check passed");
    }
  }
}
