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
}
