package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.TargetFilter;
import io.fleetsim.uptane.manifest.UpdateOutcome;
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
            FleetNode.Options.singleNode(dataDir, 0, 42).withDb(FleetNode.Db.H2_MEMORY));
    result =
        new CampaignRun(
                node,
                CampaignPlan.standard(VEHICLES, Duration.ofMinutes(3)).withRollback(true),
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
    CampaignRun.CampaignFacts c = result.campaign();
    assertEquals(Campaign.Status.COMPLETED, c.status());
    assertEquals(VEHICLES, c.targeted());
    assertEquals(VEHICLES, c.updated());
    assertEquals(0, c.unsuccessful());
    assertEquals(0, c.unsettled());
    assertEquals(4, c.waves());
    assertEquals(VEHICLES * 3, result.ecus());
    assertEquals(VEHICLES, c.verifiedAtVersion());
  }

  @Test
  void theRollbackCampaignPutsEveryVehicleBackOnTheOldImageUnderAHigherCounter() {
    assertEquals(1, result.rollbacks().size());
    CampaignRun.CampaignFacts rb = result.rollbacks().get(0);
    assertEquals("adas-1.1.0-rollback-1", rb.campaignId());
    assertEquals("adas-1.1.0", rb.undoes());
    assertEquals(Campaign.Status.COMPLETED, rb.status());
    assertEquals(VEHICLES, rb.updated());
    // The 1.0.0 bytes, published again above 1.1.0's release counter 2.
    assertEquals("1.0.0+r3", rb.version());
    assertEquals(3, rb.releaseCounter());
    assertEquals(VEHICLES, rb.verifiedAtVersion());
  }

  @Test
  void everyVehicleTookBothUpdatesAndKeepsItsOtherEcus() throws Exception {
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
      assertEquals("1.0.0+r3", s.installedVersions().get("adas"), s.vin());
      assertEquals("1.0.0", s.installedVersions().get("engine"), s.vin());
      assertEquals("1.0.0", s.installedVersions().get("infotainment"), s.vin());
      assertEquals(Vehicle.Phase.IDLE, s.phase(), s.vin());
      for (String campaign : List.of("adas-1.1.0", "adas-1.1.0-rollback-1")) {
        assertTrue(
            s.history().stream()
                .anyMatch(
                    h -> h.campaignId().equals(campaign) && h.outcome() == UpdateOutcome.SUCCEEDED),
            s.vin() + " " + campaign + " " + s.history());
      }
      assertEquals(0, s.attacksDetected(), s.vin());
    }
  }

  @Test
  void theFiguresComeFromTheRun() throws Exception {
    // Only what does not depend on the machine: counts, never rates, wall times or heap.
    CampaignRun.CampaignFacts c = result.campaign();
    assertEquals(VEHICLES, c.updateTime().count());
    assertTrue(c.updateTime().p50().compareTo(Duration.ZERO) > 0);
    assertTrue(c.updateTime().p50().compareTo(c.updateTime().p99()) <= 0);
    assertTrue(c.updateTime().p99().compareTo(c.updateTime().max()) <= 0);
    // At least one event per vehicle to provision and per vehicle to update.
    assertTrue(result.journalEventsProvisioning() >= VEHICLES, "" + result);
    assertTrue(c.journalEvents() >= VEHICLES, "" + result);
    assertTrue(node.journalEvents() >= c.journalEvents());
  }

  @Test
  void bulkProvisioningRefusesVehiclesThatExistAlready() {
    List<Vehicle.Spec> existing = new FleetGenerator(42).fleet(3, FleetGeneratorTest.baseImages());
    java.util.concurrent.CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.CompletionException.class,
            () ->
                io.fleetsim.vehicle.BulkProvisioning.provision(node.system(), existing, n -> {})
                    .toCompletableFuture()
                    .join());
    assertTrue(
        e.getCause().getMessage().contains("are these vehicles new?"), e.getCause().getMessage());
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
                      .count(TargetFilter.ecuType("ADAS").withCurrentVersions("1.0.0+r3"))
                      .toCompletableFuture()
                      .join();
              assertEquals(VEHICLES, atNew);
              return null;
            });
    assertEquals(
        0L,
        node.cloud()
            .fleet()
            .count(TargetFilter.ecuType("ADAS").withCurrentVersions("1.1.0"))
            .toCompletableFuture()
            .join());
  }
}
