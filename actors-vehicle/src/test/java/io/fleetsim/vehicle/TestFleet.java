package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import io.fleetsim.cloud.CloudSharding;
import io.fleetsim.cloud.InMemoryFleetStore;
import io.fleetsim.cloud.VehicleNotifier;
import io.fleetsim.cluster.SingleNode;
import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * A one-node cluster with the real cloud entities, ECUs and buses on the in-memory journal: what
 * the vehicle tests run against.
 */
record TestFleet(ActorTestKit testKit, CloudSharding.Cloud cloud) {

  static TestFleet start(
      String name, Config settings, Function<ActorTestKit, VehicleNotifier> notifier) {
    return start(name, settings, notifier, VehicleSharding::init);
  }

  /** As above, with the vehicle, ECU and bus sharding started by {@code vehicles}. */
  static TestFleet start(
      String name,
      Config settings,
      Function<ActorTestKit, VehicleNotifier> notifier,
      java.util.function.Consumer<org.apache.pekko.actor.typed.ActorSystem<?>> vehicles) {
    ActorTestKit testKit =
        ActorTestKit.create(
            name,
            settings
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(SingleNode.config(name)));
    SingleNode.joinSelf(testKit.system());
    TestProbe<Object> up = testKit.createTestProbe();
    up.awaitAssert(
        () -> {
          assertEquals(MemberStatus.up(), Cluster.get(testKit.system()).selfMember().status());
          return null;
        });
    CloudSharding.Cloud cloud =
        CloudSharding.init(
            testKit.system(),
            notifier.apply(testKit),
            new InMemoryFleetStore(),
            "pekko.persistence.testkit.query",
            false);
    vehicles.accept(testKit.system());
    return new TestFleet(testKit, cloud);
  }

  <Q, R> R ask(RecipientRef<Q> ref, Function<ActorRef<R>, Q> msg) {
    TestProbe<R> probe = testKit.createTestProbe();
    ref.tell(msg.apply(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(20));
  }

  /** Publishes a generated image of {@code size} bytes and returns it. */
  io.fleetsim.cloud.FirmwareImage publish(
      io.fleetsim.ecu.EcuType type, String hw, String version, long counter, int size) {
    org.apache.pekko.pattern.StatusReply<io.fleetsim.cloud.FirmwareImage> r =
        ask(
            cloud.refs().imageRepository(),
            replyTo ->
                new io.fleetsim.cloud.ImageRepository.Publish(
                    type.name(), java.util.List.of(hw), version, counter, null, size, replyTo));
    org.junit.jupiter.api.Assertions.assertTrue(r.isSuccess(), () -> r.getError().getMessage());
    return r.getValue();
  }

  /** The bank a factory-fresh ECU boots from: {@code image}, marked valid. */
  static io.fleetsim.ecu.Bank bank(io.fleetsim.cloud.FirmwareImage image) {
    return new io.fleetsim.ecu.Bank(
        image.targetName(), image.sha256(), image.length(), image.releaseCounter(), true);
  }
}
