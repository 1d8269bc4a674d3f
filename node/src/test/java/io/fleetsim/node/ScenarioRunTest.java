package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cloud.TargetFilter;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.scenario.Scenario;
import io.fleetsim.scenario.ScenarioFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a scenario file's campaigns become the steps {@link Rollout} runs. */
class ScenarioRunTest {

  static ScenarioRun.Mapped map(Path file) throws Exception {
    return ScenarioRun.map(ScenarioFile.parse(file), Duration.ofMinutes(5), Duration.ofDays(1));
  }

  @Test
  void aScenarioNamesExactlyTheEcuTypesTheSimulatedEcusHave() {
    assertEquals(Arrays.stream(EcuType.values()).map(Enum::name).toList(), Scenario.ECU_TYPES);
  }

  @Test
  void regionalStagedBecomesMunichThenBerlinEachInItsRegion() throws Exception {
    ScenarioRun.Mapped m = map(Path.of("../scenarios/regional-staged.conf"));
    List<CampaignStep> steps = m.steps();
    assertEquals(List.of("munich", "berlin"), steps.stream().map(CampaignStep::id).toList());
    CampaignStep munich = steps.get(0);
    CampaignStep berlin = steps.get(1);
    assertNull(munich.after());
    assertFalse(munich.rollbackOnFailure());
    assertEquals("munich", berlin.after());
    assertTrue(berlin.rollbackOnFailure());
    assertEquals(List.of("Berlin"), berlin.filter().regions());
    assertEquals(EcuType.ADAS, berlin.ecuType());
    assertEquals("ADAS", berlin.filter().ecuType());
    assertEquals(List.of(5.0, 50.0, 100.0), berlin.waves().cumulativePercent());
  }

  @Test
  void theExampleTargetsAnyOfItsModelsAndStartsWhenItSays() throws Exception {
    ScenarioRun.Mapped m = map(Path.of("../scenarios/example.conf"));
    CampaignStep first = m.steps().get(0);
    TargetFilter f = first.filter();
    assertEquals(List.of("sedan", "suv"), f.models());
    assertTrue(f.tags().isEmpty(), "models are any-of, not tags that must all be there");
    assertEquals(m.scenario().campaigns().get(0).startAt(), first.startAt());
    assertEquals("canary", m.steps().get(1).after());
  }

  @Test
  void whatTheRunnerCannotRunIsRefusedNamingIt() throws Exception {
    Scenario s = ScenarioFile.parse(Path.of("../scenarios/canary.conf"));
    Scenario bumped =
        new Scenario(
            s.name(),
            s.description(),
            s.seed(),
            s.pace(),
            s.fleet(),
            List.of(
                new Scenario.Firmware(
                    s.firmware().get(0).ecuType(),
                    s.firmware().get(0).version(),
                    5,
                    s.firmware().get(0).sizeBytes())),
            s.campaigns(),
            s.timeline(),
            s.assertions(),
            s.keyRotations());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ScenarioRun.map(bumped, Duration.ofMinutes(5), Duration.ofDays(1)));
    assertTrue(e.getMessage().contains("release counter 5"), e.getMessage());
  }

  @Test
  void theFleetsDriversBecomeTheVehiclesSettings() throws Exception {
    FleetNode.Options base = FleetNode.Options.singleNode(Path.of("unused"), 0, 1);
    Scenario chaos = ScenarioFile.parse(Path.of("../scenarios/chaos.conf"));
    FleetNode.Options o = ScenarioRun.vehicleSettings(chaos, base);
    assertEquals(0.8, o.settings().get("fleetsim.vehicle.drive.parked-share"));
    assertEquals("0ms", o.settings().get("fleetsim.vehicle.consent-delay"));
    Scenario example = ScenarioFile.parse(Path.of("../scenarios/example.conf"));
    FleetNode.Options e = ScenarioRun.vehicleSettings(example, base);
    assertEquals(
        example.fleet().drive().parkedByHour(),
        e.settings().get("fleetsim.vehicle.drive.parked-by-hour"));
    assertEquals(24, example.fleet().drive().parkedByHour().size());
    assertEquals(
        example.fleet().consentDelay().toMillis() + "ms",
        e.settings().get("fleetsim.vehicle.consent-delay"));
  }
}
