package io.fleetsim.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EntityShardingTest {

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("EntityShardingTest", SingleNode.config("EntityShardingTest"));
    SingleNode.joinSelf(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  public record Greet(String text, ActorRef<Greeted> replyTo) implements CborSerializable {}

  public record Greeted(String entityId, String text, int seen) implements CborSerializable {}

  static final EntityTypeKey<Greet> KEY = EntityTypeKey.create(Greet.class, "Greeter");

  static Behavior<Greet> greeter(String entityId, int seen) {
    return Behaviors.receiveMessage(
        msg -> {
          msg.replyTo().tell(new Greeted(entityId, msg.text(), seen + 1));
          return greeter(entityId, seen + 1);
        });
  }

  @Test
  void aOneNodeClusterComesUp() {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          assertEquals(MemberStatus.up(), Cluster.get(testKit.system()).selfMember().status());
          return null;
        });
  }

  @Test
  void aTestGivesItsNodeAMinuteToShutDown() {
    // Coordinated shutdown of a cluster node outlasted the testkit default of 10 s on a loaded CI
    // machine and failed a test class that had passed.
    assertEquals(
        60,
        org.apache.pekko.actor.testkit.typed.TestKitSettings.create(testKit.system())
            .DefaultActorSystemShutdownTimeout()
            .toSeconds());
  }

  @Test
  void routesToEntitiesByIdAndKeepsThemApart() {
    ActorRef<ShardingEnvelope<Greet>> region =
        EntitySharding.init(testKit.system(), KEY, ctx -> greeter(ctx.getEntityId(), 0));
    assertEquals(
        region,
        EntitySharding.init(testKit.system(), KEY, ctx -> greeter(ctx.getEntityId(), 0)),
        "a second init returns the running region");

    TestProbe<Greeted> probe = testKit.createTestProbe();
    region.tell(new ShardingEnvelope<>("VIN1", new Greet("hello", probe.ref())));
    assertEquals(new Greeted("VIN1", "hello", 1), probe.receiveMessage(Duration.ofSeconds(10)));

    EntitySharding.entityRef(testKit.system(), KEY, "VIN1").tell(new Greet("again", probe.ref()));
    assertEquals(new Greeted("VIN1", "again", 2), probe.receiveMessage(Duration.ofSeconds(10)));

    EntitySharding.entityRef(testKit.system(), KEY, "VIN2").tell(new Greet("other", probe.ref()));
    assertEquals(new Greeted("VIN2", "other", 1), probe.receiveMessage(Duration.ofSeconds(10)));
  }

  @Test
  void referenceConfHoldsTheFleetDefaults() {
    var config = testKit.system().settings().config();
    assertEquals(42L, Seeds.scenarioSeed(testKit.system()));
    assertEquals("cluster", config.getString("pekko.actor.provider"));
    assertEquals(
        "jackson-cbor",
        config.getString(
            "pekko.actor.serialization-bindings.\"io.fleetsim.cluster.CborSerializable\""));
    assertEquals(false, config.getBoolean("pekko.cluster.sharding.remember-entities"));
    // entities passivate themselves when idle, never by a limit or a wall-clock timeout
    assertEquals("none", config.getString("pekko.cluster.sharding.passivation.strategy"));
    assertEquals(true, config.getBoolean("fleetsim.passivation.enabled"));
    assertEquals(100, config.getInt("fleetsim.snapshot-every"));
    assertEquals("h2", config.getString("fleetsim.db"));
    assertEquals("EntityShardingTest", config.getString("fleetsim.node.name"));
  }
}
