package io.fleetsim.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fleetsim.cloud.Campaign;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of a {@link CampaignRun.Result} for people: a terminal summary, and a JSON file with
 * a small self-contained HTML page beside it showing the same numbers.
 */
public final class Report {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private Report() {}

  /** The two files written. */
  public record Files(Path json, Path html) {}

  /** Ordered name/value pairs; the JSON file, the HTML table and the summary all read these. */
  static Map<String, Object> figures(CampaignRun.Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("completed", r.succeeded());
    m.put("problem", r.problem());
    m.put("startedAt", r.startedAt().toString());
    m.put("seed", r.seed());
    m.put("pace", r.pace());
    m.put("vehicles", r.vehicles());
    m.put("ecus", r.ecus());
    m.put("provisionWallSeconds", seconds(r.provisionWall()));
    m.put("journalEventsProvisioning", r.journalEventsProvisioning());
    m.put("heapBytesPerVehicle", r.heapBytesPerVehicle());
    m.put("heapBytesPerVehicleAfterCampaign", r.heapBytesPerVehicleAfterCampaign());
    m.put("entitiesInMemoryAfterCampaign", r.entitiesInMemoryAfterCampaign());
    m.put("campaign", figures(r.campaign()));
    if (r.rollouts().size() > 1) {
      List<Map<String, Object>> all = new java.util.ArrayList<>();
      r.rollouts().forEach(c -> all.add(figures(c)));
      m.put("campaigns", all);
    }
    List<Map<String, Object>> rollbacks = new java.util.ArrayList<>();
    r.rollbacks().forEach(c -> rollbacks.add(figures(c)));
    m.put("rollbacks", rollbacks);
    if (!r.attacks().isEmpty()) {
      List<Map<String, Object>> attacks = new java.util.ArrayList<>();
      for (AttackMix.Row a : r.attacks()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("attack", a.attack());
        row.put("vehicles", a.vehicles());
        row.put("made", a.injected());
        row.put("caught", a.detected());
        row.put("expectedCheck", a.expectedCheck());
        row.put("caughtBy", a.detectedBy());
        row.put("undetected", a.undetected());
        row.put("notYetAtACheck", a.open());
        row.put("campaignOutcomes", a.campaignOutcomes());
        attacks.add(row);
      }
      m.put("attacks", attacks);
    }
    return m;
  }

  static Map<String, Object> figures(CampaignRun.CampaignFacts c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("campaignId", c.campaignId());
    m.put("undoes", c.undoes());
    m.put("status", c.status().toString());
    m.put("problem", c.problem());
    m.put("version", c.version());
    m.put("releaseCounter", c.releaseCounter());
    m.put("waves", c.waves());
    m.put("targeted", c.targeted());
    Map<String, Object> outcomes = new LinkedHashMap<>();
    for (UpdateOutcome o : UpdateOutcome.values()) {
      outcomes.put(o.name(), c.count(o));
    }
    m.put("outcomes", outcomes);
    m.put("unsettled", c.unsettled());
    m.put("verifiedAtVersion", c.verifiedAtVersion());
    m.put("wallSeconds", seconds(c.wall()));
    m.put("simulatedSeconds", seconds(c.simulated()));
    m.put("simulatedPerWallSecond", round(c.ratio()));
    m.put("clockAdvances", c.clockAdvances());
    Percentiles p = c.updateTime();
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("samples", p.count());
    t.put("p50Seconds", seconds(p.p50()));
    t.put("p90Seconds", seconds(p.p90()));
    t.put("p99Seconds", seconds(p.p99()));
    t.put("maxSeconds", seconds(p.max()));
    m.put("updateTimeSimulated", t);
    m.put("vehiclesUpdatedPerWallSecond", round(c.vehiclesPerWallSecond()));
    m.put("journalEvents", c.journalEvents());
    m.put("journalEventsPerWallSecond", round(c.journalEventsPerWallSecond()));
    m.put("journalEventsPerUpdate", round(c.perUpdate(c.journalEvents())));
    m.put("signaturesPerUpdate", round(c.perUpdate(c.signatures())));
    m.put("verificationsPerUpdate", round(c.perUpdate(c.verifications())));
    m.put("recalledVerificationsPerUpdate", round(c.perUpdate(c.recalled())));
    Map<String, Object> polls = new LinkedHashMap<>();
    polls.put("made", c.pollsMade());
    polls.put("foreseen", c.pollsForeseen());
    m.put("polls", polls);
    m.put("stoppedAfterWave", c.stoppedAfterWave());
    return m;
  }

  /** The summary printed at the end of a run: the fleet, the campaign, then each rollback. */
  public static String summary(CampaignRun.Result r) {
    StringBuilder b = new StringBuilder();
    CampaignRun.CampaignFacts c = r.campaign();
    b.append(title("Campaign", c));
    b.append(
        String.format(
            Locale.ROOT,
            "  fleet         %,d vehicles, %,d ECUs, seed %d, %s%n",
            r.vehicles(),
            r.ecus(),
            r.seed(),
            RunOptions.paceText(r.pace())));
    campaignLines(b, c);
    b.append(
        String.format(
            Locale.ROOT,
            "  throughput    %.1f vehicles/s, %,.0f journal events/s (wall)%n",
            c.vehiclesPerWallSecond(),
            c.journalEventsPerWallSecond()));
    b.append(
        String.format(
            Locale.ROOT,
            "  polls         %,d made, %,d foreseen to find nothing new and not made%n",
            c.pollsMade(),
            c.pollsForeseen()));
    b.append(
        String.format(
            Locale.ROOT,
            "  journal       %,d events to provision, %,d during the campaign%n",
            r.journalEventsProvisioning(),
            c.journalEvents()));
    b.append(
        String.format(
            Locale.ROOT,
            "  heap          %s per idle vehicle (with its ECUs, bus and director record) after"
                + " provisioning, %s after the campaign; provisioning took %s wall%n",
            heap(r.heapBytesPerVehicle()),
            heap(r.heapBytesPerVehicleAfterCampaign()),
            duration(r.provisionWall())));
    for (CampaignRun.CampaignFacts other : r.campaigns().subList(1, r.campaigns().size())) {
      b.append(title(other.undoes() == null ? "Campaign" : "Rollback campaign", other));
      if (other.status() != Campaign.Status.NEW) {
        campaignLines(b, other);
      }
    }
    if (!r.attacks().isEmpty()) {
      b.append(AttackMix.table(r.attacks()));
    }
    return b.toString();
  }

  private static String title(String what, CampaignRun.CampaignFacts c) {
    return String.format(
        Locale.ROOT,
        "%s %s%s: %s%n",
        what,
        c.campaignId(),
        c.undoes() == null ? "" : " (undoes " + c.undoes() + ")",
        c.succeeded() ? c.status() : c.status() + " (" + c.problem() + ")");
  }

  private static void campaignLines(StringBuilder b, CampaignRun.CampaignFacts c) {
    Percentiles p = c.updateTime();
    b.append(
        String.format(
            Locale.ROOT,
            "  targeted      %,d in %d wave%s%n",
            c.targeted(),
            c.waves(),
            c.waves() == 1 ? "" : "s"));
    b.append("  outcomes     ");
    for (UpdateOutcome o : UpdateOutcome.values()) {
      b.append(
          String.format(
              Locale.ROOT,
              " %s %,d",
              o.name().toLowerCase(Locale.ROOT).replace('_', ' '),
              c.count(o)));
    }
    if (c.unsettled() > 0) {
      b.append(String.format(Locale.ROOT, "  not counted %,d", c.unsettled()));
    }
    b.append(System.lineSeparator());
    if (c.stoppedAfterWave() > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "  stopped       after wave %d, as the run asked (--until-wave); the later waves"
                  + " were never assigned%n",
              c.stoppedAfterWave()));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "  running it    %,d vehicles of the fleet run %s (release counter %d) at the end, read back%n",
            c.verifiedAtVersion(),
            c.version(),
            c.releaseCounter()));
    b.append(
        String.format(
            Locale.ROOT,
            "  duration      %s simulated, %s wall: %,.0f simulated s per wall s, clock advanced"
                + " %,d times%n",
            duration(c.simulated()),
            duration(c.wall()),
            c.ratio(),
            c.clockAdvances()));
    b.append(
        String.format(
            Locale.ROOT,
            "  update time   p50 %s  p90 %s  p99 %s  max %s (simulated, %,d vehicles)%n",
            duration(p.p50()),
            duration(p.p90()),
            duration(p.p99()),
            duration(p.max()),
            p.count()));
  }

  /** Writes {@code <kind>-<timestamp>.json} and {@code .html} into {@code dir}. */
  public static Files write(CampaignRun.Result r, Path dir, String kind) throws IOException {
    return write(r, dir, kind, List.of());
  }

  /** As above, with a scenario's assertions and what they measured. */
  static Files write(
      CampaignRun.Result r,
      Path dir,
      String kind,
      List<io.fleetsim.scenario.Assertion.Result> checked)
      throws IOException {
    java.nio.file.Files.createDirectories(dir);
    String base = kind + "-" + STAMP.format(r.startedAt());
    Path json = dir.resolve(base + ".json");
    Path html = dir.resolve(base + ".html");
    Map<String, Object> figures = new LinkedHashMap<>(figures(r));
    if (!checked.isEmpty()) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (io.fleetsim.scenario.Assertion.Result a : checked) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("assertion", a.assertion().text());
        row.put("measured", a.measured().isPresent() ? a.measured().getAsDouble() : null);
        row.put("passed", a.passed());
        rows.add(row);
      }
      figures.put("assertions", rows);
    }
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    java.nio.file.Files.writeString(json, mapper.writeValueAsString(figures) + "\n");
    java.nio.file.Files.writeString(html, html(kind, r, figures, checked), StandardCharsets.UTF_8);
    return new Files(json, html);
  }

  /**
   * The HTML report: the charts of {@link io.fleetsim.node.report.HtmlReport}, then each campaign's
   * summary and every figure of the JSON report.
   */
  static String html(
      String kind,
      CampaignRun.Result r,
      Map<String, Object> figures,
      List<io.fleetsim.scenario.Assertion.Result> checked) {
    StringBuilder rows = new StringBuilder();
    flatten("", figures, rows);
    StringBuilder appendix = new StringBuilder("<h2>Campaigns</h2>\n");
    r.campaigns().forEach(c -> appendix.append(section(c)));
    appendix
        .append("<h2>All figures</h2>\n<table class=\"figures\">\n")
        .append(rows)
        .append("</table>\n");
    return io.fleetsim.node.report.HtmlReport.render(
        RunReports.of(kind, r, checked), appendix.toString());
  }

  /** A campaign's one-line account and its update-time percentiles. */
  private static String section(CampaignRun.CampaignFacts c) {
    if (c.status() == Campaign.Status.NEW) {
      return "<h3>%s</h3>\n<p><b>%s</b></p>\n"
          .formatted(escape(c.campaignId()), escape(c.problem()));
    }
    Percentiles p = c.updateTime();
    return """
        <h3>%1$s%2$s</h3>
        <p><b>%3$s</b>: %4$,d of %5$,d targeted vehicles updated to %6$s in %7$s simulated (%8$s wall);
        update time p50 %9$s, p90 %10$s, p99 %11$s, max %12$s (simulated).</p>
        """
        .formatted(
            escape(c.campaignId()),
            c.undoes() == null ? "" : " (rollback of " + escape(c.undoes()) + ")",
            escape(c.succeeded() ? c.status().toString() : c.status() + ": " + c.problem()),
            c.updated(),
            c.targeted(),
            escape(c.version()),
            escape(duration(c.simulated())),
            escape(duration(c.wall())),
            escape(duration(p.p50())),
            escape(duration(p.p90())),
            escape(duration(p.p99())),
            escape(duration(p.max())));
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Map<String, Object> m, StringBuilder rows) {
    for (var e : m.entrySet()) {
      String name = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> nested) {
        flatten(name + ".", (Map<String, Object>) nested, rows);
      } else if (e.getValue() instanceof List<?> list) {
        for (int i = 0; i < list.size(); i++) {
          Map<String, Object> item =
              list.get(i) instanceof Map<?, ?> nested
                  ? (Map<String, Object>) nested
                  : Map.of("", list.get(i));
          flatten(name + "[" + i + "].", item, rows);
        }
      } else {
        rows.append("<tr><td>")
            .append(escape(name))
            .append("</td><td>")
            .append(escape(String.valueOf(e.getValue())))
            .append("</td></tr>\n");
      }
    }
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  static double seconds(Duration d) {
    return round(d.toNanos() / 1e9);
  }

  private static double round(double d) {
    return Math.round(d * 1000) / 1000.0;
  }

  /** A whole number as such, anything else to at most three decimals. */
  static String number(double d) {
    return d == Math.rint(d)
        ? Long.toString((long) d)
        : java.math.BigDecimal.valueOf(d)
            .setScale(3, java.math.RoundingMode.HALF_UP)
            .stripTrailingZeros()
            .toPlainString();
  }

  /** {@code 1h02m}, {@code 3m05s}, {@code 12.4s} or {@code 830ms}: short and unambiguous. */
  /**
   * A heap figure per vehicle; zero means the fleet's part was below what the collector's noise
   * lets one measure (small fleets: the figure is only meaningful from some 10,000 vehicles).
   */
  static String heap(long bytesPerVehicle) {
    return bytesPerVehicle > 0
        ? String.format(Locale.ROOT, "%,d bytes", bytesPerVehicle)
        : "too little to measure";
  }

  public static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = d.toSeconds();
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, (s % 86_400) / 3600);
  }
}
