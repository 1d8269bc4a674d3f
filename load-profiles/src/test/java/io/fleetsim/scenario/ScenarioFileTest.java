package io.fleetsim.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.scenario.Scenario.Campaign;
import io.fleetsim.scenario.Scenario.OnFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Good files become the model they describe; every built-in scenario parses. */
class ScenarioFileTest {

  static final String SMALL =
      """
      # small.conf: does a two-wave rollout update a tiny fleet?
      name = small
      description = "Does a two-wave rollout update a tiny fleet?"
      seed = 9
      pace = 60
      fleet {
        size = 20
        regions { Munich = 0.75, Berlin = 0.25 }
        models {
          sedan {
            share = 1
            ecus = [
              { ecuType = ADAS, hardwareId = ADAS-EQ4-A, busKind = can-fd, firmware = "1.0.0" }
              { ecuType = engine, hardwareId = ENG-MED17-A, busKind = classic-can, firmware = "1.0.0" }
            ]
          }
        }
        drive { parkedShare = 0.7 }
        consentDelay = 5m
      }
      firmware = [ { ecuType = ADAS, version = "1.1.0", releaseCounter = 2, sizeBytes = 1024 } ]
      campaigns = [
        {
          id = first
          ecuType = ADAS
          version = "1.1.0"
          filter { regions = [Munich], environment = blue, tags = [fleet-a] }
          waves = [10, 100]
          soak = 30m
          onFailure = abort
          requireConsent = true
          startAt = 2h
        }
        {
          id = second
          ecuType = ADAS
          version = "1.1.0"
          waves = [100]
          after = first
          rollbackOnFailure = true
        }
      ]
      timeline = [
        { kind = boot-crash, at = 1h, duration = 30m,
          selector { ecuTypes = [ADAS], campaign = second, percent = 20 }, params { rate = 0.5 } }
        { id = cut, kind = PARTITION, selector { regions = [Berlin] } }
      ]
      assertions = [
        { scope = "campaign:first", statistic = successRate, condition = gte, value = 0.98 }
        { scope = "wave:first:2", statistic = updateTimeP99, condition = lt, value = 15m }
        { scope = run, statistic = failureCount, condition = between, values = [0, 3] }
      ]
      """;

  @Test
  void aSmallFileBecomesTheModelItDescribes() throws InvalidScenario {
    Scenario s = ScenarioFile.parse("small.conf", SMALL);
    assertEquals("small", s.name());
    assertEquals("Does a two-wave rollout update a tiny fleet?", s.description());
    assertEquals(9, s.seed());
    assertEquals(60, s.pace());
    assertEquals(20, s.fleet().size());
    assertEquals(Map.of("Munich", 0.75, "Berlin", 0.25), s.fleet().regions());
    assertEquals(List.of("Munich", "Berlin"), List.copyOf(s.fleet().regions().keySet()));
    assertEquals(
        List.of(
            new Scenario.EcuSlot("ADAS", "ADAS-EQ4-A", "can-fd", "1.0.0"),
            new Scenario.EcuSlot("ENGINE", "ENG-MED17-A", "classic-can", "1.0.0")),
        s.fleet().models().get("sedan").ecus());
    assertEquals(0.7, s.fleet().drive().parkedShareAt(13));
    assertEquals(Duration.ofMinutes(5), s.fleet().consentDelay());
    assertEquals(Map.of("5g", 0.40, "lte", 0.45, "rural", 0.15), s.fleet().networkProfiles());
    assertEquals(Map.of("blue", 0.5, "green", 0.5), s.fleet().environments());
    assertEquals(List.of(new Scenario.Firmware("ADAS", "1.1.0", 2, 1024)), s.firmware());

    Campaign first = s.campaigns().get(0);
    assertEquals("first", first.id());
    assertEquals(List.of(10.0, 100.0), first.waves());
    assertEquals(List.of("Munich"), first.filter().regions());
    assertEquals(Optional.of("blue"), first.filter().environment());
    assertEquals(List.of("fleet-a"), first.filter().tags());
    assertEquals(Duration.ofMinutes(30), first.soak());
    assertEquals(OnFailure.ABORT, first.onFailure());
    assertTrue(first.requireConsent());
    assertEquals(Duration.ofHours(2), first.startAt());
    assertEquals(Optional.empty(), first.after());

    Campaign second = s.campaigns().get(1);
    assertEquals(Optional.of("first"), second.after());
    assertTrue(second.rollbackOnFailure());
    // the defaults, as RolloutPolicy and the demo have them
    assertEquals(Duration.ofMinutes(15), second.soak());
    assertEquals(0.95, second.successThreshold());
    assertEquals(0.05, second.failureThreshold());
    assertEquals(OnFailure.PAUSE, second.onFailure());
    assertEquals(Duration.ofHours(24), second.timeLimit());
    assertTrue(second.requireParked());
    assertFalse(second.requireConsent());
    assertEquals(Duration.ZERO, second.startAt());

    assertEquals(3, s.assertions().size());
    assertEquals("wave:first:2 updateTimeP99 lt 15m", s.assertions().get(1).text());
    assertEquals(900.0, s.assertions().get(1).low());
    assertEquals(Condition.BETWEEN, s.assertions().get(2).condition());
    assertEquals(3.0, s.assertions().get(2).high());
  }

  @Test
  void theTimelineBecomesFaultRulesInTheRunsSimulatedTime() throws InvalidScenario {
    Scenario s = ScenarioFile.parse("small.conf", SMALL);
    Instant epoch = Instant.parse("2030-01-01T00:00:00Z");
    List<FaultRule> rules = s.faultRules(epoch);

    FaultRule crash = rules.get(0);
    assertEquals("t0-boot-crash", crash.id());
    assertEquals(FaultKind.BOOT_CRASH, crash.kind());
    assertEquals(epoch.plusSeconds(3600).toEpochMilli(), crash.window().startMillis());
    assertEquals(epoch.plusSeconds(5400).toEpochMilli(), crash.window().endMillis());
    assertEquals(Set.of("ADAS"), crash.selector().ecuTypes());
    assertEquals("second", crash.selector().campaignId());
    assertEquals(20.0, crash.selector().percent());
    assertEquals(0.5, crash.param("rate", 0));

    FaultRule cut = rules.get(1);
    assertEquals("cut", cut.id());
    assertEquals(FaultKind.PARTITION, cut.kind());
    assertEquals(epoch.toEpochMilli(), cut.window().startMillis());
    assertEquals(Long.MAX_VALUE, cut.window().endMillis());
    assertEquals(Set.of("Berlin"), cut.selector().regions());
    assertEquals(100.0, cut.selector().percent());

    assertEquals(crash, s.timeline().get(0).toFaultRule(epoch.toEpochMilli()));
  }

  @Test
  void aFleetThatNamesNoMixGetsTheDefaultOnesInAFixedOrder() throws InvalidScenario {
    // Vehicles are drawn by walking the shares in order: the order is part of the seed's fleet.
    Scenario s = ScenarioFile.parse("small.conf", SMALL);
    assertEquals(List.of("5g", "lte", "rural"), List.copyOf(s.fleet().networkProfiles().keySet()));
    assertEquals(List.of("blue", "green"), List.copyOf(s.fleet().environments().keySet()));
  }

  @Test
  void substitutionsAreResolved() throws InvalidScenario {
    Scenario s =
        ScenarioFile.parse("subst.conf", SMALL.replace("seed = 9", "seed = ${fleet.size}"));
    assertEquals(20, s.seed());
  }

  @Test
  void everyBuiltInScenarioParses() throws Exception {
    Path dir = scenarios();
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
    List<String> names = files.stream().map(p -> p.getFileName().toString()).toList();
    assertTrue(
        names.containsAll(
            List.of(
                "demo.conf",
                "canary.conf",
                "regional-staged.conf",
                "blue-green.conf",
                "attack-matrix.conf",
                "chaos.conf",
                "scale-100k.conf",
                "example.conf")),
        names.toString());
    for (Path f : files) {
      try {
        Scenario s = ScenarioFile.parse(f);
        assertFalse(s.description().isBlank(), f.toString());
        assertTrue(Files.readString(f).startsWith("# "), f + " starts with its header comment");
      } catch (InvalidScenario e) {
        fail(e.getMessage());
      }
    }
  }

  @Test
  void theDemoIsWhatFleetsimDemoRuns() throws InvalidScenario {
    Scenario s = ScenarioFile.parse(scenarios().resolve("demo.conf"));
    assertEquals(1000, s.fleet().size());
    assertEquals(42, s.seed());
    Campaign c = s.campaigns().get(0);
    assertEquals("ADAS", c.ecuType());
    assertEquals("1.1.0", c.version());
    assertEquals(List.of(1.0, 10.0, 50.0, 100.0), c.waves());
    assertEquals(0.95, c.successThreshold());
    assertEquals(0.05, c.failureThreshold());
    assertEquals(Duration.ofMinutes(15), c.soak());
  }

  @Test
  void theCanaryAssertsSuccessAndUpdateTime() throws InvalidScenario {
    Scenario s = ScenarioFile.parse(scenarios().resolve("canary.conf"));
    List<String> texts = s.assertions().stream().map(Assertion::text).toList();
    assertTrue(texts.contains("campaign:canary successRate gte 0.99"), texts.toString());
    assertTrue(texts.contains("campaign:canary updateTimeP99 lt 15m"), texts.toString());
  }

  @Test
  void regionalStagedRunsBerlinAfterMunichWithABootCrashAndRollback() throws InvalidScenario {
    Scenario s = ScenarioFile.parse(scenarios().resolve("regional-staged.conf"));
    Campaign munich = s.campaign("munich").orElseThrow();
    Campaign berlin = s.campaign("berlin").orElseThrow();
    assertEquals(List.of("Munich"), munich.filter().regions());
    assertEquals(List.of("Berlin"), berlin.filter().regions());
    assertEquals(Optional.of("munich"), berlin.after());
    assertTrue(berlin.rollbackOnFailure());
    FaultRule crash = s.faultRules(Instant.EPOCH).get(0);
    assertEquals(FaultKind.BOOT_CRASH, crash.kind());
    assertEquals(0.2, crash.param("rate", 0));
    assertEquals("berlin", crash.selector().campaignId());
  }

  @Test
  void theAttackMatrixHasEveryAttackOnOnePercentAndTheKeyRotationsTheyNeed()
      throws InvalidScenario {
    Scenario s = ScenarioFile.parse(scenarios().resolve("attack-matrix.conf"));
    assertEquals(
        List.of(
            new Scenario.KeyRotation("timestamp", Duration.ZERO),
            new Scenario.KeyRotation("timestamp", Duration.ofHours(28))),
        s.keyRotations());
    Set<FaultKind> attacks =
        Set.copyOf(Arrays.stream(FaultKind.values()).filter(FaultKind::isAttack).toList());
    assertEquals(attacks, Set.copyOf(s.timeline().stream().map(t -> t.kind()).toList()));
    assertEquals(attacks.size(), s.timeline().size());
    s.timeline().forEach(t -> assertEquals(1.0, t.selector().percent(), t.id()));
  }

  @Test
  void scale100kHasAHundredThousandVehicles() throws InvalidScenario {
    assertEquals(
        100_000, ScenarioFile.parse(scenarios().resolve("scale-100k.conf")).fleet().size());
  }

  static Path scenarios() {
    Path p = Path.of("..", "scenarios");
    return Files.isDirectory(p) ? p : Path.of("scenarios");
  }
}
