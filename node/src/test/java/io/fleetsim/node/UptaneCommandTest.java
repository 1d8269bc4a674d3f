package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UptaneCommandTest {
  @TempDir Path tmp;
  Path repo;
  Path image;
  StringWriter out;
  StringWriter err;

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cli = new CommandLine(new UptaneCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @BeforeEach
  void createRepositoryWithOneImage() throws Exception {
    repo = tmp.resolve("repo");
    image = tmp.resolve("brake-2.0.bin");
    Files.write(image, "brake firmware 2.0".getBytes(StandardCharsets.UTF_8));
    assertEquals(0, run("init", repo.toString(), "--seed", "42"), err.toString());
    assertEquals(
        0,
        run("add-target", repo.toString(), image.toString(), "--hardware-id", "hw-brake"),
        err.toString());
    assertTrue(Files.exists(repo.resolve("targets/brake-2.0.bin")));
    assertTrue(Files.exists(repo.resolve("keys/keys.json")));
  }

  @Test
  void verifiesWhatItWrote() {
    assertEquals(0, run("verify", repo.toString()), err.toString());
    assertTrue(out.toString().contains("ok        brake-2.0.bin"), out.toString());
    assertTrue(out.toString().contains("targets   v2"), out.toString());
  }

  @Test
  void refusesATamperedImage() throws Exception {
    Files.write(
        repo.resolve("targets/brake-2.0.bin"),
        "brake firmware 6.6".getBytes(StandardCharsets.UTF_8));
    assertEquals(1, run("verify", repo.toString()));
    assertTrue(err.toString().contains("REFUSED ARBITRARY_SOFTWARE"), err.toString());
  }

  @Test
  void refusesAnUnlistedOrOversizedImage() throws Exception {
    Files.write(repo.resolve("targets/evil.bin"), new byte[] {1});
    assertEquals(1, run("verify", repo.toString()));
    assertTrue(err.toString().contains("REFUSED ARBITRARY_SOFTWARE"), err.toString());
    Files.delete(repo.resolve("targets/evil.bin"));
    Files.write(repo.resolve("targets/brake-2.0.bin"), new byte[4096]);
    assertEquals(1, run("verify", repo.toString()));
    assertTrue(err.toString().contains("REFUSED ENDLESS_DATA"), err.toString());
  }

  @Test
  void refusesTamperedMetadataAndNamesTheAttack() throws Exception {
    Path targets = repo.resolve("targets.json");
    String json = Files.readString(targets);
    Files.writeString(targets, json.replace("hw-brake", "hw-other"));
    assertEquals(1, run("verify", repo.toString()));
    assertTrue(err.toString().contains("REFUSED MIX_AND_MATCH"), err.toString());

    // The copy a standard client reads (consistent snapshots) tampered the same way.
    Files.writeString(targets, json);
    Path versioned = repo.resolve("2.targets.json");
    Files.writeString(versioned, json.replace("hw-brake", "hw-other"));
    assertEquals(1, run("verify", repo.toString()));
    assertTrue(err.toString().contains("REFUSED MIX_AND_MATCH"), err.toString());
    Files.writeString(versioned, json);

    // Restored, it verifies again; a timestamp that is not metadata at all is malformed.
    Files.writeString(targets, json);
    assertEquals(0, run("verify", repo.toString()), err.toString());
    Files.writeString(repo.resolve("timestamp.json"), "{\"signatures\":[],\"signed\":{}}");
    assertEquals(1, run("verify", repo.toString()));
    assertTrue(err.toString().contains("REFUSED MALFORMED"), err.toString());
  }

  @Test
  void refusesExpiredMetadata() {
    assertEquals(1, run("verify", repo.toString(), "--now", "2999-01-01T00:00:00Z"));
    assertTrue(err.toString().contains("REFUSED FREEZE"), err.toString());
  }

  @Test
  void refusesToOverwriteAndRejectsBadInput() throws Exception {
    assertEquals(1, run("init", repo.toString()));
    assertEquals(
        1,
        run(
            "add-target",
            repo.toString(),
            tmp.resolve("missing").toString(),
            "--hardware-id",
            "x"));
    assertEquals(
        1,
        run(
            "add-target",
            repo.toString(),
            image.toString(),
            "--hardware-id",
            "x",
            "--name",
            "../escape"));
    assertEquals(1, run("verify", tmp.resolve("nothing").toString()));
    assertTrue(
        run("add-target", repo.toString(), image.toString()) != 0, "hardware id is required");
  }

  private String hashed(String name) throws Exception {
    byte[] b = Files.readAllBytes(repo.resolve("targets").resolve(name));
    java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
    StringBuilder hex = new StringBuilder();
    for (byte x : d.digest(b)) {
      hex.append(String.format("%02x", x));
    }
    int slash = name.lastIndexOf('/');
    return name.substring(0, slash + 1) + hex + "." + name.substring(slash + 1);
  }

  @Test
  void writesAndVerifiesTheConsistentSnapshotLayout() throws Exception {
    assertTrue(Files.exists(repo.resolve("2.snapshot.json")));
    assertTrue(Files.exists(repo.resolve("2.targets.json")));
    String hashedName = hashed("brake-2.0.bin");
    assertTrue(Files.exists(repo.resolve("targets/" + hashedName)));
    // Only what a standard repository serves: versioned metadata and HASH.NAME targets.
    Files.delete(repo.resolve("snapshot.json"));
    Files.delete(repo.resolve("targets.json"));
    Files.delete(repo.resolve("targets/brake-2.0.bin"));
    assertEquals(0, run("verify", repo.toString()), err.toString());
    assertTrue(out.toString().contains("consistent snapshots"), out.toString());
    assertTrue(out.toString().contains("ok        brake-2.0.bin"), out.toString());

    // A HASH.NAME file whose hash is not the target's.
    Path h = repo.resolve("targets/" + hashedName);
    Files.move(h, repo.resolve("targets/" + "ab".repeat(32) + ".brake-2.0.bin"));
    assertEquals(1, run("verify", repo.toString()));
    assertTrue(err.toString().contains("REFUSED ARBITRARY_SOFTWARE"), err.toString());
  }

  @Test
  void aMissingFileIsAFetchFailureNotAnAttack() throws Exception {
    Files.delete(repo.resolve("timestamp.json"));
    assertEquals(1, run("verify", repo.toString()));
    assertTrue(
        err.toString().contains("FAILED TO FETCH NOT_FOUND: timestamp.json"), err.toString());
  }

  @Test
  void delegatesToASupplierRoleAndVerifiesThroughIt() throws Exception {
    Path fw = tmp.resolve("abs-7.bin");
    Files.write(fw, "abs firmware 7".getBytes(StandardCharsets.UTF_8));
    assertEquals(
        0,
        run(
            "add-target",
            repo.toString(),
            fw.toString(),
            "--hardware-id",
            "hw-abs",
            "--name",
            "abs/abs-7.bin",
            "--role",
            "abs-supplier"),
        err.toString());
    assertTrue(Files.exists(repo.resolve("1.abs-supplier.json")));
    assertEquals(0, run("verify", repo.toString()), err.toString());
    assertTrue(out.toString().contains("delegated abs-supplier v1"), out.toString());
    assertTrue(out.toString().contains("ok        abs/abs-7.bin"), out.toString());

    // The role is trusted for abs/* only.
    assertEquals(
        1,
        run(
            "add-target",
            repo.toString(),
            fw.toString(),
            "--hardware-id",
            "hw-abs",
            "--name",
            "tcu/abs-7.bin",
            "--role",
            "abs-supplier"));
    // A second image in the role, then tampering with the role's metadata or its image.
    Path fw8 = tmp.resolve("abs-8.bin");
    Files.write(fw8, "abs firmware 8".getBytes(StandardCharsets.UTF_8));
    assertEquals(
        0,
        run(
            "add-target",
            repo.toString(),
            fw8.toString(),
            "--hardware-id",
            "hw-abs",
            "--name",
            "abs/abs-8.bin",
            "--role",
            "abs-supplier"),
        err.toString());
    assertEquals(0, run("verify", repo.toString()), err.toString());
    assertTrue(out.toString().contains("delegated abs-supplier v2"), out.toString());

    Path role = repo.resolve("2.abs-supplier.json");
    String json = Files.readString(role);
    // Same length, other content: the snapshot's hash no longer matches. (A longer file is a
    // fetch failure, TOO_LARGE: the fetcher stops at the length snapshot lists.)
    Files.writeString(role, json.replace("hw-abs", "hw-abz"));
    assertEquals(1, run("verify", repo.toString()));
    assertTrue(err.toString().contains("REFUSED MIX_AND_MATCH"), err.toString());
    Files.writeString(role, json);

    Files.write(
        repo.resolve("targets/abs/abs-8.bin"), "abs firmware 9".getBytes(StandardCharsets.UTF_8));
    assertEquals(1, run("verify", repo.toString()));
    assertTrue(err.toString().contains("REFUSED ARBITRARY_SOFTWARE"), err.toString());
  }

  /** The repository another TUF implementation wrote (see its README), copied to a scratch dir. */
  private Path standardRepository() throws Exception {
    Path from = Path.of("..", "uptane", "src", "test", "resources", "tuf-fixture");
    Path to = tmp.resolve("standard");
    try (var files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest);
        }
      }
    }
    return to;
  }

  private void tamper(Path file, String from, String to) throws Exception {
    String s = Files.readString(file);
    assertTrue(s.contains(from), file + " lacks " + from);
    Files.writeString(file, s.replace(from, to));
  }

  @Test
  void verifiesAStandardRepositoryAndRefusesTamperedCopies() throws Exception {
    Path std = standardRepository();
    String at = "2030-01-01T00:00:00Z";
    assertEquals(0, run("verify", std.toString(), "--now", at), err.toString());
    String o = out.toString();
    assertTrue(o.contains("root      v2"), o);
    assertTrue(o.contains("consistent snapshots"), o);
    assertTrue(o.contains("delegated brake-supplier v1"), o);
    assertTrue(o.contains("ok        brake/fw-3.0.bin"), o);
    assertTrue(o.contains("ok        readme.txt"), o);

    String[][] cases = {
      {"1.targets.json", "brake/*", "*/*", "BAD_SIGNATURE"},
      {"1.brake-supplier.json", "hw-brake", "hw-other", "BAD_SIGNATURE"},
      {"timestamp.json", "2040-01-01", "2039-01-01", "BAD_SIGNATURE"},
      {"1.snapshot.json", "2040-01-01", "2041-01-01", "MIX_AND_MATCH"},
    };
    for (String[] c : cases) {
      Path f = std.resolve(c[0]);
      byte[] original = Files.readAllBytes(f);
      tamper(f, c[1], c[2]);
      assertEquals(1, run("verify", std.toString(), "--now", at), c[0]);
      assertTrue(err.toString().contains("REFUSED " + c[3]), c[0] + ": " + err);
      Files.write(f, original);
    }
    try (var files = Files.list(std.resolve("targets"))) {
      Path readme =
          files.filter(p -> p.toString().endsWith(".readme.txt")).findFirst().orElseThrow();
      tamper(readme, "sha512", "sha384");
    }
    assertEquals(1, run("verify", std.toString(), "--now", at));
    assertTrue(err.toString().contains("REFUSED ARBITRARY_SOFTWARE"), err.toString());
  }
}
