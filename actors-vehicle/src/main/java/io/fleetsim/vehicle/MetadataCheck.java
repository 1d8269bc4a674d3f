package io.fleetsim.vehicle;

import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cluster.Asks;
import io.fleetsim.faults.LinkTampering;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * One check for updates: fetches the metadata of both repositories in the order the TUF workflow
 * reads it and hands it to {@link UptaneCheck}, which owns every rule. Newer roots and the
 * timestamps come first; when both repositories serve the very timestamps this vehicle verified
 * last time, nothing is new and the check ends there, without snapshot or targets.
 *
 * <p>It runs off the actor and touches no entity state: its result is a future, the way
 * python-tuf's Updater fetches for its TrustedMetadataSet.
 */
final class MetadataCheck {

  /** One repository's metadata files by name; a file it does not have fails the stage. */
  interface Repository {
    CompletionStage<byte[]> fetch(String fileName);
  }

  /** What the vehicle checks against: its ECUs (serial to hardware id) and what they run. */
  record Ecus(Map<String, String> inventory, Map<String, Long> releaseCounters) {

    /**
     * The ECUs of {@code spec} by serial; each one's release counter is that of what it runs now,
     * or of its factory image when the primary knows nothing newer.
     */
    static Ecus of(Vehicle.Spec spec, Map<String, VehicleState.Installed> installed) {
      Map<String, String> inventory = new LinkedHashMap<>();
      Map<String, Long> counters = new LinkedHashMap<>();
      for (Vehicle.EcuSpec e : spec.ecus()) {
        inventory.put(e.serial(), e.hardwareId());
        VehicleState.Installed i = installed.get(e.ecuId());
        counters.put(e.serial(), i == null ? e.installed().releaseCounter() : i.releaseCounter());
      }
      return new Ecus(inventory, counters);
    }
  }

  /** What the link does to a file on its way to the vehicle ({@link FaultedLink}). */
  interface Tamper {
    byte[] apply(LinkTampering.Repo repo, String fileName, byte[] bytes);
  }

  private final Repository director;
  private final Repository images;

  MetadataCheck(Repository director, Repository images) {
    this.director = director;
    this.images = images;
  }

  /** A check against the vehicle's Director and the image repository, through {@code asks}. */
  static MetadataCheck over(
      Asks asks,
      RecipientRef<Director.Command> director,
      RecipientRef<ImageRepository.Command> images) {
    return new MetadataCheck(
        name ->
            asks.askWithStatus(
                director, (ActorRef<StatusReply<byte[]>> r) -> new Director.GetMetadata(name, r)),
        name ->
            asks.askWithStatus(
                images,
                (ActorRef<StatusReply<byte[]>> r) -> new ImageRepository.GetMetadata(name, r)));
  }

  /** The same check, its files passing through {@code tamper} as they arrive. */
  MetadataCheck through(Tamper tamper) {
    return new MetadataCheck(
        name ->
            director.fetch(name).thenApply(b -> tamper.apply(LinkTampering.Repo.DIRECTOR, name, b)),
        name ->
            images.fetch(name).thenApply(b -> tamper.apply(LinkTampering.Repo.IMAGES, name, b)));
  }

  CompletionStage<UptaneCheck.Result> run(VehicleState.Trust trust, Ecus ecus, Instant now) {
    return head(UptaneCheck.rootVersion(trust.director()), director)
        .thenCombine(head(UptaneCheck.rootVersion(trust.images()), images), Heads::new)
        .thenCompose(
            heads -> {
              if (UptaneCheck.unchanged(trust, heads.director(), heads.images(), now)) {
                return CompletableFuture.completedFuture(
                    UptaneCheck.Result.nothingNew(trust, heads.bytes()));
              }
              return rest(heads.director(), director)
                  .thenCombine(
                      rest(heads.images(), images),
                      (d, i) ->
                          UptaneCheck.run(
                              trust, d, i, ecus.inventory(), ecus.releaseCounters(), now));
            });
  }

  /** Newer roots and the timestamp of both repositories. */
  private record Heads(Map<String, byte[]> director, Map<String, byte[]> images) {
    long bytes() {
      return UptaneCheck.size(director) + UptaneCheck.size(images);
    }
  }

  /** Every root after the trusted one (at most {@code MAX_ROOT_FETCH}), then the timestamp. */
  static CompletionStage<Map<String, byte[]>> head(int trustedVersion, Repository repo) {
    Map<String, byte[]> files = new ConcurrentHashMap<>();
    return roots(trustedVersion + 1, trustedVersion + UptaneCheck.MAX_ROOT_FETCH, files, repo)
        .thenCompose(x -> repo.fetch("timestamp.json"))
        .thenApply(
            t -> {
              files.put("timestamp.json", t);
              return files;
            });
  }

  /**
   * Roots {@code version} to {@code last}, stopping at the first the repository does not have. The
   * bound counts roots fetched in this check, not root versions: a vehicle may trust any version.
   */
  private static CompletionStage<Void> roots(
      int version, int last, Map<String, byte[]> files, Repository repo) {
    if (version > last) {
      return CompletableFuture.completedFuture(null);
    }
    String name = version + ".root.json";
    return repo.fetch(name)
        .handle((bytes, err) -> err == null ? bytes : null)
        .thenCompose(
            bytes -> {
              if (bytes == null) {
                return CompletableFuture.completedFuture(null);
              }
              files.put(name, bytes);
              return roots(version + 1, last, files, repo);
            });
  }

  /** What the workflow reads after the timestamp: snapshot and targets. */
  private static CompletionStage<Map<String, byte[]>> rest(
      Map<String, byte[]> head, Repository repo) {
    return repo.fetch("snapshot.json")
        .thenCombine(
            repo.fetch("targets.json"),
            (snapshot, targets) -> {
              Map<String, byte[]> files = new LinkedHashMap<>(head);
              files.put("snapshot.json", snapshot);
              files.put("targets.json", targets);
              return files;
            });
  }
}
