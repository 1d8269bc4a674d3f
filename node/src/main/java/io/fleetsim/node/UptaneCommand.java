package io.fleetsim.node;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.ImageVerifier;
import io.fleetsim.uptane.client.MetadataFetcher;
import io.fleetsim.uptane.client.RepositoryClient;
import io.fleetsim.uptane.client.TrustedMetadataSet;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fleetsim uptane}: create an image repository on disk in TUF's layout, add images to it,
 * and verify a repository directory the way a vehicle would.
 */
@Command(
    name = "uptane",
    mixinStandardHelpOptions = true,
    description = "Create, extend and verify an Uptane image repository in TUF's file layout.",
    subcommands = {
      UptaneCommand.Init.class,
      UptaneCommand.AddTarget.class,
      UptaneCommand.Verify.class
    })
public final class UptaneCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static Random random(Long seed) {
    return seed == null ? new SecureRandom() : new Random(seed);
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = "Write a fresh signed image repository (keys in DIR/keys/).")
  static final class Init implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Option(
        names = "--seed",
        description = "Derive keys from this seed (reproducible, not secret).")
    Long seed;

    @Option(names = "--name", defaultValue = "images", description = "Repository name.")
    String name;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (Files.exists(dir.resolve("1.root.json"))) {
        err.println("refusing to overwrite the repository in " + dir);
        return 1;
      }
      Repository repo = Repository.create(name, random(seed), Instant.now(), Expiries.defaults());
      repo.save(dir);
      Files.createDirectories(dir.resolve("targets"));
      out.println("created repository '" + name + "' in " + dir);
      out.println(
          "  root v1, root key "
              + repo.currentRoot()
                  .signed()
                  .roles()
                  .get(io.fleetsim.uptane.metadata.Role.ROOT)
                  .keyIds()
                  .get(0));
      out.println("  private keys in " + dir.resolve("keys") + " (keep them secret)");
      return 0;
    }
  }

  @Command(
      name = "add-target",
      mixinStandardHelpOptions = true,
      description = "Copy FILE into DIR/targets/ and re-sign targets, snapshot and timestamp.")
  static final class AddTarget implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Parameters(index = "1", paramLabel = "FILE")
    Path file;

    @Option(
        names = "--hardware-id",
        required = true,
        description = "Hardware the image is built for.")
    String hardwareId;

    @Option(names = "--name", description = "Target path (default: the file's name).")
    String targetName;

    @Option(names = "--release-counter", description = "Release counter recorded in custom.")
    Long releaseCounter;

    @Override
    public Integer call() throws IOException {
      PrintWriter err = spec.commandLine().getErr();
      String name = targetName != null ? targetName : file.getFileName().toString();
      String problem = TargetFile.nameProblem(name);
      if (problem != null) {
        err.println(problem);
        return 1;
      }
      if (!Files.isRegularFile(file)) {
        err.println("no such file: " + file);
        return 1;
      }
      if (!Files.exists(dir.resolve("1.root.json"))) {
        err.println("no repository in " + dir + " (run 'fleetsim uptane init' first)");
        return 1;
      }
      Repository repo = Repository.load(dir);
      byte[] image = Files.readAllBytes(file);
      Json custom =
          releaseCounter == null
              ? Json.obj("hardware_id", Json.str(hardwareId))
              : Json.obj(
                  "hardware_id", Json.str(hardwareId),
                  "release_counter", Json.num(releaseCounter));
      TargetFile target = TargetFile.of(name, image, custom);
      Path dest = dir.resolve("targets").resolve(name);
      Files.createDirectories(dest.getParent());
      Files.copy(file, dest, StandardCopyOption.REPLACE_EXISTING);
      repo.addTarget(target);
      repo.publish(Instant.now());
      repo.save(dir);
      spec.commandLine()
          .getOut()
          .println(
              "added "
                  + name
                  + " ("
                  + target.length()
                  + " bytes, sha256 "
                  + target.sha256()
                  + "); targets v"
                  + repo.signedTargets().version()
                  + ", snapshot v"
                  + repo.signedSnapshot().version()
                  + ", timestamp v"
                  + repo.signedTimestamp().version());
      return 0;
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Run the TUF client workflow from DIR/1.root.json over the files in DIR and check",
        "every file under DIR/targets/ against its length and hashes. Exit 0 only if all verify."
      })
  static final class Verify implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Option(names = "--now", description = "Check expiry against this instant (default: now).")
    Instant now;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Instant at = now != null ? now : Instant.now();
      try {
        Path rootFile = dir.resolve("1.root.json");
        if (!Files.isRegularFile(rootFile)) {
          err.println("no 1.root.json in " + dir);
          return 1;
        }
        byte[] trustedRoot = read(rootFile, io.fleetsim.uptane.metadata.Limits.ROOT);
        RepositoryClient client = new RepositoryClient(trustedRoot);
        TrustedMetadataSet set = client.refresh(directoryFetcher(dir), at);
        Signed<TargetsMetadata> targets = set.targets().orElseThrow();
        out.println("trusted at " + JsonFields.formatTime(at) + ":");
        out.println(
            "  root      v"
                + set.root().version()
                + " expires "
                + JsonFields.formatTime(set.root().signed().expires()));
        set.timestamp()
            .ifPresent(
                t ->
                    out.println(
                        "  timestamp v"
                            + t.version()
                            + " expires "
                            + JsonFields.formatTime(t.signed().expires())));
        set.snapshot()
            .ifPresent(
                s ->
                    out.println(
                        "  snapshot  v"
                            + s.version()
                            + " expires "
                            + JsonFields.formatTime(s.signed().expires())));
        out.println(
            "  targets   v"
                + targets.version()
                + " expires "
                + JsonFields.formatTime(targets.signed().expires())
                + ", "
                + targets.signed().targets().size()
                + " target(s)");
        Map<String, TargetFile> listed = targets.signed().targets();
        List<String> problems = new ArrayList<>();
        Map<String, Path> present = imagesUnder(dir.resolve("targets"));
        for (Map.Entry<String, Path> e : present.entrySet()) {
          TargetFile t = listed.get(e.getKey());
          if (t == null) {
            throw new VerificationException(
                Attack.ARBITRARY_SOFTWARE,
                "targets/" + e.getKey() + " is not listed in targets v" + targets.version());
          }
          verifyImage(t, e.getValue());
          out.println(
              "  ok        " + t.name() + " (" + t.length() + " bytes, sha256 " + t.sha256() + ")");
        }
        for (String name : listed.keySet()) {
          if (!present.containsKey(name)) {
            problems.add(name);
          }
        }
        for (String missing : problems) {
          out.println("  absent    " + missing + " (listed, no file under targets/ to check)");
        }
        out.println("verified: all metadata and " + present.size() + " image(s)");
        return 0;
      } catch (VerificationException e) {
        err.println("REFUSED " + e.attack() + ": " + e.detail());
        return 1;
      } catch (IOException e) {
        err.println("cannot read " + dir + ": " + e);
        return 1;
      }
    }

    private static void verifyImage(TargetFile t, Path file)
        throws IOException, VerificationException {
      long size = Files.size(file);
      if (size > t.length()) {
        throw new VerificationException(
            Attack.ENDLESS_DATA,
            "targets/"
                + t.name()
                + " is "
                + size
                + " bytes, more than the "
                + t.length()
                + " listed");
      }
      ImageVerifier.Streaming check = ImageVerifier.streaming(t);
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = Files.newInputStream(file)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          check.update(buf, 0, n);
        }
      }
      check.finish();
    }

    private static Map<String, Path> imagesUnder(Path targetsDir) throws IOException {
      Map<String, Path> out = new TreeMap<>();
      if (!Files.isDirectory(targetsDir)) {
        return out;
      }
      try (Stream<Path> files = Files.walk(targetsDir)) {
        for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          String rel =
              targetsDir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
          out.put(rel, p);
        }
      }
      return out;
    }
  }

  /** Reads metadata files from a directory, refusing oversized ones before reading them. */
  static MetadataFetcher directoryFetcher(Path dir) {
    return (name, maxLength) -> {
      Path p = dir.resolve(name);
      if (!Files.isRegularFile(p)) {
        return null;
      }
      try {
        return read(p, maxLength);
      } catch (IOException e) {
        throw new VerificationException(Attack.MALFORMED, "cannot read " + name + ": " + e);
      }
    };
  }

  static byte[] read(Path p, long maxLength) throws IOException, VerificationException {
    long size = Files.size(p);
    if (size > maxLength) {
      throw new VerificationException(
          Attack.ENDLESS_DATA,
          p.getFileName() + " is " + size + " bytes, more than the " + maxLength + " allowed");
    }
    try (InputStream in = Files.newInputStream(p)) {
      // Bounded read: the file may grow between the size check and the read.
      byte[] data = in.readNBytes((int) maxLength + 1);
      if (data.length > maxLength) {
        throw new VerificationException(
            Attack.ENDLESS_DATA, p.getFileName() + " grew past " + maxLength + " bytes");
      }
      return data;
    }
  }
}
