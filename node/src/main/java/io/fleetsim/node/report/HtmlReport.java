package io.fleetsim.node.report;

import static io.fleetsim.node.report.Svg.esc;

import io.fleetsim.node.report.RunReport.AttackRow;
import io.fleetsim.node.report.RunReport.FaultPoint;
import io.fleetsim.node.report.RunReport.Settings;
import io.fleetsim.node.report.RunReport.StatePoint;
import io.fleetsim.node.report.RunReport.UpdateTimes;
import io.fleetsim.node.report.RunReport.WavePoint;
import io.fleetsim.node.report.RunReport.WaveSeries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A {@link RunReport} as one self-contained HTML page: the run's settings, then each section as an
 * inline SVG chart drawn here and a table. The page loads nothing: no scripts, fonts or styles from
 * elsewhere, so it opens offline and reads the same in ten years.
 */
public final class HtmlReport {

  static final int WIDTH = 880;
  static final int PLOT_HEIGHT = 240;
  static final String NO_DATA = "<p class=\"nodata\">no data</p>\n";

  private HtmlReport() {}

  /** Writes {@link #render} to {@code file} in UTF-8. */
  public static Path write(RunReport report, Path file) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    return Files.writeString(file, render(report), StandardCharsets.UTF_8);
  }

  /** The whole page. */
  public static String render(RunReport r) {
    return render(r, "");
  }

  /**
   * The whole page, with {@code appendix} (HTML the caller built and escaped, such as a table of
   * every figure) after the charts.
   */
  public static String render(RunReport r, String appendix) {
    StringBuilder b = new StringBuilder();
    b.append(
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>fleetsim report: %s</title>
        <style>
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
               color: #1d1d1f; background: #fff; margin: 2em auto; max-width: 920px; padding: 0 1em; }
        h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { font-size: 1.2em; margin-top: 2em;
             border-bottom: 1px solid #ddd; padding-bottom: .2em; }
        table { border-collapse: collapse; margin: .8em 0; }
        th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: right; }
        th:first-child, td:first-child, table.settings td { text-align: left; }
        th { background: #f4f4f6; }
        svg.chart { display: block; max-width: 100%%; height: auto; margin: .6em 0; }
        svg.chart text { font: 12px system-ui, sans-serif; fill: #333; }
        svg.chart text.axis { fill: #555; }
        .nodata { color: #777; font-style: italic; }
        .fail { color: #b00020; font-weight: 600; } .pass { color: #1b7f3b; }
        </style></head><body>
        """
            .formatted(esc(r.settings().name())));
    settings(b, r.settings());
    section(b, "updates", "Updates over simulated time, per wave", updates(r.waves()));
    section(b, "states", "Vehicles per state over time", states(r.states()));
    section(b, "update-times", "Update-time distribution", updateTimes(r.updateTimes()));
    section(b, "regions", "Results per region", outcomes("regions", "Region", r.byRegion()));
    section(b, "models", "Results per vehicle model", outcomes("models", "Model", r.byModel()));
    section(b, "attacks", "Attacks injected versus detected", attacks(r.attacks()));
    section(b, "faults", "Faults over time", faults(r.faults()));
    section(b, "assertions", "Assertions", assertions(r.assertions()));
    b.append(appendix);
    b.append("</body></html>\n");
    return b.toString();
  }

  private static void section(StringBuilder b, String id, String title, String body) {
    b.append("<section id=\"").append(id).append("\"><h2>").append(esc(title)).append("</h2>\n");
    b.append(body).append("</section>\n");
  }

  static void settings(StringBuilder b, Settings s) {
    b.append("<h1>fleetsim report: ").append(esc(s.name())).append("</h1>\n");
    b.append("<table class=\"settings\">\n");
    row(b, "scenario", s.name());
    row(b, "seed", Long.toString(s.seed()));
    row(
        b,
        "pace",
        s.pace() == 0 ? "as fast as possible" : Svg.num(s.pace()) + " simulated s per wall s");
    row(b, "fleet", String.format(Locale.ROOT, "%,d vehicles", s.fleetSize()));
    s.versions().forEach((k, v) -> row(b, "version " + k, v));
    row(b, "started at", s.startedAt().toString());
    b.append("</table>\n");
  }

  private static void row(StringBuilder b, String key, String value) {
    b.append("<tr><td>").append(esc(key)).append("</td><td>").append(esc(value));
    b.append("</td></tr>\n");
  }

  // ---- charts, one method each ----

  /** Cumulative succeeded (solid) and failed (dashed) per wave, one colour per wave. */
  static String updates(List<WaveSeries> waves) {
    List<WaveSeries> drawn = waves.stream().filter(w -> !w.points().isEmpty()).toList();
    if (drawn.isEmpty()) {
      return NO_DATA;
    }
    List<Svg.Item> legend = new ArrayList<>();
    for (int i = 0; i < drawn.size(); i++) {
      legend.add(new Svg.Item(drawn.get(i).wave(), Svg.color(i), false));
    }
    legend.add(new Svg.Item("succeeded", "#555", false));
    legend.add(new Svg.Item("failed", "#555", true));
    double maxT = 0;
    double maxY = 0;
    for (WaveSeries w : drawn) {
      for (WavePoint p : w.points()) {
        maxT = Math.max(maxT, p.simSeconds());
        maxY = Math.max(maxY, Math.max(p.succeeded(), p.failed()));
      }
    }
    Svg svg = new Svg("updates", "Updates over simulated time", WIDTH, PLOT_HEIGHT, 60, legend);
    Plot plot = timePlot(svg, maxT, maxY, "vehicles");
    StringBuilder table = new StringBuilder(header("Wave", "succeeded", "failed", "last at"));
    for (int i = 0; i < drawn.size(); i++) {
      WaveSeries w = drawn.get(i);
      List<WavePoint> ps = w.points();
      svg.polyline(
          plot.xs(ps, WavePoint::simSeconds),
          plot.ys(ps, p -> (double) p.succeeded()),
          Svg.color(i),
          false,
          w.wave() + " succeeded");
      svg.polyline(
          plot.xs(ps, WavePoint::simSeconds),
          plot.ys(ps, p -> (double) p.failed()),
          Svg.color(i),
          true,
          w.wave() + " failed");
      WavePoint last = ps.get(ps.size() - 1);
      cells(
          table,
          w.wave(),
          count(last.succeeded()),
          count(last.failed()),
          Svg.duration(last.simSeconds()));
    }
    return svg.end() + table + "</table>\n";
  }

  /** Vehicles per state as stacked areas: the top edge is the fleet counted at that time. */
  static String states(List<StatePoint> points) {
    Set<String> names = new LinkedHashSet<>();
    points.forEach(p -> names.addAll(p.counts().keySet()));
    if (points.isEmpty() || names.isEmpty()) {
      return NO_DATA;
    }
    List<String> states = List.copyOf(names);
    List<Svg.Item> legend = new ArrayList<>();
    for (int i = 0; i < states.size(); i++) {
      legend.add(new Svg.Item(states.get(i), Svg.color(i), false));
    }
    double maxT = 0;
    double maxY = 0;
    for (StatePoint p : points) {
      maxT = Math.max(maxT, p.simSeconds());
      maxY = Math.max(maxY, p.counts().values().stream().mapToLong(Long::longValue).sum());
    }
    Svg svg = new Svg("states", "Vehicles per state", WIDTH, PLOT_HEIGHT, 60, legend);
    Plot plot = timePlot(svg, maxT, maxY, "vehicles");
    double[] xs = plot.xs(points, StatePoint::simSeconds);
    double[] below = new double[points.size()];
    for (int s = 0; s < states.size(); s++) {
      String state = states.get(s);
      double[] lower = new double[points.size()];
      double[] upper = new double[points.size()];
      for (int i = 0; i < points.size(); i++) {
        lower[i] = plot.y().map(below[i]);
        below[i] += points.get(i).counts().getOrDefault(state, 0L);
        upper[i] = plot.y().map(below[i]);
      }
      svg.area(xs, upper, lower, Svg.color(s), state);
    }
    StatePoint last = points.get(points.size() - 1);
    StringBuilder table = new StringBuilder(header("State", "at the end"));
    states.forEach(st -> cells(table, st, count(last.counts().getOrDefault(st, 0L))));
    return svg.end() + table + "</table>\n";
  }

  /** A histogram of update durations with the percentiles marked, and the percentiles' table. */
  static String updateTimes(UpdateTimes t) {
    if (t.seconds().isEmpty()) {
      return NO_DATA;
    }
    double max = t.seconds().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    double bin = Svg.niceStep(Math.max(max, 1e-3), 24);
    int bins = (int) Math.max(1, Math.floor(max / bin) + 1);
    long[] counts = new long[bins];
    for (double s : t.seconds()) {
      counts[(int) Math.min(bins - 1, Math.max(0, Math.floor(s / bin)))]++;
    }
    long top = 0;
    for (long c : counts) {
      top = Math.max(top, c);
    }
    List<Svg.Item> legend =
        List.of(
            new Svg.Item("updates per " + Svg.duration(bin) + " bin", Svg.color(0), false),
            new Svg.Item("p50, p90, p99", "#d55e00", true));
    Svg svg = new Svg("update-times", "Update-time distribution", WIDTH, PLOT_HEIGHT, 60, legend);
    double span = bins * bin;
    List<Double> xTicks = Svg.timeTicks(span, 10);
    double step = xTicks.size() > 1 ? xTicks.get(1) : span;
    Svg.Scale x = svg.xScale(xTicks.get(xTicks.size() - 1));
    List<Double> yTicks = Svg.countTicks(top, 5);
    Svg.Scale y = svg.yScale(yTicks);
    svg.axes(
        x,
        xTicks,
        v -> Svg.timeLabel(v, step),
        "update time (simulated)",
        y,
        yTicks,
        Svg::count,
        "updates");
    for (int i = 0; i < bins; i++) {
      double x0 = x.map(i * bin);
      double x1 = x.map((i + 1) * bin);
      svg.rect(
          x0 + 0.5,
          y.map(counts[i]),
          x1 - x0 - 1,
          y.map(0) - y.map(counts[i]),
          Svg.color(0),
          String.format(
              Locale.ROOT,
              "%s – %s: %,d",
              Svg.duration(i * bin),
              Svg.duration((i + 1) * bin),
              counts[i]));
    }
    String[] names = {"p50", "p90", "p99"};
    double[] values = {t.p50(), t.p90(), t.p99()};
    for (int i = 0; i < names.length; i++) {
      double px = x.map(values[i]);
      svg.line(px, svg.top, px, svg.bottom, "#d55e00", 1.5, true);
      svg.text(px + 3, svg.top + 12 + 14 * i, names[i], "start", "tick");
    }
    StringBuilder table = new StringBuilder(header("Updates", "p50", "p90", "p99", "max"));
    cells(
        table,
        count(t.seconds().size()),
        Svg.duration(t.p50()),
        Svg.duration(t.p90()),
        Svg.duration(t.p99()),
        Svg.duration(t.max()));
    return svg.end() + table + "</table>\n";
  }

  /** Outcomes per region or model: grouped bars, then the same counts as a table. */
  static String outcomes(String chart, String what, Map<String, Map<String, Long>> data) {
    if (data.values().stream().allMatch(Map::isEmpty)) {
      return NO_DATA;
    }
    List<String> series = keys(data.values());
    StringBuilder table = new StringBuilder(header(prepend(what, series, "total")));
    data.forEach(
        (name, m) -> {
          List<String> cells = new ArrayList<>(List.of(name));
          series.forEach(s -> cells.add(count(m.getOrDefault(s, 0L))));
          cells.add(count(m.values().stream().mapToLong(Long::longValue).sum()));
          cells(table, cells.toArray(String[]::new));
        });
    return groupedBars(chart, "Results per " + what.toLowerCase(Locale.ROOT), series, data)
        + table
        + "</table>\n";
  }

  /** Per attack: injected, detected and undetected as bars; the table adds each check's share. */
  static String attacks(List<AttackRow> rows) {
    if (rows.isEmpty()) {
      return NO_DATA;
    }
    Map<String, Map<String, Long>> bars = new LinkedHashMap<>();
    for (AttackRow a : rows) {
      bars.put(
          a.attack(),
          Map.of("injected", a.injected(), "detected", a.detected(), "undetected", a.undetected()));
    }
    String svg =
        groupedBars(
            "attacks",
            "Attacks injected versus detected",
            List.of("injected", "detected", "undetected"),
            bars);
    List<String> checks = keys(rows.stream().map(AttackRow::detectedBy).toList());
    List<String> head = new ArrayList<>(List.of("Attack", "injected"));
    checks.forEach(c -> head.add("detected by " + c));
    head.add("undetected");
    StringBuilder table = new StringBuilder(header(head.toArray(String[]::new)));
    for (AttackRow a : rows) {
      table.append("<tr><td>").append(esc(a.attack())).append("</td><td>");
      table.append(count(a.injected())).append("</td>");
      checks.forEach(
          c ->
              table
                  .append("<td>")
                  .append(count(a.detectedBy().getOrDefault(c, 0L)))
                  .append("</td>"));
      table
          .append(a.undetected() > 0 ? "<td class=\"fail\">" : "<td>")
          .append(count(a.undetected()))
          .append("</td></tr>\n");
    }
    return svg + table + "</table>\n";
  }

  /** Active rules or injections per fault kind, as step lines: a count holds until the next. */
  static String faults(List<FaultPoint> points) {
    List<String> kinds = keys(points.stream().map(FaultPoint::active).toList());
    if (points.isEmpty() || kinds.isEmpty()) {
      return NO_DATA;
    }
    List<Svg.Item> legend = new ArrayList<>();
    for (int i = 0; i < kinds.size(); i++) {
      legend.add(new Svg.Item(kinds.get(i), Svg.color(i), false));
    }
    double maxT = 0;
    double maxY = 0;
    for (FaultPoint p : points) {
      maxT = Math.max(maxT, p.simSeconds());
      for (long v : p.active().values()) {
        maxY = Math.max(maxY, v);
      }
    }
    Svg svg = new Svg("faults", "Faults over time", WIDTH, PLOT_HEIGHT, 60, legend);
    Plot plot = timePlot(svg, maxT, maxY, "active");
    StringBuilder table = new StringBuilder(header("Fault kind", "most active at once"));
    for (int k = 0; k < kinds.size(); k++) {
      String kind = kinds.get(k);
      int n = points.size();
      double[] xs = new double[2 * n - 1];
      double[] ys = new double[2 * n - 1];
      long most = 0;
      for (int i = 0; i < n; i++) {
        long v = points.get(i).active().getOrDefault(kind, 0L);
        most = Math.max(most, v);
        xs[2 * i] = plot.x().map(points.get(i).simSeconds());
        ys[2 * i] = plot.y().map(v);
        if (i + 1 < n) {
          xs[2 * i + 1] = plot.x().map(points.get(i + 1).simSeconds());
          ys[2 * i + 1] = ys[2 * i];
        }
      }
      svg.polyline(xs, ys, Svg.color(k), false, kind);
      cells(table, kind, count(most));
    }
    return svg.end() + table + "</table>\n";
  }

  /** The assertions as written, what was measured, and whether each held. */
  static String assertions(List<RunReport.Assertion> rows) {
    if (rows.isEmpty()) {
      return NO_DATA;
    }
    long held = rows.stream().filter(RunReport.Assertion::passed).count();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<p>%d of %d held.</p>%n", held, rows.size()));
    b.append(header("Assertion", "measured", "result"));
    for (RunReport.Assertion a : rows) {
      b.append("<tr><td>").append(esc(a.text())).append("</td><td>").append(esc(a.measured()));
      b.append(a.passed() ? "</td><td class=\"pass\">held" : "</td><td class=\"fail\">failed");
      b.append("</td></tr>\n");
    }
    return b + "</table>\n";
  }

  // ---- shared drawing ----

  /** The scales of a chart over simulated time, with its axes drawn. */
  record Plot(Svg.Scale x, Svg.Scale y) {
    <T> double[] xs(List<T> points, Function<T, Double> t) {
      return points.stream().mapToDouble(p -> x.map(t.apply(p))).toArray();
    }

    <T> double[] ys(List<T> points, Function<T, Double> v) {
      return points.stream().mapToDouble(p -> y.map(v.apply(p))).toArray();
    }
  }

  static Plot timePlot(Svg svg, double maxT, double maxY, String yTitle) {
    List<Double> xTicks = Svg.timeTicks(maxT, 10);
    double step = xTicks.size() > 1 ? xTicks.get(1) : 1;
    List<Double> yTicks = Svg.countTicks(maxY, 5);
    Svg.Scale x = svg.xScale(xTicks.get(xTicks.size() - 1));
    Svg.Scale y = svg.yScale(yTicks);
    svg.axes(
        x, xTicks, v -> Svg.timeLabel(v, step), "simulated time", y, yTicks, Svg::count, yTitle);
    return new Plot(x, y);
  }

  /**
   * Horizontal bars, one group per category (so long names fit on the left), one bar per series.
   */
  static String groupedBars(
      String chart, String title, List<String> series, Map<String, Map<String, Long>> data) {
    double bar = 12;
    double group = series.size() * bar + 10;
    int longest = data.keySet().stream().mapToInt(String::length).max().orElse(0);
    double left = Math.min(260, 16 + longest * Svg.CHAR_WIDTH);
    List<Svg.Item> legend = new ArrayList<>();
    for (int i = 0; i < series.size(); i++) {
      legend.add(new Svg.Item(series.get(i), Svg.color(i), false));
    }
    Svg svg = new Svg(chart, title, WIDTH, (int) Math.ceil(group * data.size()), left, legend);
    long max = 0;
    for (Map<String, Long> m : data.values()) {
      for (long v : m.values()) {
        max = Math.max(max, v);
      }
    }
    List<Double> xTicks = Svg.countTicks(max, 8);
    Svg.Scale x = svg.xScale(xTicks.get(xTicks.size() - 1));
    for (double t : xTicks) {
      double px = x.map(t);
      svg.line(px, svg.top, px, svg.bottom, "#e3e3e3", 1, false);
      svg.text(px, svg.bottom + 18, Svg.count(t), "middle", "tick");
    }
    int g = 0;
    for (Map.Entry<String, Map<String, Long>> e : data.entrySet()) {
      double y0 = svg.top + g * group + 5;
      svg.text(left - 6, y0 + series.size() * bar / 2 + 4, e.getKey(), "end", "tick");
      for (int i = 0; i < series.size(); i++) {
        long v = e.getValue().getOrDefault(series.get(i), 0L);
        svg.rect(
            x.map(0),
            y0 + i * bar,
            x.map(v) - x.map(0),
            bar - 2,
            Svg.color(i),
            e.getKey() + " " + series.get(i) + ": " + count(v));
      }
      g++;
    }
    svg.line(left, svg.top, left, svg.bottom, "#555", 1, false);
    svg.line(left, svg.bottom, svg.right, svg.bottom, "#555", 1, false);
    svg.text((left + svg.right) / 2, svg.height - 6, "vehicles", "middle", "axis");
    return svg.end();
  }

  private static List<String> keys(java.util.Collection<Map<String, Long>> maps) {
    Set<String> k = new LinkedHashSet<>();
    maps.forEach(m -> k.addAll(m.keySet()));
    return List.copyOf(k);
  }

  private static String[] prepend(String first, List<String> middle, String last) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(middle);
    all.add(last);
    return all.toArray(String[]::new);
  }

  private static String header(String... names) {
    StringBuilder b = new StringBuilder("<table><tr>");
    for (String n : names) {
      b.append("<th>").append(esc(n)).append("</th>");
    }
    return b.append("</tr>\n").toString();
  }

  private static void cells(StringBuilder b, String... values) {
    b.append("<tr>");
    for (String v : values) {
      b.append("<td>").append(esc(v)).append("</td>");
    }
    b.append("</tr>\n");
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
