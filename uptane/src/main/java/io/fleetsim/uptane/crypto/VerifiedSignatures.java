package io.fleetsim.uptane.crypto;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signatures this JVM has already found valid, so that the same signature by the same key over the
 * same bytes is checked once, as Bitcoin Core's signature cache does: in a simulated fleet every
 * vehicle downloads the image repository's identical timestamp, snapshot and targets, and checking
 * their signatures again for each vehicle would tell nothing new.
 *
 * <p>An entry is the SHA-256 over key, signature and message, so any changed byte (a tampered
 * metadata file, another key, another signature) misses and is checked in full. Only valid
 * signatures are kept; a refusal is always computed. Ed25519 verification is a pure function of
 * those three inputs, so a hit gives the answer a check would. The set is bounded and emptied when
 * full; what it holds never changes a result, only how often Ed25519 runs. {@code
 * -Dfleetsim.signature-cache=0} turns it off.
 */
public final class VerifiedSignatures {

  private static final int CAPACITY = Integer.getInteger("fleetsim.signature-cache", 16_384);

  /** The 32-byte digest as four longs: compared by value, no array per entry. */
  private record Entry(long a, long b, long c, long d) {}

  private static final ConcurrentHashMap<Entry, Boolean> VALID = new ConcurrentHashMap<>();

  private static final ThreadLocal<Boolean> BYPASSED = ThreadLocal.withInitial(() -> false);

  private VerifiedSignatures() {}

  /**
   * Runs {@code work} on this thread with every signature checked in full, as a benchmark of the
   * cryptography itself needs.
   */
  public static <T> T bypassed(Callable<T> work) throws Exception {
    boolean before = BYPASSED.get();
    BYPASSED.set(true);
    try {
      return work.call();
    } finally {
      BYPASSED.set(before);
    }
  }

  /** The entry for this key, signature and message; {@code null} when the cache is off. */
  static Object entry(byte[] key, byte[] message, byte[] signature) {
    if (CAPACITY <= 0 || BYPASSED.get()) {
      return null;
    }
    MessageDigest md = Hashing.newSha256();
    md.update(key);
    md.update(signature);
    md.update(message);
    ByteBuffer h = ByteBuffer.wrap(md.digest());
    return new Entry(h.getLong(), h.getLong(), h.getLong(), h.getLong());
  }

  static boolean known(Object entry) {
    return entry != null && VALID.containsKey(entry);
  }

  static void remember(Object entry) {
    if (entry == null) {
      return;
    }
    if (VALID.size() >= CAPACITY) {
      VALID.clear();
    }
    VALID.put((Entry) entry, Boolean.TRUE);
  }
}
