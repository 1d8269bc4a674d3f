package io.fleetsim.cluster.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetsim.cluster.SingleNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class CountedDispatchersTest {

  static final String JOURNAL =
      """
      pekko.persistence.journal.plugin = "test-journal"
      test-journal {
        plugin-dispatcher = "pekko.persistence.dispatchers.default-plugin-dispatcher"
        replay-dispatcher = "pekko.persistence.dispatchers.default-replay-dispatcher"
      }
      """;

  @Test
  void aNodesConfigurationCountsOnEveryDispatcherItsWorkRunsOn() {
    Config node = ConfigFactory.parseString(JOURNAL).withFallback(SingleNode.config("t")).resolve();
    assertEquals(List.of(), CountedDispatchers.uncounted(node));
    CountedDispatchers.require(node);
  }

  @Test
  void aJournalOnPekkosThreadPoolIsFoundWhicheverReferenceFileWon() {
    // What a class path with Pekko persistence's reference.conf first gave: the plugin dispatcher
    // of Pekko, a thread pool the clock does not see.
    Config pekkosPool =
        ConfigFactory.parseString(
                """
                pekko.persistence.dispatchers.default-plugin-dispatcher {
                  type = PinnedDispatcher
                  executor = "thread-pool-executor"
                }
                """)
            .withFallback(ConfigFactory.parseString(JOURNAL))
            .withFallback(CountedDispatchers.config())
            .resolve();
    List<String> bad = CountedDispatchers.uncounted(pekkosPool);
    assertEquals(1, bad.size(), bad.toString());
    assertTrue(bad.get(0).startsWith("pekko.persistence.dispatchers.default-plugin-dispatcher"));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> CountedDispatchers.require(pekkosPool));
    assertTrue(e.getMessage().contains("thread-pool-executor"), e.getMessage());
    // a dispatcher that is not configured at all is not counted either
    assertTrue(
        CountedDispatchers.uncounted(ConfigFactory.parseString(JOURNAL)).size() >= 3,
        "Pekko's dispatchers without their settings");
  }

  @Test
  void aSystemPropertyStillSizesACountedDispatcher() {
    String key = "pekko.actor.default-dispatcher.counted-executor.parallelism-max";
    System.setProperty(key, "3");
    try {
      ConfigFactory.invalidateCaches();
      Config node = SingleNode.config("t").resolve();
      assertEquals(3, node.getInt(key));
      assertEquals(List.of(), CountedDispatchers.uncounted(node));
    } finally {
      System.clearProperty(key);
      ConfigFactory.invalidateCaches();
    }
  }
}
