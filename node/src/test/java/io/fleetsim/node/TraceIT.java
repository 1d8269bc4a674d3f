package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fleetsim run FILE --trace T} on a small scenario, its report checked against its journal:
 * from the trace alone, the outcome of every vehicle (from the Director's records), the vehicles
 * updated, the update-time percentiles (from each vehicle's UpdateFound to its UpdateFinished) and
 * the campaign's simulated duration (its Started to its Completed) are what report.json says. Every
 * line parses, its instants do not decrease, and every entity's sequence numbers run 1, 2, 3, ...
 */
class TraceIT {

  @TempDir Path dir;

  static final String SCENARIO =
      """
      name = traced
      description = "Does a two-wave rollout to 20 vehicles leave a journal that tells the same?"
      seed = 11
      %s
      campaigns = [
        { id = adas, ecuType = ADAS, version = "1.1.0", waves = [10, 100], soak = 10m }
      ]
      assertions = [
        { scope = "campaign:adas", statistic = successRate, condition = gte, value = 1.0 }
      ]
      """;

  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theReportIsWhatTheJournalSays() throws Exception {
    Path file = dir.resolve("traced.conf");
    Files.writeString(file, SCENARIO.formatted(RunCommandIT.fleet(20)));
    Path trace = dir.resolve("out/trace.jsonl");
    FleetsimCliTest.Run run =
        FleetsimCliTest.run(
            "run",
            file.toString(),
            "--data-dir",
            dir.resolve("data").toString(),
            "--report-dir",
            dir.resolve("reports").toString(),
            "--trace",
            trace.toString());
    assertEquals(0, run.exit(), run.out() + run.err());

    List<JsonNode> lines = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(trace)) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(JSON.readTree(line)); // every line parses
      }
    }
    assertTrue(
        run.out().contains("  trace         " + trace + " (" + lines.size() + " events)"),
        run.out());
    JsonNode campaign = report().get("campaign");
    String campaignId = campaign.get("campaignId").asText(); // the scenario's id and the version

    // Shape, order and contiguity.
    Instant epoch = Instant.parse("2030-01-01T00:00:00Z");
    Instant previous = Instant.MIN;
    Map<String, Long> lastSeq = new HashMap<>();
    for (JsonNode l : lines) {
      for (String field : List.of("at", "t", "entity", "seq", "type", "event")) {
        assertNotNull(l.get(field), field + " in " + l);
      }
      assertTrue(l.get("event").isObject(), l.toString());
      assertFalse(l.get("event").has("unrendered"), l.toString());
      Instant at = Instant.parse(l.get("at").asText());
      assertFalse(at.isBefore(previous), "instants do not decrease: " + l);
      previous = at;
      assertEquals(
          Duration.between(epoch, at).toMillis() / 1000.0,
          l.get("t").asDouble(),
          1e-9,
          l.toString());
      String entity = l.get("entity").asText();
      long seq = l.get("seq").asLong();
      assertEquals(lastSeq.getOrDefault(entity, 0L) + 1, seq, "sequence of " + entity);
      lastSeq.put(entity, seq);
    }

    // The vehicles' outcomes, as the Director recorded them.
    Map<String, String> outcomeByVin = new TreeMap<>();
    for (JsonNode l : lines) {
      if (!l.get("entity").asText().startsWith("Director|")) {
        continue;
      }
      JsonNode e = l.get("event");
      List<JsonNode> outcomes = new ArrayList<>();
      if (l.get("type").asText().equals("ManifestAccepted")) {
        e.get("closed").forEach(outcomes::add);
      } else if (l.get("type").asText().equals("AssignmentTimedOut")) {
        outcomes.add(e.get("outcome"));
      }
      for (JsonNode o : outcomes) {
        if (o.get("campaignId").asText().equals(campaignId)) {
          outcomeByVin.put(o.get("vin").asText(), o.get("outcome").asText());
        }
      }
    }
    assertEquals(20, outcomeByVin.size(), outcomeByVin.toString());
    Map<String, Integer> counted = new TreeMap<>();
    outcomeByVin.values().forEach(o -> counted.merge(o, 1, Integer::sum));
    campaign
        .get("outcomes")
        .fields()
        .forEachRemaining(
            f ->
                assertEquals(
                    f.getValue().asInt(),
                    counted.getOrDefault(f.getKey(), 0),
                    "vehicles " + f.getKey() + " " + counted));

    // The vehicles updated and their update times, from their own events.
    Map<String, Instant> found = new HashMap<>();
    Map<String, Duration> times = new TreeMap<>();
    for (JsonNode l : lines) {
      String entity = l.get("entity").asText();
      if (!entity.startsWith("Vehicle|")) {
        continue;
      }
      String vin = entity.substring("Vehicle|".length());
      Instant at = Instant.parse(l.get("at").asText());
      switch (l.get("type").asText()) {
        case "UpdateFound" -> found.put(vin, at);
        case "UpdateFinished" -> {
          JsonNode record = l.get("event").get("record");
          // The vehicle's own account agrees with the journal's instants.
          assertEquals(found.get(vin), Instant.parse(record.get("startedAt").asText()), vin);
          assertEquals(at, Instant.parse(record.get("finishedAt").asText()), vin);
          if (record.get("campaignId").asText().equals(campaignId)
              && record.get("outcome").asText().equals("SUCCEEDED")) {
            times.put(vin, Duration.between(found.get(vin), at));
          }
        }
        default -> {}
      }
    }
    TreeSet<String> succeeded = new TreeSet<>();
    outcomeByVin.forEach(
        (vin, o) -> {
          if (o.equals("SUCCEEDED")) {
            succeeded.add(vin);
          }
        });
    assertEquals(succeeded, new TreeSet<>(times.keySet()));
    JsonNode updateTime = campaign.get("updateTimeSimulated");
    assertEquals(updateTime.get("samples").asInt(), times.size());
    assertEquals(campaign.get("verifiedAtVersion").asInt(), times.size());
    List<Duration> sorted = new ArrayList<>(times.values());
    Collections.sort(sorted);
    assertEquals(updateTime.get("p50Seconds").asDouble(), seconds(rank(sorted, 50)), 1e-9);
    assertEquals(updateTime.get("p90Seconds").asDouble(), seconds(rank(sorted, 90)), 1e-9);
    assertEquals(
        updateTime.get("maxSeconds").asDouble(), seconds(sorted.get(sorted.size() - 1)), 1e-9);

    // The campaign's simulated duration: its Started to its Completed.
    Instant started = null;
    Instant completed = null;
    for (JsonNode l : lines) {
      if (l.get("entity").asText().equals("Campaign|" + campaignId)) {
        Instant at = Instant.parse(l.get("at").asText());
        switch (l.get("type").asText()) {
          case "Started" -> started = at;
          case "Completed" -> completed = at;
          default -> {}
        }
        if (l.get("event").has("at")) {
          assertEquals(at, Instant.parse(l.get("event").get("at").asText()), l.toString());
        }
      }
    }
    assertNotNull(started, campaignId + " Started");
    assertNotNull(completed, campaignId + " Completed");
    assertEquals(
        campaign.get("simulatedSeconds").asDouble(),
        seconds(Duration.between(started, completed)),
        1e-9);
  }

  /** Nearest rank, as the report computes it. */
  static Duration rank(List<Duration> sorted, int percent) {
    int n = (int) Math.ceil(percent / 100.0 * sorted.size());
    return sorted.get(Math.max(0, n - 1));
  }

  static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  JsonNode report() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("reports"))) {
      Path json = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
      return JSON.readTree(json.toFile());
    }
  }
}
