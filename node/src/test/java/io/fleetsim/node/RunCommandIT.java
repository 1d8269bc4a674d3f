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

  static final String SCENARIO =
      """
      name = small
      description = "Does a two-wave rollout to 40 vehicles in two regions succeed?"
      seed = 7
      fleet {
        size = 40
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
    Files.writeString(f, SCENARIO.formatted(extraAssertion));
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
}
