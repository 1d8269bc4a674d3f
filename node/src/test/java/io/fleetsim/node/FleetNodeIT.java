package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.TargetFilter;
import io.fleetsim.vehicle.Vehicle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole campaign through a real node: H2 journal, cluster sharding, every entity type, the fleet
 * read model and the notifier port, with no test doubles anywhere.
 */
class FleetNodeIT {

  static final int VEHICLES = 200;

  @TempDir static Path dataDir;
  static FleetNode node;
  static CampaignRun.Result result;

  @BeforeAll
  static void runACampaign() {
    node =
        FleetNode.start(
            FleetNode.Options.singleNode(dataDir, 1000, 42).withDb(FleetNode.Db.H2_MEMORY));
    result =
        new CampaignRun(
                node,
                CampaignRun.Plan.standard(VEHICLES, Duration.ofMinutes(2)),
                CampaignRun.Listener.NONE)
            .run();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void theCampaignCompletesWithEveryVehicleUpdated() {
    assertTrue(result.succeeded(), result.problem());
    assertEquals(Campaign.Status.COMPLETED, result.status());
    assertEquals(VEHICLES, result.targeted());
    assertEquals(VEHICLES, result.updated());
    assertEquals(0, result.failed() + result.rolledBack() + result.refused());
    assertEquals(0, result.unreachable());
    assertEquals(4, result.waves());
    assertEquals(VEHICLES * 3, result.ecus());
  }

  @Test
  void everyVehicleReportsTheNewAdasVersionAndKeepsTheOthers() throws Exception {
    List<CompletionStage<Vehicle.Status>> asks = new ArrayList<>();
    for (Vehicle.Spec v : new FleetGenerator(42).fleet(VEHICLES, FleetGeneratorTest.baseImages())) {
      asks.add(
          AskPattern.ask(
              node.vehicle(v.vin()),
              Vehicle.GetStatus::new,
              Duration.ofSeconds(10),
              node.system().scheduler()));
    }
    for (CompletionStage<Vehicle.Status> ask : asks) {
      Vehicle.Status s = ask.toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(Vehicle.Lifecycle.ACTIVE, s.lifecycle(), s.vin());
      assertEquals("1.1.0", s.installedVersions().get("adas"), s.vin());
      assertEquals("1.0.0", s.installedVersions().get("engine"), s.vin());
      assertEquals("1.0.0", s.installedVersions().get("infotainment"), s.vin());
      assertEquals(Vehicle.Phase.IDLE, s.phase(), s.vin());
      assertTrue(
          s.history().stream()
              .anyMatch(h -> h.campaignId().equals("adas-1.1.0") && h.outcome().succeeded()),
          s.vin() + " " + s.history());
      assertEquals(0, s.attacksDetected(), s.vin());
    }
    assertEquals(VEHICLES, result.verifiedAtNewVersion());
  }

  @Test
  void theFiguresAreMeasuredNotMadeUp() throws Exception {
    assertEquals(VEHICLES, result.updateTime().count());
    assertTrue(result.updateTime().p50().compareTo(Duration.ZERO) > 0);
    assertTrue(result.updateTime().p50().compareTo(result.updateTime().p99()) <= 0);
    assertTrue(result.updateTime().p99().compareTo(result.updateTime().max()) <= 0);
    // At least one event per vehicle to provision and per vehicle to update.
    assertTrue(result.journalEventsProvisioning() >= VEHICLES, "" + result);
    assertTrue(result.journalEventsCampaign() >= VEHICLES, "" + result);
    assertTrue(node.journalEvents() >= result.journalEventsCampaign());
    assertTrue(result.campaignSimulated().compareTo(result.campaignWall()) > 0);
    assertTrue(result.heapBytesPerVehicle() > 0);
  }

  @Test
  void theFleetReadModelCatchesUpWithTheManifests() {
    ActorTestKit kit = ActorTestKit.create(node.system());
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(20),
            () -> {
              long atNew =
                  node.cloud()
                      .fleet()
                      .count(TargetFilter.ecuType("ADAS").withCurrentVersions("1.1.0"))
                      .toCompletableFuture()
                      .join();
              assertEquals(VEHICLES, atNew);
              return null;
            });
    assertEquals(
        0L,
        node.cloud()
            .fleet()
            .count(TargetFilter.ecuType("ADAS").withCurrentVersions("1.0.0"))
            .toCompletableFuture()
            .join());
  }
}
