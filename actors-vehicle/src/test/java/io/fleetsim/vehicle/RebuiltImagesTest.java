package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetsim.cluster.BlobStore;
import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hashing;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Images rebuilt from a delta are remembered per node by content, and a changed delta can never be
 * answered with what a good one built.
 */
class RebuiltImagesTest {

  static final byte[] V1 = new byte[32 * 1024];
  static final byte[] V2;
  static final byte[] DELTA;

  static {
    Random rng = new Random(11);
    rng.nextBytes(V1);
    V2 = V1.clone();
    for (int i = 0; i < 50; i++) {
      V2[rng.nextInt(V2.length)] ^= 0x33;
    }
    try {
      DELTA = DeltaTest.diff(V1, V2);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static final String V1_SHA = Hashing.sha256Hex(V1);

  /**
   * What an attacker on the way might serve instead of the delta: a well-formed delta of the same
   * announced length that builds other firmware (the image with one byte changed).
   */
  static byte[] tampered() {
    byte[] evil = V2.clone();
    evil[evil.length / 2] ^= 0x01;
    try {
      return DeltaTest.diff(V1, evil);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aSecondVehicleGetsTheSameBytesWithoutDecodingTheDeltaAgain() {
    RebuiltImages cache = new RebuiltImages(4, 1 << 20);
    byte[] first = cache.apply(V1_SHA, V1, DELTA, V2.length);
    byte[] second = cache.apply(V1_SHA, V1.clone(), DELTA.clone(), V2.length);
    assertArrayEquals(V2, first);
    assertArrayEquals(Delta.apply(V1, DELTA, V2.length), second);
    assertSame(first, second);
    assertEquals(1, cache.rebuilds());
    assertEquals(2, cache.requests());
  }

  @Test
  void aTamperedDeltaMissesTheCachedGoodImageAndIsRefusedInVerifying() throws Exception {
    RebuiltImages cache = new RebuiltImages(4, 1 << 20);
    assertArrayEquals(V2, cache.apply(V1_SHA, V1, DELTA, V2.length));

    byte[] bad = tampered();
    byte[] fromBad = cache.apply(V1_SHA, V1, bad, V2.length);
    assertEquals(
        2, cache.rebuilds(), "a changed delta is decoded, never looked up as the good one");
    assertEquals(V2.length, fromBad.length);
    assertFalse(Arrays.equals(V2, fromBad));
    assertArrayEquals(Delta.apply(V1, bad, V2.length), fromBad);

    // Through a vehicle's download: the repository's entry names the good delta, the bytes that
    // arrive are the changed ones; what they build does not match the signed target.
    ImageDownloadTest.FakeSource source = new ImageDownloadTest.FakeSource();
    String deltaSha = Hashing.sha256Hex(DELTA);
    source.blobs.put(deltaSha, bad);
    source.images.put(
        "ENGINE/2.0.0.img",
        ImageDownloadTest.entry("ENGINE/2.0.0.img", V2, "1.0.0", deltaSha, DELTA.length));
    BlobStore blobs = new BlobStore();
    blobs.put(V1);
    List<VehicleState.PlannedInstall> installs =
        List.of(ImageDownloadTest.install("engine", "ENGINE/2.0.0.img", V2));
    ImageDownload.Result r =
        new ImageDownload(source, blobs, cache)
            .fetch(installs, Map.of("engine", new VehicleState.Installed("1.0.0", V1_SHA, 1)))
            .toCompletableFuture()
            .get();
    VerificationException e =
        assertThrows(VerificationException.class, () -> ImageDownload.verify(installs, r.images()));
    assertEquals(Attack.ARBITRARY_SOFTWARE, e.attack());
  }

  @Test
  void anotherBaseOrLengthIsAnotherRebuild() {
    RebuiltImages cache = new RebuiltImages(4, 1 << 20);
    cache.apply(V1_SHA, V1, DELTA, V2.length);
    byte[] otherBase = V1.clone();
    otherBase[0] ^= 1;
    cache.apply(Hashing.sha256Hex(otherBase), otherBase, DELTA, V2.length);
    assertEquals(0, cache.apply(V1_SHA, V1, DELTA, V2.length + 1).length);
    assertEquals(3, cache.rebuilds());
  }

  @Test
  void theCacheStaysWithinItsBounds() {
    RebuiltImages byCount = new RebuiltImages(2, 1 << 20);
    for (int i = 0; i < 5; i++) {
      byte[] base = V1.clone();
      base[0] = (byte) i;
      byCount.apply(Hashing.sha256Hex(base), base, DELTA, V2.length);
    }
    assertEquals(2, byCount.size());

    // Room for one image only: the older one goes; an image above the bound is never kept.
    RebuiltImages byBytes = new RebuiltImages(8, V2.length + 100);
    byBytes.apply(V1_SHA, V1, DELTA, V2.length);
    byte[] base = V1.clone();
    base[1] ^= 1;
    byBytes.apply(Hashing.sha256Hex(base), base, DELTA, V2.length);
    assertEquals(1, byBytes.size());
    RebuiltImages tiny = new RebuiltImages(8, 1000);
    tiny.apply(V1_SHA, V1, DELTA, V2.length);
    tiny.apply(V1_SHA, V1, DELTA, V2.length);
    assertEquals(0, tiny.size());
    assertEquals(2, tiny.rebuilds());
  }
}
