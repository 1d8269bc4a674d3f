package io.fleetsim.vehicle;

import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cluster.Asks;
import io.fleetsim.cluster.BlobStore;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.ImageVerifier;
import io.fleetsim.uptane.metadata.ImageName;
import io.fleetsim.uptane.metadata.TargetFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The images of an update, fetched from the image repository: as a binary delta from what the ECU
 * runs when the repository has one (only the delta crosses the link; the base is what the ECU
 * already holds), else whole. Each image the update needs is fetched once, however many ECUs
 * install it. {@link #verify} then checks every image against its verified target before any ECU
 * sees it.
 */
final class ImageDownload {

  /** Where images come from: the image repository's description of an image, and blobs. */
  interface Source {
    /** The repository's entry for an image; fails when it has none. */
    CompletionStage<FirmwareImage> image(ImageName name);

    CompletionStage<byte[]> blob(String sha256);
  }

  /** The image repository as a source, through {@code asks}. */
  static Source from(Asks asks, RecipientRef<ImageRepository.Command> repository) {
    return new Source() {
      @Override
      public CompletionStage<FirmwareImage> image(ImageName name) {
        return asks.askWithStatus(
            repository,
            (ActorRef<StatusReply<FirmwareImage>> r) ->
                new ImageRepository.GetImage(name.ecuType(), name.version(), r));
      }

      @Override
      public CompletionStage<byte[]> blob(String sha256) {
        return asks.askWithStatus(
            repository,
            (ActorRef<StatusReply<byte[]>> r) -> new ImageRepository.GetBlob(sha256, r));
      }
    };
  }

  /**
   * The rebuilt images by SHA-256, as the signed targets name them (not yet checked), and how many
   * bytes crossed the link for them.
   */
  record Result(Map<String, byte[]> images, long networkBytes) {}

  private record Fetched(byte[] image, long networkBytes) {}

  /** A delta's base and the SHA-256 of its content. */
  private record Base(String sha256, byte[] bytes) {}

  private final Source source;
  private final BlobStore blobs;
  private final RebuiltImages rebuilt;

  /** A download whose rebuilds from deltas are remembered in {@code rebuilt} (the node's). */
  ImageDownload(Source source, BlobStore blobs, RebuiltImages rebuilt) {
    this.source = source;
    this.blobs = blobs;
    this.rebuilt = rebuilt;
  }

  Source source() {
    return source;
  }

  /** The same download, from {@code other} ({@link FaultedLink}). */
  ImageDownload withSource(Source other) {
    return new ImageDownload(other, blobs, rebuilt);
  }

  CompletionStage<Result> fetch(
      List<VehicleState.PlannedInstall> installs, Map<String, VehicleState.Installed> running) {
    Map<String, CompletionStage<Fetched>> fetches = new LinkedHashMap<>();
    for (VehicleState.PlannedInstall i : installs) {
      fetches.computeIfAbsent(i.sha256(), sha -> fetch(i, running.get(i.ecuId())));
    }
    CompletionStage<Result> all =
        CompletableFuture.completedFuture(new Result(new LinkedHashMap<>(), 0));
    for (Map.Entry<String, CompletionStage<Fetched>> f : fetches.entrySet()) {
      all =
          all.thenCombine(
              f.getValue(),
              (r, fetched) -> {
                r.images().put(f.getKey(), fetched.image());
                return new Result(r.images(), r.networkBytes() + fetched.networkBytes());
              });
    }
    return all;
  }

  private CompletionStage<Fetched> fetch(
      VehicleState.PlannedInstall i, VehicleState.Installed running) {
    CompletionStage<FirmwareImage> info =
        running == null
            ? CompletableFuture.completedFuture(null)
            : ImageName.parse(i.targetName())
                .map(name -> source.image(name).exceptionally(err -> null))
                .orElseGet(() -> CompletableFuture.completedFuture(null));
    return info.thenCompose(
        image -> {
          if (image != null
              && image.hasDelta()
              && image.sha256().equals(i.sha256())
              && image.deltaFromVersion().equals(running.version())) {
            // The base is the image the ECU runs: on the vehicle already, so it does not cross
            // the link. Its hash keys the rebuild: the blob store's key is the hash of what it
            // holds; bytes from elsewhere are hashed as they came.
            CompletionStage<Base> base =
                blobs
                    .shared(running.sha256())
                    .<CompletionStage<Base>>map(
                        b -> CompletableFuture.completedFuture(new Base(running.sha256(), b)))
                    .orElseGet(
                        () ->
                            source
                                .blob(running.sha256())
                                .thenApply(b -> new Base(BlobStore.sha256Hex(b), b)));
            return source
                .blob(image.deltaSha256())
                .thenCombine(
                    base,
                    (delta, b) ->
                        new Fetched(
                            rebuilt.apply(b.sha256(), b.bytes(), delta, i.length()), delta.length));
          }
          return source.blob(i.sha256()).thenApply(bytes -> new Fetched(bytes, bytes.length));
        });
  }

  /**
   * VERIFYING: every image must have the length and SHA-256 its verified target signs, whatever the
   * link or a delta made of it; the first refusal names the attack.
   */
  static void verify(List<VehicleState.PlannedInstall> installs, Map<String, byte[]> images)
      throws VerificationException {
    for (VehicleState.PlannedInstall i : installs) {
      ImageVerifier.verify(
          new TargetFile(i.targetName(), i.length(), Map.of("sha256", i.sha256()), null),
          images.get(i.sha256()));
    }
  }

  /**
   * The events of VERIFYING for the downloaded {@code result}: the download completed and the
   * images verified, or, at the first image refused, the attack detected and the update ended
   * REJECTED.
   */
  static List<Vehicle.Event> verdict(
      List<VehicleState.PlannedInstall> installs, Result result, java.time.Instant now) {
    Vehicle.Event completed = new Vehicle.DownloadCompleted(result.networkBytes(), now);
    try {
      verify(installs, result.images());
    } catch (VerificationException e) {
      String attack = e.attack().name();
      return List.of(
          completed,
          new Vehicle.AttackDetected(attack, e.detail(), now),
          new Vehicle.UpdateEnded(
              io.fleetsim.uptane.manifest.UpdateOutcome.REJECTED,
              Vehicle.Phase.VERIFYING,
              attack,
              e.detail()));
    }
    return List.of(completed, new Vehicle.ImagesVerified(now));
  }

  /** Keeps the images for the bus to stream from; a node that holds one already keeps its copy. */
  void store(Map<String, byte[]> images) {
    images.forEach(
        (sha, bytes) -> {
          if (!blobs.contains(sha)) {
            blobs.put(bytes);
          }
        });
  }
}
