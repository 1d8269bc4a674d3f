package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.BlobStore;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultLedger;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Selector;
import io.fleetsim.faults.Window;
import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The fault rules on a vehicle's bus, each shown on a real transfer to a real ECU against the same
 * transfer on a vehicle no rule touches, whose simulated time is exactly the modelled one: frame
 * loss makes it longer, bus-off delays it by whole response timeouts or fails it, and an image
 * tampered on the bus is refused by the ECU's hash check and never activated. The ledger counts
 * every injection.
 */
class BusFaultsTest {

  static final ActorTestKit testKit = ActorTestKit.create(Fixtures.config());
  static final SimClock clock = SimClock.get(testKit.system());
  static final Faults faults = Faults.get(testKit.system());
  static final Fixtures fx = new Fixtures(41);
  static final AtomicInteger ids = new AtomicInteger();
  static final Duration MS = Duration.ofMillis(1);
  static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(5);
  static final int GROUP = 32 * 4096;
  static final BlobStore blobs = new BlobStore();
  static final byte[] image = Fixtures.bytes(new Random(8), 3 * GROUP);
  static final Duration MODELLED =
      CanBus.modelledTransferTime(
          Fixtures.config(), fx.profile(), Transport.CLASSIC_CAN, image.length);

  static {
    blobs.put(image);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  final TestProbe<CanBus.TransferResult> results = testKit.createTestProbe();

  /** A vehicle of its own: one real engine Ecu and its bus. */
  final class Vehicle {
    final String vin = "BUSFAULT" + ids.incrementAndGet();
    final AtomicReference<ActorRef<CanBus.Command>> bus = new AtomicReference<>();
    final ActorRef<Ecu.Command> ecu =
        testKit.spawn(
            Ecu.create(Ecu.entityId(vin, Fixtures.ECU_ID), BootModel.alwaysOk(), v -> bus.get()));

    Vehicle() {
      TestProbe<StatusReply<org.apache.pekko.Done>> ack = testKit.createTestProbe();
      ecu.tell(new Ecu.Provision(fx.profile(), ack.ref()));
      assertTrue(ack.receiveMessage().isSuccess());
      bus.set(testKit.spawn(CanBus.create(vin, id -> ecu, blobs, null)));
    }

    void start(String tid) {
      bus.get()
          .tell(
              new CanBus.StartTransfer(
                  tid,
                  vin,
                  Fixtures.ECU_ID,
                  Transport.CLASSIC_CAN,
                  BlobStore.sha256Hex(image),
                  image.length,
                  fx.targetsFor(image),
                  results.ref(),
                  null));
    }

    Ecu.Status ecuStatus() {
      TestProbe<Ecu.Status> p = testKit.createTestProbe();
      ecu.tell(new Ecu.GetStatus(p.ref()));
      return p.receiveMessage();
    }
  }

  /** The result, which must come exactly {@code after} the transfer started, not a ms sooner. */
  CanBus.TransferResult resultExactlyAfter(long startedAt, Duration after) {
    clock.advance(Duration.ofMillis(startedAt + after.toMillis() - 1 - clock.nowMillis()));
    results.expectNoMessage(Duration.ofMillis(20));
    clock.advance(MS);
    return results.receiveMessage();
  }

  static FaultRule onVehicle(String id, FaultKind kind, String vin, Map<String, Double> p) {
    return new FaultRule(id, kind, Selector.vins(Set.of(vin)), p, Window.from(clock.now()));
  }

  static void add(FaultRule rule) {
    faults.add(rule).toCompletableFuture().join();
  }

  static FaultLedger.RuleAccount account(String ruleId) {
    return faults.ledger().accounts().stream()
        .filter(a -> a.ruleId().equals(ruleId))
        .findFirst()
        .orElse(new FaultLedger.RuleAccount(ruleId, null, 0, Map.of(), 0, 0, Map.of()));
  }

  @Test
  void aBusRuleOnARegionActsOnceATransferNamedTheVehiclesRegion() {
    faults
        .add(
            new FaultRule(
                "berlin-bus-off",
                FaultKind.BUS_OFF,
                Selector.region("Berlin"),
                Map.of(),
                Window.from(clock.now())))
        .toCompletableFuture()
        .join();
    FaultedBus berlin = new FaultedBus("BUSREGION1", faults, clock);
    FaultedBus munich = new FaultedBus("BUSREGION2", faults, clock);
    assertFalse(berlin.off().isPresent(), "no transfer has named its region yet");
    berlin.select("Berlin", null);
    munich.select("Munich", null);
    berlin.select(null, null); // a transfer that names no region keeps what the bus knows
    assertTrue(berlin.off().isPresent());
    assertFalse(munich.off().isPresent());
    faults.remove("berlin-bus-off").toCompletableFuture().join();
  }

  @Test
  void aBusRuleOnACampaignActsOnTransfersOfThatCampaignAlone() {
    faults
        .add(
            new FaultRule(
                "berlin-campaign-bus-off",
                FaultKind.BUS_OFF,
                Selector.all().inCampaign("berlin"),
                Map.of(),
                Window.from(clock.now())))
        .toCompletableFuture()
        .join();
    FaultedBus bus = new FaultedBus("BUSCAMPAIGN1", faults, clock);
    bus.select("Munich", "munich");
    assertFalse(bus.off().isPresent(), "a transfer of another campaign");
    bus.select(null, "berlin");
    assertTrue(bus.off().isPresent(), "a transfer of the campaign");
    bus.select(null, null);
    assertFalse(bus.off().isPresent(), "a transfer of no campaign");
    faults.remove("berlin-campaign-bus-off").toCompletableFuture().join();
  }

  @Test
  void withoutARuleATransferTakesExactlyTheModelledTime() {
    // rules on other vehicles and other ECU types touch nothing here
    add(onVehicle("elsewhere-loss", FaultKind.CAN_FRAME_LOSS, "NOBODY", Map.of("rate", 0.5)));
    add(onVehicle("elsewhere-off", FaultKind.BUS_OFF, "NOBODY", Map.of()));
    Vehicle v = new Vehicle();
    add(
        new FaultRule(
            "adas-tamper",
            FaultKind.BUS_TAMPERED_IMAGE,
            Selector.vins(Set.of(v.vin)).withEcuTypes(Set.of(EcuType.ADAS.name())),
            Map.of(),
            Window.from(clock.now())));
    long t0 = clock.nowMillis();
    v.start("t");
    CanBus.TransferResult r = resultExactlyAfter(t0, MODELLED);
    assertEquals(UpdateOutcome.SUCCEEDED, r.outcome(), r.reason());
    for (String id : new String[] {"elsewhere-loss", "elsewhere-off", "adas-tamper"}) {
      assertEquals(0, account(id).injected(), id);
    }
  }

  @Test
  void frameLossMakesTheTransferLongerThanModelled() {
    Vehicle v = new Vehicle();
    add(onVehicle("lossy", FaultKind.CAN_FRAME_LOSS, v.vin, Map.of("rate", 0.2)));
    // each group's wait with the retransmissions the bus draws for it at the rule's rate (scenario
    // seed, bus, transfer, group, attempt), in place of its lossless wait
    BlockGroups groups = new BlockGroups(BusTimingModel.defaults(), 32);
    Duration expected = MODELLED;
    for (int k = 1; k <= 3; k++) {
      BlockGroups.Group g =
          groups.next(Transport.CLASSIC_CAN, k, (long) (k - 1) * GROUP, image.length).orElseThrow();
      long lost =
          BusTimingModel.sampleRetransmissions(
              g.exchange().frames(),
              0.2,
              Seeds.random(faults.scenarioSeed(), "canbus:" + v.vin + "/t/" + k + "/0"));
      assertTrue(lost > 0, "group " + k);
      expected =
          expected
              .minusMillis(SimClock.delayMillis(g.wireTime(0, 1)))
              .plusMillis(SimClock.delayMillis(g.wireTime(lost, 1)));
    }
    assertTrue(expected.compareTo(MODELLED.plusSeconds(2)) > 0, expected + " against " + MODELLED);

    long t0 = clock.nowMillis();
    v.start("t");
    CanBus.TransferResult r = resultExactlyAfter(t0, expected);
    assertEquals(UpdateOutcome.SUCCEEDED, r.outcome(), r.reason());
    // each of the three block groups went on the wire under the rule
    assertEquals(3, account("lossy").injected());
  }

  @Test
  void aShortBusOffDelaysTheTransferByWholeResponseTimeouts() {
    Vehicle v = new Vehicle();
    // off for 12 s: the session request and its first two retries get through to nobody
    add(
        new FaultRule(
            "off-12s",
            FaultKind.BUS_OFF,
            Selector.vins(Set.of(v.vin)),
            Map.of(),
            Window.of(clock.now(), Duration.ofSeconds(12))));
    long t0 = clock.nowMillis();
    v.start("t");
    CanBus.TransferResult r =
        resultExactlyAfter(t0, RESPONSE_TIMEOUT.multipliedBy(3).plus(MODELLED));
    assertEquals(UpdateOutcome.SUCCEEDED, r.outcome(), r.reason());
    assertEquals(3, account("off-12s").injected());
  }

  @Test
  void aBusOffLongerThanTheRetriesFailsTheTransfer() {
    Vehicle v = new Vehicle();
    add(onVehicle("off", FaultKind.BUS_OFF, v.vin, Map.of()));
    long t0 = clock.nowMillis();
    v.start("t");
    // the request and max-retries (3) retries, each given up on after the response timeout
    CanBus.TransferResult r = resultExactlyAfter(t0, RESPONSE_TIMEOUT.multipliedBy(4));
    assertEquals(UpdateOutcome.FAILED, r.outcome());
    assertTrue(r.reason().contains("did not answer SESSION"), r.reason());
    assertEquals(4, account("off").injected());
    assertEquals(fx.oldBank, v.ecuStatus().activeBank());
  }

  @Test
  void anImageTamperedOnTheBusIsRefusedByTheEcusHashAndNeverActivated() {
    Vehicle v = new Vehicle();
    add(
        new FaultRule(
            "bus-tamper",
            FaultKind.BUS_TAMPERED_IMAGE,
            Selector.vins(Set.of(v.vin)).withEcuTypes(Set.of(EcuType.ENGINE.name())),
            Map.of(),
            Window.from(clock.now())));
    v.start("t");
    CanBus.TransferResult r = null;
    for (int i = 0; i < 60 && r == null; i++) {
      clock.advance(Duration.ofSeconds(1));
      try {
        r = results.receiveMessage(Duration.ofMillis(20));
      } catch (AssertionError notYet) {
        // keep advancing
      }
    }
    assertEquals(UpdateOutcome.REJECTED, r.outcome());
    assertTrue(r.reason().startsWith("EXIT refused with 0x72"), r.reason());
    assertTrue(r.reason().contains("does not match"), r.reason());

    // nothing was written or booted: the old bank runs, the other holds nothing bootable
    Ecu.Status s = v.ecuStatus();
    assertEquals(Ecu.Phase.RUNNING, s.phase());
    assertEquals(Bank.Slot.A, s.active());
    assertEquals(fx.oldBank, s.activeBank());
    assertFalse(s.bankB().valid());
    assertEquals(UpdateOutcome.REJECTED, s.lastInstall().outcome());
    clock.advance(Duration.ofMinutes(1));
    assertEquals(fx.oldBank, v.ecuStatus().activeBank(), "and it never is");

    // one attack, caught by the check its kind expects, and no false alarm
    FaultLedger.RuleAccount a = account("bus-tamper");
    assertEquals(1, a.injected());
    assertEquals(Map.of(Attack.ARBITRARY_SOFTWARE.name(), 1L), a.detectedBy());
    assertEquals(0, a.undetected() + a.endedUndetected());
    assertEquals(Map.of(), faults.ledger().falseAlarms());
  }
}
