package io.fleetsim.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.SingleNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One node: what it applies once a change completes, and what it selects for a subject. */
class FaultsTest {

  private static ActorTestKit testKit;
  private static Faults faults;

  private static final Subject VIN1 = Subject.vehicle("VIN1", "eu-west", "campaign-1");
  private static final Subject VIN2 = Subject.vehicle("VIN2", "us-east", "campaign-1");
  private static final Window ALWAYS = new Window(0, Window.OPEN);

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("FaultsTest", SingleNode.config("FaultsTest"));
    SingleNode.joinSelf(testKit.system());
    faults = Faults.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void removeEveryRule() throws Exception {
    for (FaultRule r : faults.rules()) {
      done(faults.remove(r.id()));
    }
    assertEquals(List.of(), faults.rules());
  }

  private static <T> T done(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static FaultRule rule(String id, FaultKind kind, Selector selector, Window window) {
    return new FaultRule(id, kind, selector, Map.of(), window);
  }

  @Test
  void theExtensionIsOnePerNode() {
    assertSame(faults, Faults.get(testKit.system()));
    assertSame(faults.ledger(), Faults.get(testKit.system()).ledger());
  }

  @Test
  void withNoRulesNothingActsAndTheAnswerIsTheSharedEmptyList() {
    assertEquals(List.of(), faults.rules());
    assertSame(List.of(), faults.acting(Point.LINK, VIN1, 0));
    assertSame(List.of(), faults.acting(Point.ECU, VIN1.ecu("engine"), 0));
    assertFalse(faults.anyTouches(VIN1, 0, Long.MAX_VALUE));
  }

  @Test
  void anAddedRuleIsAppliedWhenTheAddCompletes() throws Exception {
    FaultRule loss = rule("loss", FaultKind.LOSS, Selector.all(), ALWAYS);

    done(faults.add(loss));

    assertEquals(List.of(loss), faults.rules());
    assertEquals(List.of(loss), faults.acting(Point.LINK, VIN1, 1_000));
  }

  @Test
  void addingARuleWithAnIdInUseReplacesIt() throws Exception {
    done(faults.add(rule("r", FaultKind.LOSS, Selector.all(), ALWAYS)));
    FaultRule latency =
        new FaultRule(
            "r", FaultKind.LATENCY, Selector.region("us-east"), Map.of("ms", 250.0), ALWAYS);

    done(faults.add(latency));

    assertEquals(List.of(latency), faults.rules());
    assertEquals(List.of(), faults.acting(Point.LINK, VIN1, 0), "the replaced rule selected VIN1");
    assertEquals(List.of(latency), faults.acting(Point.LINK, VIN2, 0));
  }

  @Test
  void aRemovedRuleIsNoLongerAppliedWhenTheRemovalCompletes() throws Exception {
    FaultRule a = rule("a", FaultKind.LOSS, Selector.all(), ALWAYS);
    FaultRule b = rule("b", FaultKind.LATENCY, Selector.all(), ALWAYS);
    done(faults.add(a));
    done(faults.add(b));

    done(faults.remove("a"));

    assertEquals(List.of(b), faults.rules());
    assertEquals(List.of(b), faults.acting(Point.LINK, VIN1, 0));
  }

  @Test
  void removingAnUnknownRuleFailsNamingIt() throws Exception {
    done(faults.add(rule("known", FaultKind.LOSS, Selector.all(), ALWAYS)));

    ExecutionException e =
        assertThrows(ExecutionException.class, () -> done(faults.remove("no-such-rule")));

    IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, e.getCause());
    assertTrue(cause.getMessage().contains("no-such-rule"), cause.getMessage());
    assertEquals(1, faults.rules().size(), "the known rule is untouched");
  }

  @Test
  void everyOneOfManyConcurrentChangesIsAppliedWhenItCompletes() throws Exception {
    // Changes made at once are answered as their writes and the replica's reads interleave; each
    // must still find its own rule applied when it completes, whatever the order of the others.
    List<FaultRule> added = new ArrayList<>();
    List<CompletableFuture<Boolean>> seen = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      FaultRule r = rule(String.format("r%02d", i), FaultKind.LOSS, Selector.all(), ALWAYS);
      added.add(r);
      seen.add(faults.add(r).thenApply(done -> faults.rules().contains(r)).toCompletableFuture());
    }
    for (int i = 0; i < seen.size(); i++) {
      assertTrue(
          seen.get(i).get(60, TimeUnit.SECONDS), added.get(i).id() + " applied on completion");
    }
    assertEquals(added, faults.rules());

    List<CompletableFuture<Boolean>> gone = new ArrayList<>();
    for (FaultRule r : added) {
      gone.add(
          faults
              .remove(r.id())
              .thenApply(done -> !faults.rules().contains(r))
              .toCompletableFuture());
    }
    for (CompletableFuture<Boolean> g : gone) {
      assertTrue(g.get(60, TimeUnit.SECONDS), "removed on completion");
    }
    assertEquals(List.of(), faults.rules());
  }

  @Test
  void rulesAndActingComeInIdOrder() throws Exception {
    FaultRule c = rule("c", FaultKind.LOSS, Selector.all(), ALWAYS);
    FaultRule a = rule("a", FaultKind.BANDWIDTH, Selector.all(), ALWAYS);
    FaultRule b = rule("b", FaultKind.LATENCY, Selector.all(), ALWAYS);
    done(faults.add(c));
    done(faults.add(a));
    done(faults.add(b));

    assertEquals(List.of(a, b, c), faults.rules());
    assertEquals(List.of(a, b, c), faults.acting(Point.LINK, VIN1, 0));
  }

  @Test
  void actingFiltersByPoint() throws Exception {
    FaultRule loss = rule("loss", FaultKind.LOSS, Selector.all(), ALWAYS);
    FaultRule crash = rule("crash", FaultKind.BOOT_CRASH, Selector.all(), ALWAYS);
    done(faults.add(loss));
    done(faults.add(crash));

    assertEquals(List.of(loss), faults.acting(Point.LINK, VIN1, 0));
    assertEquals(List.of(crash), faults.acting(Point.ECU, VIN1.ecu("engine"), 0));
    assertSame(List.of(), faults.acting(Point.BUS, VIN1, 0));
  }

  @Test
  void actingFiltersByWindow() throws Exception {
    FaultRule early = rule("early", FaultKind.LOSS, Selector.all(), new Window(1_000, 2_000));
    FaultRule late = rule("late", FaultKind.LATENCY, Selector.all(), new Window(2_000, 3_000));
    done(faults.add(early));
    done(faults.add(late));

    assertEquals(List.of(), faults.acting(Point.LINK, VIN1, 999));
    assertEquals(List.of(early), faults.acting(Point.LINK, VIN1, 1_000));
    assertEquals(List.of(early), faults.acting(Point.LINK, VIN1, 1_999));
    assertEquals(List.of(late), faults.acting(Point.LINK, VIN1, 2_000));
    assertEquals(List.of(), faults.acting(Point.LINK, VIN1, 3_000));
  }

  @Test
  void actingFiltersBySelector() throws Exception {
    FaultRule eu = rule("eu", FaultKind.PARTITION, Selector.region("eu-west"), ALWAYS);
    FaultRule vin2 = rule("vin2", FaultKind.LOSS, Selector.vins(Set.of("VIN2")), ALWAYS);
    FaultRule engines =
        rule(
            "engines", FaultKind.BOOT_CRASH, Selector.all().withEcuTypes(Set.of("engine")), ALWAYS);
    done(faults.add(eu));
    done(faults.add(vin2));
    done(faults.add(engines));

    assertEquals(List.of(eu), faults.acting(Point.LINK, VIN1, 0));
    assertEquals(List.of(vin2), faults.acting(Point.LINK, VIN2, 0));
    assertEquals(List.of(engines), faults.acting(Point.ECU, VIN2.ecu("engine"), 0));
    assertEquals(List.of(), faults.acting(Point.ECU, VIN2.ecu("brakes"), 0));
  }

  @Test
  void aShareSelectsWithTheScenarioSeed() throws Exception {
    FaultRule half = rule("half", FaultKind.LOSS, Selector.all().share(50), ALWAYS);
    done(faults.add(half));

    long seed = Seeds.scenarioSeed(testKit.system());
    for (int i = 0; i < 50; i++) {
      Subject s = Subject.vehicle("VIN" + i, null, null);
      assertEquals(
          half.touches(s, 0, seed) ? List.of(half) : List.of(), faults.acting(Point.LINK, s, 0));
    }
  }

  @Test
  void anyTouchesFindsARuleWhoseWindowOverlapsTheInterval() throws Exception {
    done(
        faults.add(
            rule("eu", FaultKind.LATENCY, Selector.region("eu-west"), new Window(1_000, 2_000))));
    // A fault of the ECUs does not change what a check meets.
    done(
        faults.add(
            rule("boots", FaultKind.BOOT_CRASH, Selector.all(), new Window(0, Window.OPEN))));

    assertTrue(faults.anyTouches(VIN1, 0, 1_001), "overlaps the window's start");
    assertTrue(faults.anyTouches(VIN1, 1_999, 5_000), "overlaps the window's end");
    assertTrue(faults.anyTouches(VIN1, 1_200, 1_300), "inside the window");
    assertTrue(faults.anyTouches(VIN1, 0, 10_000), "around the window");
    assertFalse(faults.anyTouches(VIN1, 0, 1_000), "ends as the window starts");
    assertFalse(faults.anyTouches(VIN1, 2_000, 3_000), "starts as the window ends");
    assertFalse(faults.anyTouches(VIN1, 1_500, 1_500), "an empty interval");
    assertFalse(faults.anyTouches(VIN2, 0, 10_000), "a vehicle the rule does not select");
  }

  @Test
  void aRuleRoundTripsThroughPekkoSerialization() throws Exception {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    FaultRule original =
        new FaultRule(
            "latency-eu.1",
            FaultKind.LATENCY,
            new Selector(
                Set.of("eu-west", "eu-north"),
                Set.of("VIN1", "VIN2"),
                Set.of("engine"),
                "c-7",
                12.5),
            Map.of("ms", 250.0, "jitterMs", 40.0),
            new Window(1_000, Window.OPEN));

    Serializer serializer = serialization.findSerializerFor(original);
    assertEquals(33, serializer.identifier(), "jackson-cbor, bound through CborSerializable");
    byte[] bytes = serialization.serialize(original).get();
    Object copy =
        serialization
            .deserialize(
                bytes, serializer.identifier(), Serializers.manifestFor(serializer, original))
            .get();

    assertEquals(original, copy);
  }

  @Test
  void withoutAClusterTheRulesAreThisNodesOwn() throws Exception {
    ActorTestKit local = ActorTestKit.create("FaultsTestLocal");
    try {
      Faults here = Faults.get(local.system());
      done(
          here.add(
              rule(
                  "cut",
                  FaultKind.PARTITION,
                  Selector.all(),
                  Window.from(java.time.Instant.EPOCH))));
      assertEquals(1, here.acting(Point.LINK, VIN1, 5).size());
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> here.remove("nope").toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertInstanceOf(IllegalArgumentException.class, e.getCause());
      done(here.remove("cut"));
      assertTrue(here.rules().isEmpty());
    } finally {
      local.shutdownTestKit();
    }
  }
}
