package io.fleetsim.persistence;

import io.fleetsim.cluster.Seeds;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Event tags for projections: {@code <entityType>-<slice>}. One tag per entity type would make one
 * projection instance read every event of that type; spreading the type over {@code
 * fleetsim.tag-slices} tags lets that many instances (one per tag, e.g. under sharded daemon
 * process) share the work. An entity always lands in the same slice, so its events stay in order
 * within one tag.
 */
public final class Tags {

  private Tags() {}

  /** {@code fleetsim.tag-slices}. */
  public static int sliceCount(ActorSystem<?> system) {
    int n = system.settings().config().getInt("fleetsim.tag-slices");
    requireSliceCount(n);
    return n;
  }

  /**
   * The slice of a persistence id, in {@code [0, sliceCount)}. Uses a hash that is the same on
   * every JVM, so every node tags an entity identically.
   */
  public static int slice(String persistenceId, int sliceCount) {
    Objects.requireNonNull(persistenceId, "persistenceId");
    requireSliceCount(sliceCount);
    return (int) Math.floorMod(Seeds.stableHash(persistenceId), (long) sliceCount);
  }

  /** {@code <entityType>-<slice>}. */
  public static String tag(String entityType, int slice) {
    requireEntityType(entityType);
    if (slice < 0) {
      throw new IllegalArgumentException("slice must not be negative, was " + slice);
    }
    return entityType + "-" + slice;
  }

  /** The tag for every event of one entity. */
  public static String forEntity(String entityType, String persistenceId, int sliceCount) {
    return tag(entityType, slice(persistenceId, sliceCount));
  }

  /** The tag for every event of one entity, with the configured slice count. */
  public static String forEntity(ActorSystem<?> system, String entityType, String persistenceId) {
    return forEntity(entityType, persistenceId, sliceCount(system));
  }

  /** Every tag of an entity type: what a projection over the whole type subscribes to. */
  public static List<String> allTags(String entityType, int sliceCount) {
    requireSliceCount(sliceCount);
    return IntStream.range(0, sliceCount).mapToObj(i -> tag(entityType, i)).toList();
  }

  /** Every tag of an entity type, with the configured slice count. */
  public static List<String> allTags(ActorSystem<?> system, String entityType) {
    return allTags(entityType, sliceCount(system));
  }

  private static void requireSliceCount(int n) {
    if (n < 1 || n > 1024) {
      throw new IllegalArgumentException("tag slice count must be in [1, 1024], was " + n);
    }
  }

  private static void requireEntityType(String entityType) {
    Objects.requireNonNull(entityType, "entityType");
    // The JDBC journal joins tags with "," in its legacy layout; keep tags plain words.
    if (entityType.isBlank() || !entityType.matches("[A-Za-z][A-Za-z0-9_.]*")) {
      throw new IllegalArgumentException(
          "entity type must be a plain name such as \"Vehicle\", was \"" + entityType + "\"");
    }
  }
}
