package io.fleetsim.cloud;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What a vehicle's check would find, known on the node without asking the repositories: how far the
 * answers of the Directors and of the image repository stay the same. A vehicle's check finds
 * nothing new when both repositories serve the root and timestamp it verified last time and none of
 * its metadata has expired; the repositories publish here what they serve, so a poll whose check
 * would find nothing new can be counted without being made (see {@code docs/architecture.md},
 * "Polls whose outcome is known").
 *
 * <p>A head is a 64-bit digest of the latest root and the timestamp a repository serves. A Director
 * publishes its record's head each time the record's metadata changes, with the instant after which
 * it re-signs the timestamp when asked; the image repository publishes its head each time it
 * changes. A repository that has published nothing (it has not run on this node yet) is unknown,
 * and every check against it is made. Read and written from any thread.
 */
public final class CheckHorizon implements Extension {

  /** A Director record's head, served unchanged until {@code stableUntilMillis} inclusive. */
  private record DirectorHead(long head, long stableUntilMillis) {}

  private final ConcurrentHashMap<String, DirectorHead> directors = new ConcurrentHashMap<>();

  /** What the image repository serves; null until it published. */
  private record ImageHead(long head, long root, int timestampBytes) {}

  private volatile ImageHead images;
  private final LongAdder made = new LongAdder();
  private final LongAdder foreseen = new LongAdder();

  /** The head of a repository serving {@code root} (its latest) and {@code timestamp}. */
  public static long head(byte[] root, byte[] timestamp) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(ByteBuffer.allocate(4).putInt(root.length).array());
      d.update(root);
      d.update(timestamp);
      return ByteBuffer.wrap(d.digest()).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The head of a repository's latest root alone. */
  public static long rootHead(byte[] root) {
    return head(root, new byte[0]);
  }

  /**
   * {@code vin}'s Director record serves {@code md} and the root in force when it was signed,
   * unchanged until it re-signs the timestamp when asked ({@link Director#TIMESTAMP_REFRESH} after
   * signing) or until the next rotation of the Director's keys, whichever comes first.
   */
  void director(
      String vin, DirectorKeys keys, Director.SignedMetadata md, java.time.Instant epoch) {
    long signed = md.signedAt().toEpochMilli();
    long until =
        Math.min(
            md.signedAt().plus(Director.TIMESTAMP_REFRESH).toEpochMilli(),
            keys.nextRotationAfter(signed) - 1);
    directors.put(
        vin,
        new DirectorHead(
            head(keys.rootAt(md.signedAt()), md.timestamp()), until - epoch.toEpochMilli()));
  }

  /** The image repository serves {@code root} (its latest) and {@code timestamp}. */
  public void images(byte[] root, byte[] timestamp) {
    images = new ImageHead(head(root, timestamp), rootHead(root), timestamp.length);
  }

  /**
   * Whether the image repository has published what it serves, and its latest root is {@code root}:
   * a check fetches every newer root, even when it need not look further.
   */
  public boolean imageRootUnchanged(long rootHead) {
    ImageHead i = images;
    return i != null && i.root() == rootHead;
  }

  /** The length of the timestamp the image repository serves (0 while unknown). */
  public int imageTimestampBytes() {
    ImageHead i = images;
    return i == null ? 0 : i.timestampBytes();
  }

  /**
   * Whether {@code vin}'s Director record serves, at {@code atMillis}, the head the vehicle
   * verified.
   */
  public boolean directorUnchanged(String vin, long directorHead, long atMillis) {
    DirectorHead d = directors.get(vin);
    return d != null && d.head() == directorHead && atMillis <= d.stableUntilMillis();
  }

  /** Whether the image repository serves the head the vehicle verified. */
  public boolean imagesUnchanged(long imageHead) {
    ImageHead i = images;
    return i != null && i.head() == imageHead;
  }

  /** A poll made: the vehicle checked. */
  public void pollMade() {
    made.increment();
  }

  /** A poll whose outcome was known and that was counted without being made. */
  public void pollForeseen() {
    foreseen.increment();
  }

  public long pollsMade() {
    return made.sum();
  }

  public long pollsForeseen() {
    return foreseen.sum();
  }

  public static CheckHorizon get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private static final Id ID = new Id();

  public static final class Id extends ExtensionId<CheckHorizon> {
    @Override
    public CheckHorizon createExtension(ActorSystem<?> system) {
      return new CheckHorizon();
    }
  }
}
