package io.fleetsim.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetsim.cluster.SingleNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two nodes in one JVM: a rule written on one is applied on the other, and so is its removal. */
class FaultsClusterTest {

  /** Both nodes' systems carry the same name: a cluster is made of systems of one name. */
  private static final String NAME = "FaultsClusterTest";

  private static final Duration REPLICATED = Duration.ofSeconds(20);

  private static ActorTestKit first;
  private static ActorTestKit second;

  @BeforeAll
  static void start() {
    first = ActorTestKit.create(NAME, SingleNode.config(NAME));
    SingleNode.joinSelf(first.system());
    second = ActorTestKit.create(NAME, SingleNode.config(NAME));
    Cluster.get(second.system())
        .manager()
        .tell(Join.create(Cluster.get(first.system()).selfMember().address()));

    TestProbe<Object> probe = first.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          for (ActorTestKit node : List.of(first, second)) {
            List<MemberStatus> statuses = new java.util.ArrayList<>();
            Cluster.get(node.system()).state().getMembers().forEach(m -> statuses.add(m.status()));
            assertEquals(List.of(MemberStatus.up(), MemberStatus.up()), statuses);
          }
          return null;
        });
  }

  @AfterAll
  static void stop() {
    if (second != null) {
      second.shutdownTestKit();
    }
    if (first != null) {
      first.shutdownTestKit();
    }
  }

  @Test
  void aRuleAddedOnOneNodeIsAppliedOnTheOtherAndSoIsItsRemoval() throws Exception {
    Faults here = Faults.get(first.system());
    Faults there = Faults.get(second.system());
    Subject vin1 = Subject.vehicle("VIN1", "eu-west", null);
    FaultRule rule =
        new FaultRule(
            "partition-eu",
            FaultKind.PARTITION,
            new Selector(Set.of("eu-west"), Set.of("VIN1", "VIN2"), Set.of(), null, 100),
            Map.of("rate", 0.5),
            new Window(1_000, 2_000));

    here.add(rule).toCompletableFuture().get(60, TimeUnit.SECONDS);

    TestProbe<Object> probe = second.createTestProbe();
    probe.awaitAssert(
        REPLICATED,
        () -> {
          assertEquals(List.of(rule), there.rules());
          assertEquals(List.of(rule), there.acting(Point.LINK, vin1, 1_500));
          return null;
        });

    here.remove("partition-eu").toCompletableFuture().get(60, TimeUnit.SECONDS);

    probe.awaitAssert(
        REPLICATED,
        () -> {
          assertEquals(List.of(), there.rules());
          assertEquals(List.of(), there.acting(Point.LINK, vin1, 1_500));
          return null;
        });
  }
}
