package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cluster.BlobStore;
import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.metadata.ImageName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Which bytes a download fetches and rebuilds, and which images VERIFYING refuses. */
class ImageDownloadTest {

  static byte[] random(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** An image repository answering from maps, recording every blob asked for. */
  static final class FakeSource implements ImageDownload.Source {
    final Map<String, FirmwareImage> images = new HashMap<>();
    final Map<String, byte[]> blobs = new HashMap<>();
    final List<String> blobsAsked = Collections.synchronizedList(new ArrayList<>());

    String add(byte[] blob) {
      String sha = Hashing.sha256Hex(blob);
      blobs.put(sha, blob);
      return sha;
    }

    @Override
    public CompletionStage<FirmwareImage> image(ImageName name) {
      FirmwareImage i = images.get(name.targetName());
      return i == null
          ? CompletableFuture.failedFuture(new IllegalStateException("no image " + name))
          : CompletableFuture.completedFuture(i);
    }

    @Override
    public CompletionStage<byte[]> blob(String sha256) {
      blobsAsked.add(sha256);
      byte[] b = blobs.get(sha256);
      return b == null
          ? CompletableFuture.failedFuture(new IllegalStateException("no blob " + sha256))
          : CompletableFuture.completedFuture(b);
    }
  }

  static VehicleState.PlannedInstall install(String ecuId, String name, byte[] image) {
    return new VehicleState.PlannedInstall(
        ecuId, ecuId + "-serial", name, image.length, Hashing.sha256Hex(image), 2, "c/1", "c");
  }

  static FirmwareImage entry(String name, byte[] image, String from, String deltaSha, int len) {
    ImageName n = ImageName.parse(name).orElseThrow();
    return new FirmwareImage(
        "repo",
        name,
        n.ecuType(),
        n.version(),
        2,
        List.of("hw"),
        image.length,
        Hashing.sha256Hex(image),
        from,
        deltaSha,
        len);
  }

  static ImageDownload.Result fetch(
      FakeSource source,
      BlobStore blobs,
      List<VehicleState.PlannedInstall> installs,
      Map<String, VehicleState.Installed> running)
      throws Exception {
    return new ImageDownload(source, blobs, new RebuiltImages(4, 1 << 20))
        .fetch(installs, running)
        .toCompletableFuture()
        .get();
  }

  @Test
  void withoutADeltaTheWholeImageIsFetchedOnceForEveryEcuThatInstallsIt() throws Exception {
    FakeSource source = new FakeSource();
    byte[] image = random(1, 5000);
    String sha = source.add(image);
    List<VehicleState.PlannedInstall> installs =
        List.of(
            install("left", "BODY/2.0.0.img", image), install("right", "BODY/2.0.0.img", image));
    ImageDownload.Result r = fetch(source, new BlobStore(), installs, Map.of());
    assertEquals(List.of(sha), source.blobsAsked);
    assertArrayEquals(image, r.images().get(sha));
    assertEquals(5000, r.networkBytes());
    ImageDownload.verify(installs, r.images());
  }

  @Test
  void aDeltaFromTheRunningVersionCrossesTheLinkInsteadOfTheImage() throws Exception {
    byte[] v1 = random(2, 20_000);
    byte[] v2 = v1.clone();
    for (int i = 100; i < 300; i++) {
      v2[i] ^= 0x5a;
    }
    byte[] delta = DeltaTest.diff(v1, v2);
    FakeSource source = new FakeSource();
    String deltaSha = source.add(delta);
    source.images.put(
        "ENGINE/2.0.0.img", entry("ENGINE/2.0.0.img", v2, "1.0.0", deltaSha, delta.length));
    // The base is the image the ECU runs; this node's blob store holds it.
    BlobStore blobs = new BlobStore();
    String v1Sha = blobs.put(v1);
    Map<String, VehicleState.Installed> running =
        Map.of("engine", new VehicleState.Installed("1.0.0", v1Sha, 1));
    List<VehicleState.PlannedInstall> installs = List.of(install("engine", "ENGINE/2.0.0.img", v2));

    ImageDownload.Result r = fetch(source, blobs, installs, running);
    assertEquals(List.of(deltaSha), source.blobsAsked);
    assertEquals(delta.length, r.networkBytes());
    assertArrayEquals(v2, r.images().get(Hashing.sha256Hex(v2)));
    ImageDownload.verify(installs, r.images());
  }

  @Test
  void aDeltaFromAnotherVersionIsNotUsed() throws Exception {
    byte[] v2 = random(3, 3000);
    FakeSource source = new FakeSource();
    String sha = source.add(v2);
    source.images.put(
        "ENGINE/2.0.0.img", entry("ENGINE/2.0.0.img", v2, "0.9.0", source.add(random(4, 10)), 10));
    Map<String, VehicleState.Installed> running =
        Map.of("engine", new VehicleState.Installed("1.0.0", "00".repeat(32), 1));
    ImageDownload.Result r =
        fetch(source, new BlobStore(), List.of(install("engine", "ENGINE/2.0.0.img", v2)), running);
    assertEquals(List.of(sha), source.blobsAsked);
    assertEquals(3000, r.networkBytes());
  }

  @Test
  void verifyingRefusesAnImageOfAnotherLengthOrHashOrNoImage() {
    byte[] image = random(5, 1000);
    List<VehicleState.PlannedInstall> installs =
        List.of(install("engine", "ENGINE/2.0.0.img", image));
    String sha = Hashing.sha256Hex(image);
    byte[] flipped = image.clone();
    flipped[0] ^= 1;
    byte[] shorter = java.util.Arrays.copyOf(image, 999);
    for (Map<String, byte[]> served :
        List.of(Map.of(sha, flipped), Map.of(sha, shorter), Map.<String, byte[]>of())) {
      VerificationException e =
          assertThrows(VerificationException.class, () -> ImageDownload.verify(installs, served));
      assertEquals(Attack.ARBITRARY_SOFTWARE, e.attack());
    }
  }
}
