package io.fleetsim.node;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.FetchException;
import io.fleetsim.uptane.client.FetchFailure;
import io.fleetsim.uptane.client.FetchResult;
import io.fleetsim.uptane.client.ImageVerifier;
import io.fleetsim.uptane.client.MetadataRequest;
import io.fleetsim.uptane.client.RepositoryClient;
import io.fleetsim.uptane.client.RepositoryFetcher;
import io.fleetsim.uptane.client.TrustedMetadataSet;
import io.fleetsim.uptane.crypto.SigningKey;
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

    @Option(
        names = "--role",
        description =
            "Sign the target in this delegated targets role (an ECU supplier's) instead of the"
                + " top-level targets; the role is created with fresh keys on first use.")
    String role;

    @Option(
        names = "--paths",
        split = ",",
        description =
            "Path patterns a new --role is trusted for (default: DIR/* for a target in a"
                + " directory, else its name).")
    List<String> paths;

    @Option(
        names = "--terminating",
        description = "A new --role ends the search for the paths it covers.")
    boolean terminating;

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
      if (role != null) {
        try {
          if (!repo.delegatedRoles().contains(role)) {
            List<String> patterns = paths;
            if (patterns == null || patterns.isEmpty()) {
              int slash = name.lastIndexOf('/');
              patterns = List.of(slash < 0 ? name : name.substring(0, slash) + "/*");
            }
            repo.delegate(
                role, List.of(SigningKey.generate(new SecureRandom())), 1, patterns, terminating);
          }
          repo.addTarget(role, target);
        } catch (IllegalArgumentException e) {
          err.println(e.getMessage());
          return 1;
        }
      } else {
        repo.addTarget(target);
      }
      Path dest = dir.resolve("targets").resolve(name);
      Files.createDirectories(dest.getParent());
      Files.copy(file, dest, StandardCopyOption.REPLACE_EXISTING);
      if (repo.currentRoot().signed().consistentSnapshot()) {
        // Consistent snapshots: standard clients fetch targets as HASH.NAME.
        Files.copy(
            file,
            dir.resolve("targets").resolve(RepositoryClient.targetFileName(target, true)),
            StandardCopyOption.REPLACE_EXISTING);
      }
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
                  + (role == null ? "" : ") in role " + role + " (")
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
        "Run the TUF client workflow from DIR/1.root.json over the files in DIR (consistent",
        "snapshots and delegations followed) and check every file under DIR/targets/ (NAME, or",
        "HASH.NAME) against its length and hashes. Exit 0 only if all verify."
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
        boolean consistent = set.root().signed().consistentSnapshot();
        out.println("trusted at " + JsonFields.formatTime(at) + ":");
        out.println(
            "  root      v"
                + set.root().version()
                + " expires "
                + JsonFields.formatTime(set.root().signed().expires())
                + (consistent ? ", consistent snapshots" : ""));
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
        Map<String, TargetFile> listed = client.allTargets();
        for (String role : delegatedRolesLoaded(set)) {
          Signed<TargetsMetadata> d = set.delegatedTargets(role).orElseThrow();
          out.println(
              "  delegated "
                  + role
                  + " v"
                  + d.version()
                  + " expires "
                  + JsonFields.formatTime(d.signed().expires())
                  + ", "
                  + d.signed().targets().size()
                  + " target(s)");
        }
        if (consistent) {
          checkPlainCopies(dir, set);
        }
        Map<String, Path> present = imagesUnder(dir.resolve("targets"));
        java.util.Set<String> checked = new java.util.HashSet<>();
        for (Map.Entry<String, Path> e : present.entrySet()) {
          TargetFile t = listed.get(e.getKey());
          String as = "";
          if (t == null && consistent) {
            t = hashNamed(e.getKey(), listed);
            as = t == null ? "" : " as " + e.getKey();
          }
          if (t == null) {
            throw new VerificationException(
                Attack.ARBITRARY_SOFTWARE,
                "targets/"
                    + e.getKey()
                    + " is not listed in targets v"
                    + targets.version()
                    + " or a role it delegates to");
          }
          verifyImage(t, e.getValue());
          checked.add(t.name());
          out.println(
              "  ok        " + t.name() + " (" + t.length() + " bytes, " + hashesOf(t) + ")" + as);
        }
        for (String name : listed.keySet()) {
          if (!checked.contains(name)) {
            out.println("  absent    " + name + " (listed, no file under targets/ to check)");
          }
        }
        out.println("verified: all metadata and " + present.size() + " image(s)");
        return 0;
      } catch (FetchException e) {
        err.println("FAILED TO FETCH " + e.getMessage());
        return 1;
      } catch (VerificationException e) {
        err.println("REFUSED " + e.attack() + ": " + e.detail());
        return 1;
      } catch (IOException e) {
        err.println("cannot read " + dir + ": " + e);
        return 1;
      }
    }

    private static String hashesOf(TargetFile t) {
      StringBuilder sb = new StringBuilder();
      new TreeMap<>(t.hashes())
          .forEach(
              (alg, h) ->
                  sb.append(sb.length() == 0 ? "" : ", ").append(alg).append(' ').append(h));
      return sb.toString();
    }

    private static List<String> delegatedRolesLoaded(TrustedMetadataSet set) {
      List<String> out = new ArrayList<>();
      for (String f : set.snapshot().orElseThrow().signed().meta().keySet()) {
        String role = f.substring(0, f.length() - ".json".length());
        if (!role.equals("targets") && set.delegatedTargets(role).isPresent()) {
          out.add(role);
        }
      }
      return out;
    }

    /** {@code dir/HASH.base} for a listed {@code dir/base} whose hashes include HASH. */
    private static TargetFile hashNamed(String fileName, Map<String, TargetFile> listed)
        throws VerificationException {
      int slash = fileName.lastIndexOf('/');
      String base = fileName.substring(slash + 1);
      int dot = base.indexOf('.');
      if (dot <= 0 || !base.substring(0, dot).matches("[0-9a-f]+")) {
        return null;
      }
      String hash = base.substring(0, dot);
      String name = fileName.substring(0, slash + 1) + base.substring(dot + 1);
      TargetFile t = listed.get(name);
      if (t == null) {
        return null;
      }
      if (!t.hashes().containsValue(hash)) {
        throw new VerificationException(
            Attack.ARBITRARY_SOFTWARE,
            "targets/" + fileName + " is named for a hash target " + name + " does not list");
      }
      return t;
    }

    /**
     * fleetsim repositories also serve the plain names ({@code snapshot.json}, {@code
     * targets.json}, {@code ROLE.json}); they must be the very files that verified under their
     * consistent names, or clients of the two layouts would see different repositories.
     */
    private static void checkPlainCopies(Path dir, TrustedMetadataSet set)
        throws IOException, VerificationException {
      Map<String, io.fleetsim.uptane.metadata.MetaFile> meta =
          new TreeMap<>(set.snapshot().orElseThrow().signed().meta());
      meta.put("snapshot.json", set.timestamp().orElseThrow().signed().snapshot());
      for (Map.Entry<String, io.fleetsim.uptane.metadata.MetaFile> e : meta.entrySet()) {
        Path plain = dir.resolve(e.getKey());
        Path versioned = dir.resolve(e.getValue().version() + "." + e.getKey());
        if (Files.isRegularFile(plain)
            && Files.isRegularFile(versioned)
            && Files.mismatch(plain, versioned) != -1) {
          throw new VerificationException(
              Attack.MIX_AND_MATCH,
              e.getKey() + " differs from " + versioned.getFileName() + ", which verified");
        }
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

  /**
   * Reads a repository's files from a directory: metadata by the name the layout calls for, targets
   * under {@code targets/}. Absent files, oversized files and read errors are typed fetch results,
   * not attacks.
   */
  static RepositoryFetcher directoryFetcher(Path dir) {
    return new RepositoryFetcher() {
      @Override
      public FetchResult fetchMetadata(MetadataRequest request) {
        return get(dir.resolve(request.fileName()), request.fileName(), request.maxLength());
      }

      @Override
      public FetchResult fetchTarget(String fileName, long maxLength) {
        return get(dir.resolve("targets").resolve(fileName), fileName, maxLength);
      }

      private FetchResult get(Path p, String name, long maxLength) {
        if (!Files.isRegularFile(p)) {
          return FetchResult.notFound(name);
        }
        try {
          return FetchResult.found(read(p, maxLength));
        } catch (VerificationException e) {
          return FetchResult.failed(FetchFailure.TOO_LARGE, e.detail());
        } catch (IOException e) {
          return FetchResult.failed(FetchFailure.SERVER_ERROR, "cannot read " + name + ": " + e);
        }
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
