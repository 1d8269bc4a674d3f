package io.fleetsim.vehicle;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.MetadataFetcher;
import io.fleetsim.uptane.client.PrimaryVerifier;
import io.fleetsim.uptane.client.RepositoryClient;
import io.fleetsim.uptane.client.TrustedState;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.RootMetadata;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The primary's full verification over metadata already fetched: a pure function from (trusted
 * state, fetched files) to (new trusted state, targets) or the attack that was refused. It runs off
 * the actor, so it must not touch entity state.
 */
final class UptaneCheck {

  /** How many root versions past the trusted one a check fetches at most. */
  static final int MAX_ROOT_FETCH = RepositoryClient.MAX_ROOT_ROTATIONS;

  private UptaneCheck() {}

  static Vehicle.CheckResult run(
      TrustedState director,
      TrustedState images,
      Map<String, byte[]> directorFiles,
      Map<String, byte[]> imageFiles,
      Map<String, String> inventory,
      Map<String, Long> installedReleaseCounters,
      Instant now) {
    long bytes = size(directorFiles) + size(imageFiles);
    PrimaryVerifier verifier =
        new PrimaryVerifier(new RepositoryClient(director), new RepositoryClient(images));
    try {
      List<VerifiedTarget> targets =
          verifier.verify(
              MetadataFetcher.fromMap(directorFiles),
              MetadataFetcher.fromMap(imageFiles),
              inventory,
              installedReleaseCounters,
              now);
      return new Vehicle.CheckResult(
          verifier.director().state(),
          verifier.imageRepository().state(),
          targets,
          directorFiles.get("targets.json"),
          bytes,
          null,
          null);
    } catch (VerificationException e) {
      return new Vehicle.CheckResult(
          director, images, List.of(), null, bytes, e.attack().name(), e.getMessage());
    }
  }

  /** Version of the trusted root; a check fetches the roots after it. */
  static int rootVersion(TrustedState trusted) {
    try {
      return RootMetadata.parse(trusted.root()).version();
    } catch (VerificationException e) {
      // Our own trusted bytes; unreadable means corrupt state, and the check will refuse it.
      return 1;
    }
  }

  /** A string or boolean field of a director target's custom object, or null. */
  static String custom(VerifiedTarget t, String key) {
    if (t.target().custom() instanceof Json.Obj o) {
      Json v = o.get(key);
      if (v instanceof Json.Str s) {
        return s.value();
      }
      if (v instanceof Json.Bool b) {
        return String.valueOf(b.value());
      }
    }
    return null;
  }

  private static long size(Map<String, byte[]> files) {
    return files.values().stream().mapToLong(b -> b.length).sum();
  }
}
