package io.fleetsim.node.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

  static final List<String> CHARTS =
      List.of("updates", "states", "update-times", "regions", "models", "attacks", "faults");

  private static final Pattern SVG =
      Pattern.compile("<svg class=\"chart\" data-chart=\"([^\"]+)\".*?</svg>", Pattern.DOTALL);

  static List<String[]> charts(String html) {
    List<String[]> found = new ArrayList<>();
    Matcher m = SVG.matcher(html);
    while (m.find()) {
      found.add(new String[] {m.group(1), m.group()});
    }
    return found;
  }

  @Test
  void ticksAreRoundNumbersFromZeroToAtLeastTheMaximum() {
    assertEquals(List.of(0.0, 20.0, 40.0, 60.0, 80.0, 100.0), Svg.ticks(95, 5));
    assertEquals(List.of(0.0, 1.0, 2.0, 3.0), Svg.countTicks(3, 5));
    assertEquals(List.of(0.0, 1.0), Svg.countTicks(0, 5));
    assertEquals(0.5, Svg.niceStep(4.2, 10));
    assertEquals(2000.0, Svg.niceStep(9_000, 5));
    assertEquals(200.0, Svg.niceStep(1_000, 5), "no rounding drift up to the next step");
    assertEquals(List.of(0.0, 200.0, 400.0, 600.0, 800.0, 1000.0), Svg.countTicks(1_000, 5));
  }

  @Test
  void timeTicksReadInSecondsMinutesOrHours() {
    assertEquals(5.0, Svg.timeStep(50, 10));
    assertEquals(60.0, Svg.timeStep(600, 10));
    assertEquals(900.0, Svg.timeStep(7_200, 10));
    assertEquals(10_800.0, Svg.timeStep(86_400, 10));
    assertEquals("0", Svg.timeLabel(0, 30));
    assertEquals("90 s", Svg.timeLabel(90, 30));
    assertEquals("2 min", Svg.timeLabel(120, 60));
    assertEquals("15 min", Svg.timeLabel(900, 900));
    assertEquals("3 h", Svg.timeLabel(10_800, 10_800));
    assertEquals("1.5 h", Svg.timeLabel(5_400, 3_600));
    List<Double> t = Svg.timeTicks(7_000, 10);
    assertEquals(0.0, t.get(0));
    assertEquals(7_200.0, t.get(t.size() - 1));
  }

  @Test
  void scalesMapTheDomainOntoTheRange() {
    Svg.Scale y = new Svg.Scale(0, 100, 200, 0);
    assertEquals(200.0, y.map(0));
    assertEquals(100.0, y.map(50));
    assertEquals(0.0, y.map(100));
    assertEquals(7.0, new Svg.Scale(3, 3, 7, 9).map(3), "a flat domain maps to the range start");
  }

  @Test
  void numbersAndDurationsReadShort() {
    assertEquals("3", Svg.num(3.0));
    assertEquals("2.5", Svg.num(2.5));
    assertEquals("0.33", Svg.num(1 / 3.0));
    assertEquals("25k", Svg.count(25_000));
    assertEquals("1.5M", Svg.count(1_500_000));
    assertEquals("42 s", Svg.duration(42));
    assertEquals("3.5 min", Svg.duration(210));
    assertEquals("2.5 h", Svg.duration(9_000));
  }

  @Test
  void percentilesAreNearestRank() {
    List<Double> s = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      s.add((double) i);
    }
    RunReport.UpdateTimes t = RunReport.UpdateTimes.of(s);
    assertEquals(50.0, t.p50());
    assertEquals(90.0, t.p90());
    assertEquals(99.0, t.p99());
    assertEquals(100.0, t.max());
    assertEquals(0.0, RunReport.UpdateTimes.of(List.of()).p99());
  }

  @Test
  void allTextIsEscaped() {
    String html =
        HtmlReport.render(
            RunReport.builder(SampleReports.settings("<script>alert('x')</script> & \"q\""))
                .region("<b>Munich</b>", "SUCCEEDED", 3)
                .assertion("rate < 5 % & \"x\"", "<1>", true)
                .build());
    assertFalse(html.contains("<script>"), "no markup from the data");
    assertFalse(html.contains("<b>"), "no markup from the data");
    assertTrue(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"));
    assertTrue(html.contains("&lt;b&gt;Munich&lt;/b&gt;"));
    assertTrue(html.contains("rate &lt; 5 % &amp; &quot;x&quot;"));
    assertTrue(html.contains("&lt;1&gt;"));
    assertEquals("&amp;&lt;&gt;&quot;&#39;", Svg.esc("&<>\"'"));
  }

  @Test
  void emptySectionsSayNoDataAndDrawNoChart() {
    String html = HtmlReport.render(SampleReports.empty());
    assertEquals(8, count(html, "no data"), "every section");
    assertTrue(charts(html).isEmpty());
    assertTrue(html.contains("seed</td><td>42"), "the settings are still there");
  }

  @Test
  void aSectionWithEmptySeriesSaysNoData() {
    RunReport r =
        new RunReport(
            SampleReports.settings("hollow"),
            List.of(new RunReport.WaveSeries("canary", List.of())),
            List.of(new RunReport.StatePoint(0, java.util.Map.of())),
            RunReport.UpdateTimes.of(List.of()),
            java.util.Map.of("Munich", java.util.Map.of()),
            java.util.Map.of(),
            List.of(),
            List.of(new RunReport.FaultPoint(0, java.util.Map.of())),
            List.of());
    String html = HtmlReport.render(r);
    assertEquals(8, count(html, "no data"));
    assertTrue(charts(html).isEmpty());
  }

  @Test
  void aFullReportHasEveryChartEachDrawnAndWellFormed() throws Exception {
    String html = HtmlReport.render(SampleReports.full());
    List<String[]> charts = charts(html);
    assertEquals(CHARTS, charts.stream().map(c -> c[0]).toList());
    for (String[] c : charts) {
      assertTrue(Pattern.compile("<(path|rect|polyline) ").matcher(c[1]).find(), c[0] + " draws");
      DocumentBuilderFactory.newInstance()
          .newDocumentBuilder()
          .parse(new ByteArrayInputStream(c[1].getBytes(StandardCharsets.UTF_8)));
    }
    assertEquals(0, count(html, "no data"));
    assertTrue(html.contains("1 of 3 held."));
    assertTrue(html.contains("class=\"fail\">1<"), "the undetected rollback stands out");
  }

  @Test
  void theSettingsMakeTheRunReproducible() {
    String html = HtmlReport.render(SampleReports.full());
    for (String s :
        List.of(
            "seed</td><td>42",
            "as fast as possible",
            "1,000 vehicles",
            "version ADAS</td><td>1.0.0 → 1.1.0",
            "2026-12-01T18:00:00Z")) {
      assertTrue(html.contains(s), s);
    }
  }

  @Test
  void thePageLoadsNothing() {
    String html = HtmlReport.render(SampleReports.full());
    assertFalse(html.contains("http:") || html.contains("https:"), "no URL");
    assertFalse(html.contains("<script") || html.contains("<link") || html.contains("@import"));
    assertFalse(html.contains("url("));
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
