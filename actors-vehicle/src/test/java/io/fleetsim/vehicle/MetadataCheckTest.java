package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.Asks;
import io.fleetsim.uptane.client.TrustedState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Which files a check fetches, from repositories that answer from a map. */
class MetadataCheckTest {

  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A repository serving {@code files}, recording every name asked for. */
  static final class FakeRepository implements MetadataCheck.Repository {
    final Function<String, byte[]> files;
    final List<String> asked = Collections.synchronizedList(new ArrayList<>());

    FakeRepository(Function<String, byte[]> files) {
      this.files = files;
    }

    FakeRepository(Map<String, byte[]> files) {
      this(files::get);
    }

    @Override
    public CompletionStage<byte[]> fetch(String fileName) {
      asked.add(fileName);
      byte[] data = files.apply(fileName);
      return data == null
          ? CompletableFuture.failedFuture(new IllegalStateException("no " + fileName))
          : CompletableFuture.completedFuture(data);
    }
  }

  static Map<String, byte[]> head(int trustedRoot, FakeRepository repo) throws Exception {
    return MetadataCheck.head(trustedRoot, repo).toCompletableFuture().get();
  }

  @Test
  void aVehicleTrustingALateRootStillFetchesTheNextOnes() throws Exception {
    // Root versions say nothing about how many a check may fetch: one trusting root 40 must
    // still see 41 and 42.
    Map<String, byte[]> files = new HashMap<>();
    files.put("41.root.json", b("root-41"));
    files.put("42.root.json", b("root-42"));
    files.put("timestamp.json", b("ts"));
    FakeRepository repo = new FakeRepository(files);
    Map<String, byte[]> head = head(40, repo);
    assertEquals(new TreeSet<>(files.keySet()), new TreeSet<>(head.keySet()));
    assertArrayEquals(b("root-42"), head.get("42.root.json"));
    assertEquals(
        List.of("41.root.json", "42.root.json", "43.root.json", "timestamp.json"), repo.asked);
  }

  @Test
  void aRepositoryWithEndlessRootsIsReadAtMostMaxRootFetchRootsPerCheck() throws Exception {
    FakeRepository endless = new FakeRepository(name -> b(name));
    Map<String, byte[]> head = head(100, endless);
    long roots = head.keySet().stream().filter(n -> n.endsWith(".root.json")).count();
    assertEquals(UptaneCheck.MAX_ROOT_FETCH, roots);
    assertTrue(head.containsKey((100 + UptaneCheck.MAX_ROOT_FETCH) + ".root.json"));
    assertFalse(head.containsKey((101 + UptaneCheck.MAX_ROOT_FETCH) + ".root.json"));
  }

  @Test
  void aRepositoryWithoutATimestampFailsTheCheck() {
    FakeRepository none = new FakeRepository(Map.of());
    ExecutionException e = assertThrows(ExecutionException.class, () -> head(1, none));
    assertEquals("no timestamp.json", Asks.rootCause(e));
  }

  @Test
  void theSameTimestampsEndTheCheckWithoutSnapshotOrTargets() throws Exception {
    VehicleState.Trust trust =
        new VehicleState.Trust(
            new TrustedState(b("root"), b("director-ts"), b("snap"), b("targets")),
            new TrustedState(b("root"), b("image-ts"), b("snap"), b("targets")),
            NOW.plusSeconds(60));
    FakeRepository director = new FakeRepository(Map.of("timestamp.json", b("director-ts")));
    FakeRepository images = new FakeRepository(Map.of("timestamp.json", b("image-ts")));
    UptaneCheck.Result r =
        new MetadataCheck(director, images)
            .run(trust, new MetadataCheck.Ecus(Map.of(), Map.of()), NOW)
            .toCompletableFuture()
            .get();
    assertNull(r.refusal());
    assertTrue(r.targets().isEmpty());
    assertEquals(trust, r.trust());
    assertEquals(b("director-ts").length + b("image-ts").length, r.networkBytes());
    assertFalse(director.asked.contains("snapshot.json"), director.asked.toString());
    assertFalse(images.asked.contains("targets.json"), images.asked.toString());
  }
}
