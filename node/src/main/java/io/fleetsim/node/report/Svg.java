package io.fleetsim.node.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Scales, ticks and the few SVG shapes the report's charts are made of. One instance draws one
 * chart: a legend on top, then a plot area with axes.
 */
final class Svg {

  /** Okabe–Ito: distinguishable with the common colour-vision deficiencies, readable on white. */
  static final String[] PALETTE = {
    "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000"
  };

  static final double CHAR_WIDTH = 7; // 12 px sans-serif, approximately

  /** A linear map from a domain of values to a range of pixels. */
  record Scale(double d0, double d1, double r0, double r1) {
    double map(double v) {
      return d1 == d0 ? r0 : r0 + (v - d0) * (r1 - r0) / (d1 - d0);
    }
  }

  /** A legend entry; dashed entries stand for a line style rather than a series colour. */
  record Item(String label, String color, boolean dashed) {}

  final String name;
  final String title;
  final int width;
  final int height;
  final double left;
  final double right;
  final double top;
  final double bottom;
  private final StringBuilder b = new StringBuilder();

  /**
   * Starts a chart {@code width} pixels wide with a plot area {@code plotHeight} pixels high below
   * the legend, leaving {@code leftMargin} pixels for the y axis' labels.
   */
  Svg(String name, String title, int width, int plotHeight, double leftMargin, List<Item> legend) {
    this.name = name;
    this.title = title;
    this.width = width;
    this.left = leftMargin;
    this.right = width - 20;
    this.top = legend(legend) + 10;
    this.bottom = top + plotHeight;
    this.height = (int) Math.ceil(bottom + 40);
  }

  /** Draws the legend in rows from the top left; returns where the rows end. */
  private double legend(List<Item> items) {
    double x = left;
    double y = 14;
    for (Item i : items) {
      double w = 22 + i.label().length() * CHAR_WIDTH + 14;
      if (x + w > right && x > left) {
        x = left;
        y += 18;
      }
      line(x, y - 4, x + 16, y - 4, i.color(), i.dashed() ? 2.5 : 3, i.dashed());
      text(x + 22, y, i.label(), "start", "legend");
      x += w;
    }
    return items.isEmpty() ? 0 : y + 8;
  }

  /** A y scale from 0 to at least {@code max}, ending on a tick. */
  Scale yScale(List<Double> ticks) {
    return new Scale(0, ticks.get(ticks.size() - 1), bottom, top);
  }

  Scale xScale(double max) {
    return new Scale(0, max, left, right);
  }

  /** Axes with grid lines, tick labels and axis titles. */
  void axes(
      Scale x,
      List<Double> xTicks,
      DoubleFunction<String> xLabel,
      String xTitle,
      Scale y,
      List<Double> yTicks,
      DoubleFunction<String> yLabel,
      String yTitle) {
    for (double t : yTicks) {
      double py = y.map(t);
      line(left, py, right, py, "#e3e3e3", 1, false);
      text(left - 6, py + 4, yLabel.apply(t), "end", "tick");
    }
    for (double t : xTicks) {
      double px = x.map(t);
      line(px, bottom, px, bottom + 5, "#555", 1, false);
      text(px, bottom + 18, xLabel.apply(t), "middle", "tick");
    }
    line(left, bottom, right, bottom, "#555", 1, false);
    line(left, top, left, bottom, "#555", 1, false);
    text((left + right) / 2, height - 6, xTitle, "middle", "axis");
    if (!yTitle.isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT,
              "<text class=\"axis\" transform=\"translate(12 %.1f) rotate(-90)\""
                  + " text-anchor=\"middle\">%s</text>\n",
              (top + bottom) / 2,
              esc(yTitle)));
    }
  }

  void line(double x1, double y1, double x2, double y2, String color, double w, boolean dashed) {
    b.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                + " stroke-width=\"%s\"%s/>\n",
            x1,
            y1,
            x2,
            y2,
            color,
            num(w),
            dashed ? " stroke-dasharray=\"6 4\"" : ""));
  }

  /** A line through {@code xs[i], ys[i]} in pixels, with a tooltip. */
  void polyline(double[] xs, double[] ys, String color, boolean dashed, String tooltip) {
    StringBuilder p = new StringBuilder();
    for (int i = 0; i < xs.length; i++) {
      p.append(String.format(Locale.ROOT, "%s%.1f,%.1f", i == 0 ? "" : " ", xs[i], ys[i]));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"><title>%s"
                + "</title></polyline>\n",
            color,
            dashed ? " stroke-dasharray=\"6 4\"" : "",
            p,
            esc(tooltip)));
  }

  /** A closed area between an upper and a lower line over the same x positions, in pixels. */
  void area(double[] xs, double[] upper, double[] lower, String color, String tooltip) {
    StringBuilder d = new StringBuilder();
    for (int i = 0; i < xs.length; i++) {
      d.append(String.format(Locale.ROOT, "%s%.1f %.1f ", i == 0 ? "M" : "L", xs[i], upper[i]));
    }
    for (int i = xs.length - 1; i >= 0; i--) {
      d.append(String.format(Locale.ROOT, "L%.1f %.1f ", xs[i], lower[i]));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "<path d=\"%sZ\" fill=\"%s\" fill-opacity=\"0.8\" stroke=\"%s\"><title>%s</title>"
                + "</path>\n",
            d,
            color,
            color,
            esc(tooltip)));
  }

  void rect(double x, double y, double w, double h, String color, String tooltip) {
    b.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s"
                + "</title></rect>\n",
            x,
            y,
            Math.max(w, 0.5),
            Math.max(h, 0),
            color,
            esc(tooltip)));
  }

  void text(double x, double y, String s, String anchor, String cls) {
    b.append(
        String.format(
            Locale.ROOT,
            "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n",
            cls,
            x,
            y,
            anchor,
            esc(s)));
  }

  String end() {
    return String.format(
            Locale.ROOT,
            "<svg class=\"chart\" data-chart=\"%s\" role=\"img\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\"><title>%s</title>\n",
            esc(name),
            width,
            height,
            width,
            height,
            esc(title))
        + b
        + "</svg>\n";
  }

  // ---- scales and ticks, independent of drawing ----

  /** The series colour for index {@code i}. */
  static String color(int i) {
    return PALETTE[Math.floorMod(i, PALETTE.length)];
  }

  /** A step of 1, 2 or 5 times a power of ten giving about {@code target} steps over span. */
  static double niceStep(double span, int target) {
    if (!(span > 0)) {
      return 1;
    }
    double raw = span / Math.max(1, target);
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / power * (1 - 1e-9); // 1000 / 5 must give 200, not 500 from 2.0000000000000004
    double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nice * power;
  }

  /** Ticks from 0 to the first tick at or above {@code max}, about {@code target} of them. */
  static List<Double> ticks(double max, int target) {
    return ticks(max, niceStep(max, target));
  }

  /** Integer ticks for counts: the step is at least 1. */
  static List<Double> countTicks(double max, int target) {
    return ticks(max, Math.max(1, niceStep(max, target)));
  }

  private static List<Double> ticks(double max, double step) {
    List<Double> t = new ArrayList<>();
    long n = Math.max(1, (long) Math.ceil(max / step - 1e-9));
    for (long i = 0; i <= n; i++) {
      t.add(i * step);
    }
    return t;
  }

  /** Steps of simulated time that read well in seconds, minutes or hours. */
  private static final double[] TIME_STEPS = {
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400
  };

  /** The step for time ticks over {@code [0, max]} seconds, at most about {@code target} ticks. */
  static double timeStep(double max, int target) {
    for (double s : TIME_STEPS) {
      if (max / s <= target) {
        return s;
      }
    }
    return 86400 * niceStep(max / 86400, target);
  }

  /** Time ticks from 0 to the first tick at or above {@code max} seconds. */
  static List<Double> timeTicks(double max, int target) {
    return ticks(max, timeStep(max, target));
  }

  /**
   * A time in the unit its tick step reads best in: seconds below a minute's step, minutes below an
   * hour's, hours above.
   */
  static String timeLabel(double seconds, double step) {
    if (seconds == 0) {
      return "0";
    }
    if (step < 60) {
      return num(seconds) + " s";
    }
    if (step < 3600) {
      return num(seconds / 60) + " min";
    }
    return num(seconds / 3600) + " h";
  }

  /** A duration for tooltips and tables: 42 s, 3.5 min, 2.1 h. */
  static String duration(double seconds) {
    if (seconds < 120) {
      return num(seconds) + " s";
    }
    if (seconds < 7200) {
      return num(seconds / 60) + " min";
    }
    return num(seconds / 3600) + " h";
  }

  /** A count for a tick label: 950, 25k, 1.5M. */
  static String count(double v) {
    if (Math.abs(v) >= 1_000_000) {
      return num(v / 1_000_000) + "M";
    }
    if (Math.abs(v) >= 10_000) {
      return num(v / 1_000) + "k";
    }
    return num(v);
  }

  /** At most two decimals, none when whole. */
  static String num(double v) {
    double r = Math.round(v * 100) / 100.0;
    if (r == Math.rint(r)) {
      return String.format(Locale.ROOT, "%d", (long) r);
    }
    return String.format(Locale.ROOT, "%.2f", r).replaceAll("0$", "");
  }

  /** Text made safe inside HTML, SVG and attribute values. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder e = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> e.append("&amp;");
        case '<' -> e.append("&lt;");
        case '>' -> e.append("&gt;");
        case '"' -> e.append("&quot;");
        case '\'' -> e.append("&#39;");
        default -> e.append(c);
      }
    }
    return e.toString();
  }
}
