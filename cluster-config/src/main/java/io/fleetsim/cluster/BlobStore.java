package io.fleetsim.cluster;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Node-local, content-addressed bytes: firmware images held by the repository and the copies
 * vehicles "download". Keyed by SHA-256, so ten thousand vehicles downloading the same image share
 * one copy in memory, and events carry only the hash.
 *
 * <p>Thread-safe. Stored arrays are private copies; callers can neither alter stored content nor be
 * affected by later changes to an array they passed in.
 */
public final class BlobStore implements Extension {

  private static final Id ID = new Id();
  private static final HexFormat HEX = HexFormat.of();

  /** Pekko extension id; use {@link BlobStore#get}. */
  public static final class Id extends ExtensionId<BlobStore> {
    private Id() {}

    @Override
    public BlobStore createExtension(ActorSystem<?> system) {
      return new BlobStore();
    }
  }

  private final ConcurrentMap<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final AtomicLong storedBytes = new AtomicLong();

  /** A store not bound to an actor system, for tests and tools. */
  public BlobStore() {}

  public static BlobStore get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /**
   * Stores the bytes unless identical content is already there; returns the lowercase hex SHA-256.
   */
  public String put(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    byte[] copy = bytes.clone();
    String hash = sha256Hex(copy);
    if (blobs.putIfAbsent(hash, copy) == null) {
      storedBytes.addAndGet(copy.length);
    }
    return hash;
  }

  /** A copy of the content with this hash, if stored. */
  public Optional<byte[]> get(String sha256Hex) {
    byte[] stored = blobs.get(normalise(sha256Hex));
    return stored == null ? Optional.empty() : Optional.of(stored.clone());
  }

  /**
   * The stored array itself, not a copy: for passing one image to thousands of vehicles on this
   * node without a copy each. Callers must never modify it; use {@link #get} for bytes to change.
   */
  public Optional<byte[]> shared(String sha256Hex) {
    return Optional.ofNullable(blobs.get(normalise(sha256Hex)));
  }

  /**
   * The content as a read-only buffer without copying it; for hot paths that only read, such as
   * hashing or slicing an image into CAN transfer blocks.
   */
  public Optional<ByteBuffer> view(String sha256Hex) {
    byte[] stored = blobs.get(normalise(sha256Hex));
    return stored == null
        ? Optional.empty()
        : Optional.of(ByteBuffer.wrap(stored).asReadOnlyBuffer());
  }

  public boolean contains(String sha256Hex) {
    return blobs.containsKey(normalise(sha256Hex));
  }

  /** Length of the stored content, or -1 if absent. */
  public long size(String sha256Hex) {
    byte[] stored = blobs.get(normalise(sha256Hex));
    return stored == null ? -1 : stored.length;
  }

  /** Number of distinct contents stored. */
  public int count() {
    return blobs.size();
  }

  /** Total bytes held (each distinct content counted once). */
  public long storedBytes() {
    return storedBytes.get();
  }

  /** Lowercase hex SHA-256 of the bytes, the key {@link #put} returns. */
  public static String sha256Hex(byte[] bytes) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static String normalise(String sha256Hex) {
    Objects.requireNonNull(sha256Hex, "sha256Hex");
    return sha256Hex.toLowerCase(Locale.ROOT);
  }
}
