package io.fleetsim.vehicle;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.MetadataFetcher;
import io.fleetsim.uptane.client.PrimaryVerifier;
import io.fleetsim.uptane.client.RepositoryClient;
import io.fleetsim.uptane.client.TrustedMetadataSet;
import io.fleetsim.uptane.client.TrustedState;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.metadata.DirectorTargetCustom;
import io.fleetsim.uptane.metadata.RoleMetadata;
import io.fleetsim.uptane.metadata.RootMetadata;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.TargetFile;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
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

  /** A verified director target with the assignment the Director signed into it. */
  record Target(VerifiedTarget verified, DirectorTargetCustom custom) {}

  /**
   * Why a check refused the metadata.
   *
   * @param assignmentIds the assignments of the verified director targets when only what came after
   *     the director's own metadata was refused (the image repository's metadata or the
   *     cross-check); empty when the director's metadata itself was refused, so no assignment id
   *     can be trusted
   * @param campaignId the campaign of the first of those assignments, empty when there are none
   * @param key what was refused, the same for the same refusal on every poll: the assignment ids,
   *     or a hash of the refused director files when there are none
   */
  record Refusal(
      String attack, String detail, List<String> assignmentIds, String campaignId, String key) {
    Refusal {
      assignmentIds = List.copyOf(assignmentIds);
    }
  }

  /**
   * What a check concluded: the newly trusted metadata of both repositories and the targets to
   * install, or the refusal; plus how many bytes crossed the link.
   */
  record Result(
      VehicleState.Trust trust,
      List<Target> targets,
      byte[] directorTargets,
      long networkBytes,
      Refusal refusal,
      List<String> fastForwardsUndone) {

    Result {
      targets = List.copyOf(targets);
      fastForwardsUndone = List.copyOf(fastForwardsUndone);
    }

    static Result nothingNew(VehicleState.Trust trust, long networkBytes) {
      return new Result(trust, List.of(), null, networkBytes, null, List.of());
    }

    /**
     * The security events of this check beside a refusal: each fast-forward a key rotation undid
     * (trusted metadata of a far-future version dropped, TUF 5.3.11).
     */
    List<Vehicle.Event> securityEvents(Instant at) {
      return fastForwardsUndone.stream()
          .<Vehicle.Event>map(
              d -> new Vehicle.AttackDetected(io.fleetsim.uptane.Attack.FAST_FORWARD.name(), d, at))
          .toList();
    }
  }

  /**
   * The result without the targets naming the very image their ECU runs: there is nothing to
   * install for them. The Director drops a finished install from its targets; a replay of older
   * targets (a frozen timestamp) still lists it, and installing it again would rewrite a bank for
   * nothing.
   */
  static Result withoutRunning(
      Result r, Vehicle.Spec spec, Map<String, VehicleState.Installed> installed) {
    if (r.targets().isEmpty()) {
      return r;
    }
    Map<String, String> running = new java.util.HashMap<>();
    for (Vehicle.EcuSpec e : spec.ecus()) {
      VehicleState.Installed i = installed.get(e.ecuId());
      running.put(e.serial(), i == null ? e.installed().sha256() : i.sha256());
    }
    List<Target> toInstall = new ArrayList<>();
    for (Target t : r.targets()) {
      if (!t.verified().target().sha256().equals(running.get(t.verified().ecuSerial()))) {
        toInstall.add(t);
      }
    }
    return toInstall.size() == r.targets().size()
        ? r
        : new Result(
            r.trust(),
            toInstall,
            r.directorTargets(),
            r.networkBytes(),
            r.refusal(),
            r.fastForwardsUndone());
  }

  /**
   * What the update for a check's verified targets is to do; {@code ecuIds} maps ECU serials to
   * this vehicle's ECU ids. Consent or parking is required when any assignment requires it.
   */
  static VehicleState.UpdatePlan plan(
      String updateId, Instant now, Result checked, Map<String, String> ecuIds) {
    List<VehicleState.PlannedInstall> installs = new ArrayList<>();
    boolean consent = false;
    boolean parked = false;
    for (Target t : checked.targets()) {
      TargetFile file = t.verified().target();
      String serial = t.verified().ecuSerial();
      installs.add(
          new VehicleState.PlannedInstall(
              ecuIds.get(serial),
              serial,
              file.name(),
              file.length(),
              file.sha256(),
              t.verified().releaseCounter(),
              t.custom().assignmentId(),
              t.custom().campaignId()));
      consent |= t.custom().requireConsent();
      parked |= t.custom().requireParked();
    }
    return new VehicleState.UpdatePlan(
        updateId, now, consent, parked, installs, checked.directorTargets());
  }

  static Result run(
      VehicleState.Trust trust,
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
      List<VerifiedTarget> verified =
          verifier.verify(
              MetadataFetcher.fromMap(directorFiles),
              MetadataFetcher.fromMap(imageFiles),
              inventory,
              installedReleaseCounters,
              now);
      List<Target> targets = new ArrayList<>();
      for (VerifiedTarget t : verified) {
        targets.add(new Target(t, DirectorTargetCustom.of(t.target())));
      }
      VehicleState.Trust next =
          new VehicleState.Trust(
              verifier.director().state(),
              verifier.imageRepository().state(),
              earliestExpiry(verifier));
      return new Result(
          next, targets, directorFiles.get("targets.json"), bytes, null, undone(verifier));
    } catch (VerificationException e) {
      // TUF keeps each role as soon as it verified: a refusal at the snapshot still leaves a new
      // root and timestamp trusted, so a later rollback below them is caught. Until a check
      // verifies everything again, nothing may be assumed unchanged (no validity horizon).
      VehicleState.Trust kept =
          new VehicleState.Trust(
              verifier.director().state(), verifier.imageRepository().state(), null);
      return new Result(
          sameTrust(kept, new VehicleState.Trust(trust.director(), trust.images(), null))
              ? trust
              : kept,
          List.of(),
          null,
          bytes,
          refusal(e, verifier, directorFiles),
          undone(verifier));
    }
  }

  /** The fast-forwards the check's key rotations undid, in both repositories. */
  private static List<String> undone(PrimaryVerifier verifier) {
    return Stream.of(verifier.director(), verifier.imageRepository())
        .flatMap(c -> c.fastForwardsUndone().stream())
        .toList();
  }

  /**
   * The director's metadata passed when its client refreshed: then its targets are signed by the
   * Director and their assignment ids can be reported, even though something after them failed.
   */
  private static Refusal refusal(
      VerificationException e, PrimaryVerifier verifier, Map<String, byte[]> directorFiles) {
    TreeSet<String> ids = new TreeSet<>();
    String campaignId = "";
    Optional<Signed<io.fleetsim.uptane.metadata.TargetsMetadata>> directorTargets =
        verifier.director().targets();
    if (directorTargets.isPresent()) {
      try {
        for (TargetFile t : directorTargets.get().signed().targets().values()) {
          DirectorTargetCustom custom = DirectorTargetCustom.of(t);
          ids.add(custom.assignmentId());
          campaignId = campaignId.isEmpty() ? custom.campaignId() : campaignId;
        }
      } catch (VerificationException malformed) {
        ids.clear(); // a target without a readable assignment: none of them can be named
        campaignId = "";
      }
    }
    String key = ids.isEmpty() ? "director files " + digest(directorFiles) : "assignments " + ids;
    return new Refusal(e.attack().name(), e.detail(), List.copyOf(ids), campaignId, key);
  }

  /** One hash over the files by name, so the same refused files give the same key. */
  private static String digest(Map<String, byte[]> files) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    new TreeMap<>(files)
        .forEach(
            (name, data) -> {
              all.writeBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
              all.writeBytes(Hashing.sha256(data));
            });
    return Hashing.sha256Hex(all.toByteArray());
  }

  /**
   * Whether a poll can stop after the timestamps: no newer root, both repositories serve exactly
   * the timestamp bytes verified last time (so they announce no new snapshot, hence no new
   * targets), and nothing trusted has expired (the freeze check still applies on every poll). Bytes
   * identical to verified ones need no second signature check.
   */
  static boolean unchanged(
      VehicleState.Trust trust,
      Map<String, byte[]> directorHead,
      Map<String, byte[]> imageHead,
      Instant now) {
    return trust.until() != null
        && now.isBefore(trust.until())
        && sameHead(trust.director(), directorHead)
        && (!directorHasTargets(trust) || sameHead(trust.images(), imageHead));
  }

  /**
   * Whether the director targets {@code trust} holds name any image. When they name none and the
   * Director serves the same timestamp (so the same snapshot and targets), the check is complete
   * without the image repository, as the Uptane Standard allows (full verification stops when the
   * Director's targets have nothing new): what the image repository re-signed meanwhile does not
   * concern this vehicle.
   */
  static boolean directorHasTargets(VehicleState.Trust trust) {
    if (trust.director() == null || trust.director().targets() == null) {
      return false;
    }
    try {
      return !io.fleetsim.uptane.metadata.TargetsMetadata.parse(trust.director().targets())
          .signed()
          .targets()
          .isEmpty();
    } catch (VerificationException e) {
      return true; // not what it verified: let the check find out
    }
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

  /** Same bytes trusted for both repositories, and the same validity. */
  static boolean sameTrust(VehicleState.Trust a, VehicleState.Trust b) {
    return a != null
        && b != null
        && java.util.Objects.equals(a.until(), b.until())
        && sameState(a.director(), b.director())
        && sameState(a.images(), b.images());
  }

  private static boolean sameState(TrustedState a, TrustedState b) {
    return Arrays.equals(a.root(), b.root())
        && Arrays.equals(a.timestamp(), b.timestamp())
        && Arrays.equals(a.snapshot(), b.snapshot())
        && Arrays.equals(a.targets(), b.targets());
  }

  static long size(Map<String, byte[]> files) {
    return files.values().stream().mapToLong(b -> b.length).sum();
  }
}
