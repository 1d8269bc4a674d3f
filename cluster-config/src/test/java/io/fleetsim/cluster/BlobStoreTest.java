package io.fleetsim.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BlobStoreTest {

  @Test
  void keysBySha256() {
    BlobStore store = new BlobStore();
    // The SHA-256 test vector from FIPS 180-2.
    String hash = store.put("abc".getBytes(StandardCharsets.US_ASCII));
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash);
    assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), store.get(hash).orElseThrow());
    assertTrue(store.get(hash.toUpperCase()).isPresent(), "hex case does not matter");
    assertEquals(3, store.size(hash));
  }

  @Test
  void storesOneCopyPerContent() {
    BlobStore store = new BlobStore();
    byte[] image = new byte[4096];
    image[7] = 1;
    String first = store.put(image);
    String second = store.put(image.clone());
    assertEquals(first, second);
    assertEquals(1, store.count());
    assertEquals(4096, store.storedBytes());
    store.put(new byte[0]);
    assertEquals(2, store.count());
  }

  @Test
  void storedContentCannotBeChangedFromOutside() {
    BlobStore store = new BlobStore();
    byte[] image = {1, 2, 3};
    String hash = store.put(image);
    image[0] = 9;
    store.get(hash).orElseThrow()[1] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, store.get(hash).orElseThrow());
    ByteBuffer view = store.view(hash).orElseThrow();
    assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 9));
    assertEquals(3, view.remaining());
  }

  @Test
  void sharedHandsOutTheOneStoredArray() {
    BlobStore store = new BlobStore();
    String sha = store.put(new byte[] {4, 5, 6});
    byte[] a = store.shared(sha).orElseThrow();
    assertSame(a, store.shared(sha).orElseThrow());
    assertTrue(store.shared("00".repeat(32)).isEmpty());
  }

  @Test
  void unknownOrMalformedHashesFindNothing() {
    BlobStore store = new BlobStore();
    store.put(new byte[] {1});
    assertTrue(store.get("00".repeat(32)).isEmpty());
    assertTrue(store.get("not a hash").isEmpty());
    assertTrue(store.view("").isEmpty());
    assertFalse(store.contains("00".repeat(32)));
    assertEquals(-1, store.size("00".repeat(32)));
    assertThrows(NullPointerException.class, () -> store.put(null));
    assertThrows(NullPointerException.class, () -> store.get((String) null));
  }

  @Test
  void concurrentWritersOfTheSameContentLeaveOneCopy() throws Exception {
    BlobStore store = new BlobStore();
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  String shared = null;
                  for (int i = 0; i < 200; i++) {
                    shared = store.put(new byte[] {42, 42, 42});
                    store.put(new byte[] {(byte) id, (byte) i});
                  }
                  return shared;
                }));
      }
      start.countDown();
      Set<String> hashes = ConcurrentHashMap.newKeySet();
      for (Future<String> f : results) {
        hashes.add(f.get(30, TimeUnit.SECONDS));
      }
      assertEquals(1, hashes.size());
      assertEquals(1 + threads * 200, store.count());
      assertEquals(3 + threads * 200 * 2, store.storedBytes());
    } finally {
      pool.shutdownNow();
    }
  }
}
