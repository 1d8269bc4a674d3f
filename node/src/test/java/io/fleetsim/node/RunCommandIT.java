package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fleetsim run FILE} end to end on a small scenario: the assertions are checked against what
 * the run measured (and written to the JSON report as the summary printed them), a failing one
 * gives exit status 2 and names itself, and a bad file gives 1 with its line and field before any
 * node starts.
 */
class RunCommandIT {

  @TempDir Path dir;

  /** {@code size} sedans in Munich and Berlin, and an ADAS 1.1.0 image: for small scenarios. */
  static String fleet(int size) {
    return """
        fleet {
          size = %d
          regions { Munich = 0.5, Berlin = 0.5 }
          models {
            sedan {
              share = 1.0
              ecus = [
                { ecuType = ENGINE, hardwareId = ENG-MED17-A, busKind = classic-can, firmware = "1.0.0" }
                { ecuType = ADAS, hardwareId = ADAS-EQ4-A, busKind = can-fd, firmware = "1.0.0" }
              ]
            }
          }
        }
        firmware = [ { ecuType = ADAS, version = "1.1.0", releaseCounter = 2, sizeBytes = 65536 } ]
        """
        .formatted(size);
  }

  static final String SCENARIO =
      """
      name = small
      description = "Does a two-wave rollout to 40 vehicles in two regions succeed?"
      seed = 7
      %s
      campaigns = [
        { id = adas, ecuType = ADAS, version = "1.1.0", waves = [10, 100], soak = 10m }
      ]
      assertions = [
        { scope = "campaign:adas", statistic = successRate, condition = gte, value = 1.0 }
        { scope = "region:Munich", statistic = failureCount, condition = lte, value = 0 }
        %s
      ]
      """;

  Path scenario(String extraAssertion) throws Exception {
    Path f = dir.resolve("small.conf");
    Files.writeString(f, SCENARIO.formatted(fleet(40), extraAssertion));
    return f;
  }

  int runs;

  /** Each run on a database of its own, as each command line is a process of its own. */
  FleetsimCliTest.Run run(Path file) {
    return FleetsimCliTest.run(
        "run",
        file.toString(),
        "--data-dir",
        dir.resolve("data" + ++runs).toString(),
        "--report-dir",
        dir.resolve("reports").toString());
  }

  JsonNode report() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("reports"))) {
      Path json = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
      return new ObjectMapper().readTree(json.toFile());
    }
  }

  @Test
  void assertionsThatHoldExitZeroAndOneThatFailsExitsTwoNamingItself() throws Exception {
    FleetsimCliTest.Run ok =
        run(
            scenario(
                "{ scope = \"campaign:adas\", statistic = updateTimeP99, condition = lt,"
                    + " value = 15m }"));
    assertEquals(0, ok.exit(), ok.out() + ok.err());
    assertTrue(ok.out().contains("campaign:adas successRate gte 1: measured 1.000 ✓"), ok.out());
    JsonNode json = report();
    assertEquals(40, json.get("campaign").get("outcomes").get("SUCCEEDED").asInt());
    assertEquals(3, json.get("assertions").size());
    for (JsonNode a : json.get("assertions")) {
      assertTrue(a.get("passed").asBoolean(), a.toString());
    }
    // The report's p99 is what the assertion measured.
    assertEquals(
        json.get("campaign").get("updateTimeSimulated").get("p99Seconds").asDouble(),
        json.get("assertions").get(2).get("measured").asDouble(),
        1e-9);

    Files.walk(dir.resolve("reports"))
        .sorted(java.util.Comparator.reverseOrder())
        .forEach(p -> p.toFile().delete());
    FleetsimCliTest.Run failing =
        run(
            scenario(
                "{ scope = \"campaign:adas\", statistic = updateTimeP50, condition = lt,"
                    + " value = 1s }"));
    assertEquals(2, failing.exit(), failing.out() + failing.err());
    assertTrue(
        failing.err().contains("assertion failed: campaign:adas updateTimeP50 lt 1s"),
        failing.err());
  }

  @Test
  void aBadFileExitsOneWithItsLineAndFieldBeforeAnyNodeStarts() throws Exception {
    Path f =
        scenario(
            "{ scope = \"campaign:adsa\", statistic = successRate, condition = gte, value = 1 }");
    FleetsimCliTest.Run bad = run(f);
    assertEquals(1, bad.exit(), bad.out() + bad.err());
    assertTrue(bad.err().contains("small.conf:"), bad.err());
    assertTrue(bad.err().contains("assertions[2]"), bad.err());
    assertTrue(!Files.exists(dir.resolve("data1")), "no node was started");
  }

  static final String STAGED =
      """
      name = staged
      description = "Munich, then Berlin with a boot crash that aborts and rolls it back"
      seed = 7
      %s
      campaigns = [
        { id = munich, ecuType = ADAS, version = "1.1.0", filter { regions = [Munich] },
          waves = [100], soak = 10m }
        { id = berlin, ecuType = ADAS, version = "1.1.0", filter { regions = [Berlin] },
          after = munich, waves = [50, 100], soak = 10m, failureThreshold = 0.05,
          onFailure = abort, rollbackOnFailure = true }
        { id = engine, ecuType = ADAS, version = "1.1.0", after = berlin, waves = [100] }
      ]
      timeline = [
        { id = berlin-crash, kind = boot-crash, selector { campaign = berlin, ecuTypes = [ADAS] },
          params { rate = 0.5 } }
      ]
      assertions = [
        { scope = "campaign:munich", statistic = successRate, condition = gte, value = 1.0 }
        { scope = "region:Munich", statistic = rollbacks, condition = lte, value = 0 }
        { scope = "campaign:berlin", statistic = rollbacks, condition = gt, value = 0 }
        { scope = "region:Munich", statistic = updateTimeMax, condition = lt, value = 1h }
      ]
      """;

  @Test
  void campaignsRunInTheirOrderAndAFailedOneIsRolledBackWhileThoseAfterItNeverStart()
      throws Exception {
    Path f = dir.resolve("staged.conf");
    Files.writeString(f, STAGED.formatted(fleet(40)));
    FleetsimCliTest.Run r = run(f);
    assertEquals(0, r.exit(), r.out() + r.err());
    JsonNode json = report();
    JsonNode campaigns = json.get("campaigns");
    assertEquals(3, campaigns.size(), campaigns.toString());
    JsonNode munich = campaigns.get(0);
    JsonNode berlin = campaigns.get(1);
    JsonNode engine = campaigns.get(2);
    assertEquals("munich", munich.get("campaignId").asText());
    assertEquals("COMPLETED", munich.get("status").asText());
    assertEquals("ABORTED", berlin.get("status").asText());
    assertEquals("NEW", engine.get("status").asText());
    assertTrue(
        engine.get("problem").asText().contains("waits for berlin, which ended ABORTED"),
        engine.toString());
    // The region filters split the fleet: every vehicle targeted once.
    int targeted = munich.get("targeted").asInt() + berlin.get("targeted").asInt();
    assertEquals(40, targeted, campaigns.toString());
    assertEquals(munich.get("targeted").asInt(), munich.get("outcomes").get("SUCCEEDED").asInt());
    // Every vehicle Berlin updated, and only those, was rolled back, once its waves settled.
    JsonNode rollbacks = json.get("rollbacks");
    assertEquals(1, rollbacks.size(), rollbacks.toString());
    assertEquals("berlin", rollbacks.get(0).get("undoes").asText());
    int berlinUpdated = berlin.get("outcomes").get("SUCCEEDED").asInt();
    assertTrue(berlinUpdated > 0, berlin.toString());
    assertEquals(berlinUpdated, rollbacks.get(0).get("targeted").asInt());
    assertEquals(berlinUpdated, rollbacks.get(0).get("outcomes").get("SUCCEEDED").asInt());
    assertEquals(munich.get("targeted").asInt(), munich.get("verifiedAtVersion").asInt());
    // Munich's region is Munich's campaign: the same update times.
    assertEquals(
        munich.get("updateTimeSimulated").get("maxSeconds").asDouble(),
        json.get("assertions").get(3).get("measured").asDouble(),
        1e-9);
    assertTrue(r.out().contains("Rollback campaign berlin-rollback-1 (undoes berlin)"), r.out());
    assertTrue(r.out().contains("campaign engine not started"), r.out());
  }
}
