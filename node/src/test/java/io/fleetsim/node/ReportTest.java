package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReportTest {

  static CampaignRun.CampaignFacts facts(
      String id, String undoes, String problem, String version, int updated, int rolledBack) {
    Map<String, Duration> times = new java.util.TreeMap<>();
    for (int i = 1; i <= 100; i++) {
      times.put(String.format("VIN%03d", i), Duration.ofSeconds(i * 60L));
    }
    Map<UpdateOutcome, Integer> outcomes = new EnumMap<>(UpdateOutcome.class);
    outcomes.put(UpdateOutcome.SUCCEEDED, updated);
    outcomes.put(UpdateOutcome.FAILED, 100 - updated - rolledBack);
    outcomes.put(UpdateOutcome.ROLLED_BACK, rolledBack);
    return new CampaignRun.CampaignFacts(
        id,
        undoes,
        problem == null ? Campaign.Status.COMPLETED : Campaign.Status.PAUSED,
        problem,
        version,
        2,
        4,
        100,
        outcomes,
        updated,
        Duration.ofSeconds(20),
        Duration.ofHours(5),
        1234,
        times,
        5000,
        500,
        1300,
        700,
        90,
        2400,
        0,
        new RunTimeline.Recorded(
            List.of(
                new RunTimeline.Sample(
                    60,
                    List.of(
                        new CampaignProgress.Wave(
                            0, 100, 50, 10, Map.of(UpdateOutcome.SUCCEEDED, 40))),
                    Map.of("partition", 1L)),
                new RunTimeline.Sample(
                    120,
                    List.of(
                        new CampaignProgress.Wave(
                            0,
                            100,
                            0,
                            0,
                            Map.of(
                                UpdateOutcome.SUCCEEDED,
                                updated,
                                UpdateOutcome.ROLLED_BACK,
                                rolledBack))),
                    Map.of())),
            Map.of("Munich", Map.of("SUCCEEDED", (long) updated)),
            Map.of("suv", Map.of("SUCCEEDED", (long) updated)),
            Map.of("Munich", List.copyOf(times.values()))),
        Instant.parse("2030-01-02T04:00:00Z"));
  }

  static CampaignRun.Result result(String problem, CampaignRun.CampaignFacts... rollbacks) {
    return new CampaignRun.Result(
        42,
        0,
        100,
        300,
        Duration.ofSeconds(3),
        400,
        70_000,
        5_000,
        Map.of("Vehicle", 0),
        Instant.parse("2030-01-02T03:04:05Z"),
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of(facts("adas-1.1.0", null, problem, "1.1.0", 97, 1)),
                java.util.stream.Stream.of(rollbacks))
            .toList(),
        List.of());
  }

  @Test
  void aHeapFigureTooSmallToMeasureIsSaidSoRatherThanPrintedAsZero() {
    assertEquals("1,794 bytes", Report.heap(1794));
    assertEquals("too little to measure", Report.heap(0));
  }

  @Test
  void aRunStopsAfterAWaveOnlyOnceEveryVehicleOfTheFirstWavesIsCounted() {
    CampaignProgress p =
        new CampaignProgress(
            "c",
            Campaign.Status.RUNNING,
            null,
            1,
            null,
            List.of(
                new CampaignProgress.Wave(0, 10, 0, 0, Map.of(UpdateOutcome.SUCCEEDED, 10)),
                new CampaignProgress.Wave(1, 20, 2, 3, Map.of(UpdateOutcome.SUCCEEDED, 15)),
                new CampaignProgress.Wave(2, 70, 70, 0, Map.of())),
            Map.of(),
            null,
            List.of());
    assertTrue(Rollout.firstWavesCounted(p, 1));
    assertFalse(Rollout.firstWavesCounted(p, 2));
    assertFalse(Rollout.firstWavesCounted(p, 0), "0 means run to the end");
    assertFalse(Rollout.firstWavesCounted(p, 4), "no such wave");
  }

  static CampaignProgress stopped(Campaign.Status status, int pending, int inProgress) {
    return new CampaignProgress(
        "c",
        status,
        null,
        0,
        "failureThreshold",
        List.of(
            new CampaignProgress.Wave(
                0,
                10,
                pending,
                inProgress,
                Map.of(UpdateOutcome.SUCCEEDED, 8 - pending - inProgress, UpdateOutcome.FAILED, 2)),
            new CampaignProgress.Wave(1, 90, 90, 0, Map.of())),
        Map.of(),
        null,
        List.of());
  }

  @Test
  void aStoppedCampaignEndsOnceTheVehiclesOfItsStartedWavesAreCounted() {
    // The vehicles assigned before the abort still update; the waves never started do not.
    assertFalse(Rollout.finished(stopped(Campaign.Status.ABORTED, 0, 1)));
    assertFalse(Rollout.finished(stopped(Campaign.Status.PAUSED, 1, 0)));
    assertTrue(Rollout.finished(stopped(Campaign.Status.ABORTED, 0, 0)));
    assertTrue(Rollout.finished(stopped(Campaign.Status.PAUSED, 0, 0)));
    assertFalse(Rollout.finished(stopped(Campaign.Status.RUNNING, 0, 0)));
    assertTrue(Rollout.finished(stopped(Campaign.Status.ROLLED_BACK, 0, 1)));
  }

  @Test
  void percentilesUseTheNearestRank() {
    List<Duration> times = new ArrayList<>();
    for (int i = 100; i >= 1; i--) {
      times.add(Duration.ofSeconds(i));
    }
    Percentiles p = Percentiles.of(times);
    assertEquals(100, p.count());
    assertEquals(Duration.ofSeconds(50), p.p50());
    assertEquals(Duration.ofSeconds(90), p.p90());
    assertEquals(Duration.ofSeconds(99), p.p99());
    assertEquals(Duration.ofSeconds(100), p.max());
    Percentiles one = Percentiles.of(List.of(Duration.ofSeconds(7)));
    assertEquals(Duration.ofSeconds(7), one.p50());
    assertEquals(Duration.ofSeconds(7), one.p99());
    assertEquals(0, Percentiles.of(List.of()).count());
  }

  @Test
  void aTickSumsTheWaves() {
    CampaignProgress p =
        new CampaignProgress(
            "c",
            Campaign.Status.RUNNING,
            null,
            1,
            null,
            List.of(
                new CampaignProgress.Wave(
                    0, 10, 0, 0, Map.of(UpdateOutcome.SUCCEEDED, 9, UpdateOutcome.FAILED, 1)),
                new CampaignProgress.Wave(
                    1,
                    90,
                    30,
                    20,
                    Map.of(
                        UpdateOutcome.SUCCEEDED,
                        38,
                        UpdateOutcome.ROLLED_BACK,
                        1,
                        UpdateOutcome.REFUSED,
                        1)),
                new CampaignProgress.Wave(2, 100, 100, 0, Map.of())),
            Map.of(),
            null,
            List.of());
    CampaignRun.Tick t = CampaignRun.Tick.of(p, Duration.ofSeconds(1), Duration.ofMinutes(16));
    assertEquals(200, t.targeted());
    assertEquals(47, t.succeeded());
    assertEquals(20, t.updating());
    assertEquals(1, t.count(UpdateOutcome.FAILED));
    assertEquals(1, t.count(UpdateOutcome.ROLLED_BACK));
    assertEquals(1, t.count(UpdateOutcome.REFUSED));
    assertEquals(3, t.unsuccessful());
    assertEquals(50, t.settled());
    assertEquals(130, t.queued());
    assertFalse(t.allSettled());
    assertEquals(3, t.waves());
    String line = ProgressLine.line(t);
    assertTrue(line.startsWith("wave 2/3 ["), line);
    assertTrue(line.contains("updated 47"), line);
    assertTrue(line.contains("sim 16m00s"), line);
    String narrow = ProgressLine.line(t, 79);
    assertTrue(narrow.length() <= 79, narrow);
    assertTrue(narrow.startsWith("wave 2/3 ["), narrow);
    assertTrue(narrow.contains("updated 47  failed 2  rolled back 1"), narrow);
    assertFalse(narrow.contains("wall"), narrow);
  }

  @Test
  void theBarShowsUpdatedAndFailedShares() {
    assertEquals("[" + ".".repeat(20) + "]", ProgressLine.bar(0, 0, 100));
    assertEquals("[" + "#".repeat(10) + ".".repeat(10) + "]", ProgressLine.bar(50, 0, 100));
    assertEquals("[" + "#".repeat(19) + "x" + "]", ProgressLine.bar(99, 1, 100));
    assertEquals("[" + "#".repeat(20) + "]", ProgressLine.bar(7, 0, 7));
    assertEquals("[" + ".".repeat(20) + "]", ProgressLine.bar(0, 0, 0));
  }

  @Test
  void aTerminalGetsOneRedrawnLineAndAPipeGetsPlainLines() {
    StringWriter tty = new StringWriter();
    ProgressLine onTty = new ProgressLine(new PrintWriter(tty), true);
    onTty.counted("provisioned", 10, 10);
    onTty.phase("next");
    assertTrue(tty.toString().startsWith("\rprovisioned"), tty.toString());
    assertTrue(tty.toString().contains("10/10\n- next"), tty.toString());

    StringWriter pipe = new StringWriter();
    ProgressLine onPipe = new ProgressLine(new PrintWriter(pipe), false);
    onPipe.counted("provisioned", 10, 10);
    onPipe.phase("next");
    assertFalse(pipe.toString().contains("\r"), pipe.toString());
    assertTrue(pipe.toString().startsWith("provisioned"), pipe.toString());
  }

  @Test
  void durationsReadShort() {
    assertEquals("830ms", Report.duration(Duration.ofMillis(830)));
    assertEquals("12.4s", Report.duration(Duration.ofMillis(12_400)));
    assertEquals("3m05s", Report.duration(Duration.ofSeconds(185)));
    assertEquals("1h02m", Report.duration(Duration.ofMinutes(62)));
    assertEquals("2d03h", Report.duration(Duration.ofHours(51)));
  }

  @Test
  void theReportFilesCarryTheSameFigures(@TempDir Path dir) throws Exception {
    CampaignRun.Result r = result(null);
    Report.Files files = Report.write(r, dir.resolve("reports"), "demo");
    assertEquals("demo-20300102-030405.json", files.json().getFileName().toString());
    JsonNode json = new ObjectMapper().readTree(files.json().toFile());
    JsonNode c = json.get("campaign");
    assertEquals("adas-1.1.0", c.get("campaignId").asText());
    assertEquals(97, c.get("outcomes").get("SUCCEEDED").asInt());
    assertEquals(1, c.get("outcomes").get("ROLLED_BACK").asInt());
    assertEquals(4.85, c.get("vehiclesUpdatedPerWallSecond").asDouble(), 1e-9);
    assertEquals(250.0, c.get("journalEventsPerWallSecond").asDouble(), 1e-9);
    assertEquals(3000.0, c.get("updateTimeSimulated").get("p50Seconds").asDouble(), 1e-9);
    assertEquals(70_000, json.get("heapBytesPerVehicle").asLong());
    assertEquals(5_000, json.get("heapBytesPerVehicleAfterCampaign").asLong());
    assertEquals(0, json.get("rollbacks").size());
    String html = Files.readString(files.html());
    assertTrue(html.startsWith("<!DOCTYPE html>"), html);
    assertTrue(html.contains("97 of 100 targeted vehicles updated"), html);
    assertTrue(html.contains("campaign.updateTimeSimulated.p99Seconds"), html);
    assertFalse(html.contains("<script"), "self-contained and static");
    // The run's charts, drawn from its timeline, per-vehicle times and regions.
    for (String chart :
        List.of("updates", "states", "update-times", "regions", "models", "faults")) {
      assertTrue(html.contains("data-chart=\"" + chart + "\""), chart);
    }
    String summary = Report.summary(r);
    assertTrue(summary.contains("outcomes      rejected 0 rolled back 1 failed 2"), summary);
    assertTrue(summary.contains("succeeded 97"), summary);
    assertTrue(summary.contains("p50 50m00s"), summary);
    assertTrue(
        summary.contains("polls         90 made, 2,400 foreseen to find nothing new and not made"),
        summary);
  }

  @Test
  void aRollbackIsReportedAsACampaignOfItsOwn(@TempDir Path dir) throws Exception {
    CampaignRun.Result r =
        result(null, facts("adas-1.1.0-rollback-1", "adas-1.1.0", null, "1.0.0+r3", 97, 0));
    String summary = Report.summary(r);
    assertTrue(
        summary.contains("Rollback campaign adas-1.1.0-rollback-1 (undoes adas-1.1.0): COMPLETED"),
        summary);
    assertTrue(
        summary.contains("97 vehicles of the fleet run 1.0.0+r3 (release counter 2)"), summary);
    JsonNode json = new ObjectMapper().readTree(Report.write(r, dir, "demo").json().toFile());
    assertEquals("adas-1.1.0", json.get("rollbacks").get(0).get("undoes").asText());
    String html = Files.readString(dir.resolve("demo-20300102-030405.html"));
    assertTrue(html.contains("rollback of adas-1.1.0"), html);
    assertTrue(html.contains("rollbacks[0].version"), html);
  }

  @Test
  void aProblemIsEscapedInTheHtml(@TempDir Path dir) throws Exception {
    CampaignRun.Result r = result("failureThreshold: <wave 1> & more");
    String html = Files.readString(Report.write(r, dir, "demo").html());
    assertTrue(html.contains("&lt;wave 1&gt; &amp; more"), html);
    assertFalse(html.contains("<wave 1>"), html);
    assertFalse(r.succeeded());
  }

  @Test
  void durationOptionsAcceptShortAndIsoForms() {
    RunOptions.DurationConverter c = new RunOptions.DurationConverter();
    assertEquals(Duration.ofSeconds(90), c.convert("90s"));
    assertEquals(Duration.ofMinutes(10), c.convert("10m"));
    assertEquals(Duration.ofHours(1), c.convert("1h"));
    assertEquals(Duration.ofMillis(500), c.convert("500ms"));
    assertEquals(Duration.ofMinutes(10), c.convert("PT10M"));
    assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("soon"));
    assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("-5m"));
  }
}
