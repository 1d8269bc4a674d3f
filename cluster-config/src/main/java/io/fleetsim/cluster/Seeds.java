package io.fleetsim.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Random;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Seeded randomness. Every random choice comes from a generator seeded by (scenario seed, entity
 * id), so the same seed builds the same fleet and the same fault assignment, whatever node an
 * entity happens to run on and in whatever order entities start.
 */
public final class Seeds {

  private Seeds() {}

  /** {@code fleetsim.seed}. */
  public static long scenarioSeed(ActorSystem<?> system) {
    return system.settings().config().getLong("fleetsim.seed");
  }

  /** A generator for one entity; the same (seed, id) always yields the same sequence. */
  public static Random random(long scenarioSeed, String entityId) {
    return new Random(entitySeed(scenarioSeed, entityId));
  }

  /** A generator for one entity under the system's scenario seed. */
  public static Random forEntity(ActorSystem<?> system, String entityId) {
    return random(scenarioSeed(system), entityId);
  }

  /**
   * Mixes the scenario seed with a stable 64-bit hash of the id. {@link String#hashCode()} alone is
   * 32 bits and collides for short ids such as "Aa"/"BB"; FNV-1a over UTF-8 followed by two
   * SplitMix64 rounds spreads every bit of both inputs over the result.
   */
  public static long entitySeed(long scenarioSeed, String entityId) {
    Objects.requireNonNull(entityId, "entityId");
    return splitMix64(splitMix64(scenarioSeed) ^ stableHash(entityId));
  }

  /** FNV-1a 64 over the UTF-8 bytes: the same on every JVM, node and run. */
  public static long stableHash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** A uniform double in [0, 1) from the top 53 bits of a well-mixed 64-bit value. */
  public static double unit(long mixed) {
    return (mixed >>> 11) * 0x1.0p-53;
  }

  /**
   * A uniform draw in [0, 1) for {@code key} (the entity and what it draws for) and {@code salt}
   * (an instant, a hash of an image): the same on every run, node and JVM with the scenario seed.
   */
  public static double draw(long scenarioSeed, String key, long salt) {
    return unit(splitMix64(entitySeed(scenarioSeed, key) ^ salt));
  }

  /** One SplitMix64 step (Steele, Lea, Flood 2014): a bijective, well-mixing 64-bit finaliser. */
  public static long splitMix64(long x) {
    long z = x + 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
