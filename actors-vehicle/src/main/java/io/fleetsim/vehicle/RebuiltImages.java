package io.fleetsim.vehicle;

import com.typesafe.config.Config;
import io.fleetsim.cluster.BlobStore;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The images this node rebuilt from a base and a bsdiff delta, remembered so that the vehicles of a
 * wave, which all rebuild the same image from the same base and the same delta, decode the delta
 * (bzip2, the costly part) once per node instead of once each.
 *
 * <p>Sound because a rebuild is a pure function of its inputs and the key names the inputs by
 * content: the SHA-256 of the base bytes, the SHA-256 of the delta bytes as they arrived, and the
 * length the signed target expects. A delta changed on the way has another hash and can never be
 * answered with the image a good delta built. Nothing here replaces a check: every vehicle still
 * hashes what it was handed against its own signed target in VERIFYING ({@link
 * ImageDownload#verify}).
 *
 * <p>Bounded: at most {@code entries} images and {@code max-bytes} bytes (least recently used go
 * first); an image larger than the byte bound is rebuilt every time and not kept. Vehicles asking
 * for one image at the same moment wait for the one rebuild in progress rather than repeat it.
 *
 * <p>The arrays handed out are shared by every vehicle on the node and must never be modified (the
 * download only hashes them, and {@link BlobStore#put} keeps a copy).
 */
final class RebuiltImages implements Extension {

  private static final Id ID = new Id();

  /** Pekko extension id; use {@link RebuiltImages#get}. */
  static final class Id extends ExtensionId<RebuiltImages> {
    private Id() {}

    @Override
    public RebuiltImages createExtension(ActorSystem<?> system) {
      Config c = system.settings().config().getConfig("fleetsim.vehicle.delta-cache");
      return new RebuiltImages(c.getInt("entries"), c.getBytes("max-bytes"));
    }
  }

  static RebuiltImages get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The inputs of a rebuild, by content. */
  record Key(String baseSha256, String deltaSha256, long expectedLength) {}

  /** One rebuild: computed once, by the first vehicle that needs it. */
  private static final class Slot {
    private volatile byte[] image;

    synchronized byte[] image(byte[] base, byte[] delta, long expectedLength, AtomicLong rebuilds) {
      if (image == null) {
        rebuilds.incrementAndGet();
        image = Delta.apply(base, delta, expectedLength);
      }
      return image;
    }

    /** Bytes held; zero while the rebuild is still running. */
    long size() {
      byte[] i = image;
      return i == null ? 0 : i.length;
    }
  }

  private final int entries;
  private final long maxBytes;
  private final LinkedHashMap<Key, Slot> slots = new LinkedHashMap<>(16, 0.75f, true);
  private final AtomicLong rebuilds = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();

  RebuiltImages(int entries, long maxBytes) {
    if (entries < 0 || maxBytes < 0) {
      throw new IllegalArgumentException(
          "delta-cache entries and max-bytes must not be negative: " + entries + ", " + maxBytes);
    }
    this.entries = entries;
    this.maxBytes = maxBytes;
  }

  /**
   * The image {@code delta} builds from {@code base}, expecting {@code expectedLength} bytes
   * ({@link Delta#apply}). {@code baseSha256} must be the SHA-256 of {@code base}'s content: the
   * key of the node's {@link BlobStore} it came from, or computed by the caller for bytes from
   * anywhere else. The delta is hashed here, as it arrived.
   */
  byte[] apply(String baseSha256, byte[] base, byte[] delta, long expectedLength) {
    requests.incrementAndGet();
    if (entries == 0 || expectedLength > maxBytes) {
      rebuilds.incrementAndGet();
      return Delta.apply(base, delta, expectedLength);
    }
    Key key =
        new Key(baseSha256.toLowerCase(Locale.ROOT), BlobStore.sha256Hex(delta), expectedLength);
    Slot slot;
    synchronized (slots) {
      slot = slots.computeIfAbsent(key, k -> new Slot());
    }
    byte[] image = slot.image(base, delta, expectedLength, rebuilds);
    synchronized (slots) {
      trim();
    }
    return image;
  }

  /** Drops the least recently used rebuilds until the bounds hold. */
  private void trim() {
    long bytes = 0;
    for (Slot s : slots.values()) {
      bytes += s.size();
    }
    Iterator<Map.Entry<Key, Slot>> eldest = slots.entrySet().iterator();
    while (eldest.hasNext() && (slots.size() > entries || bytes > maxBytes)) {
      Slot s = eldest.next().getValue();
      bytes -= s.size();
      eldest.remove();
    }
  }

  /** Rebuilds actually run (delta decoded), since the node started. */
  long rebuilds() {
    return rebuilds.get();
  }

  /** Rebuilds asked for, answered from memory or not. */
  long requests() {
    return requests.get();
  }

  /** Rebuilds held now. */
  int size() {
    synchronized (slots) {
      return slots.size();
    }
  }
}
