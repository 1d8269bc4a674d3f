package io.fleetsim.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cluster.SingleNode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** A one-node cluster on an in-memory H2 journal with its schema, up and ready for sharding. */
final class ShardedH2Node {

  private ShardedH2Node() {}

  static ActorTestKit start(String name) {
    ActorTestKit testKit =
        ActorTestKit.create(
            name,
            PersistenceSetup.h2InMemory()
                .withFallback(SingleNode.config(name))
                .withFallback(ConfigFactory.load())
                .resolve());
    try {
      PersistenceSetup.createSchema(testKit.system())
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    SingleNode.joinSelf(testKit.system());
    TestProbe<Object> up = testKit.createTestProbe();
    up.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          assertEquals(MemberStatus.up(), Cluster.get(testKit.system()).selfMember().status());
          return null;
        });
    return testKit;
  }
}
