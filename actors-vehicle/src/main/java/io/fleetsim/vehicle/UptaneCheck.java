package io.fleetsim.vehicle;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.MetadataFetcher;
import io.fleetsim.uptane.client.PrimaryVerifier;
import io.fleetsim.uptane.client.RepositoryClient;
import io.fleetsim.uptane.client.TrustedMetadataSet;
import io.fleetsim.uptane.client.TrustedState;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.RoleMetadata;
import io.fleetsim.uptane.metadata.RootMetadata;
import io.fleetsim.uptane.metadata.Signed;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

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
      Vehicle.Trust trust,
      Map<String, byte[]> directorFiles,
      Map<String, byte[]> imageFiles,
      Map<String, String> inventory,
      Map<String, Long> installedReleaseCounters,
      Instant now) {
    long bytes = size(directorFiles) + size(imageFiles);
    PrimaryVerifier verifier =
        new PrimaryVerifier(
            new RepositoryClient(trust.director()), new RepositoryClient(trust.images()));
    try {
      List<VerifiedTarget> targets =
          verifier.verify(
              MetadataFetcher.fromMap(directorFiles),
              MetadataFetcher.fromMap(imageFiles),
              inventory,
              installedReleaseCounters,
              now);
      Vehicle.Trust next =
          new Vehicle.Trust(
              verifier.director().state(),
              verifier.imageRepository().state(),
              earliestExpiry(verifier));
      return new Vehicle.CheckResult(
          next, targets, directorFiles.get("targets.json"), bytes, null, null);
    } catch (VerificationException e) {
      return new Vehicle.CheckResult(
          trust, List.of(), null, bytes, e.attack().name(), e.getMessage());
    }
  }

  /**
   * Whether a poll can stop after the timestamps: no newer root, both repositories serve exactly
   * the timestamp bytes verified last time (so they announce no new snapshot, hence no new
   * targets), and nothing trusted has expired (the freeze check still applies on every poll). Bytes
   * identical to verified ones need no second signature check.
   */
  static boolean unchanged(
      Vehicle.Trust trust,
      Map<String, byte[]> directorHead,
      Map<String, byte[]> imageHead,
      Instant now) {
    return trust.until() != null
        && now.isBefore(trust.until())
        && sameHead(trust.director(), directorHead)
        && sameHead(trust.images(), imageHead);
  }

  private static boolean sameHead(TrustedState trusted, Map<String, byte[]> head) {
    return head.size() == 1
        && trusted.timestamp() != null
        && Arrays.equals(trusted.timestamp(), head.get("timestamp.json"));
  }

  /** When the first of the metadata now trusted, in either repository, expires. */
  private static Instant earliestExpiry(PrimaryVerifier verifier) {
    return Stream.of(verifier.director(), verifier.imageRepository())
        .map(RepositoryClient::lastRefresh)
        .flatMap(Optional::stream)
        .flatMap(UptaneCheck::roles)
        .map(RoleMetadata::expires)
        .min(Instant::compareTo)
        .orElse(null);
  }

  private static Stream<RoleMetadata> roles(TrustedMetadataSet set) {
    return Stream.of(Optional.of(set.root()), set.timestamp(), set.snapshot(), set.targets())
        .flatMap(Optional::stream)
        .map(Signed::signed);
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

  static long size(Map<String, byte[]> files) {
    return files.values().stream().mapToLong(b -> b.length).sum();
  }
}
