package io.fleetsim.node;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows a {@link CampaignRun} as it goes. On a terminal one line is redrawn in place with {@code
 * \r} a few times a second; elsewhere (a pipe, a CI log) a plain line is printed when the wave or
 * status changes and otherwise every few seconds, so logs stay short.
 */
final class ProgressLine implements CampaignRun.Listener {

  private static final int BAR = 30;
  private static final long TERMINAL_EVERY_NANOS = 200_000_000L;
  private static final long PLAIN_EVERY_NANOS = 5_000_000_000L;

  private final PrintWriter out;
  private final boolean terminal;
  private int drawn;
  private long lastDraw;
  private String lastKey = "";

  ProgressLine(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** Whether stdout is an interactive terminal: only then is redrawing in place readable. */
  static boolean stdoutIsTerminal() {
    return System.console() != null;
  }

  @Override
  public synchronized void phase(String message) {
    endLine();
    out.println("- " + message);
    out.flush();
  }

  @Override
  public synchronized void provisioned(int done, int total) {
    boolean last = done == total;
    if (!last && !due(terminal ? TERMINAL_EVERY_NANOS : PLAIN_EVERY_NANOS)) {
      return;
    }
    String line =
        String.format(Locale.ROOT, "  provisioned %s %,d/%,d", bar(done, 0, total), done, total);
    draw(line);
  }

  @Override
  public synchronized void progress(CampaignRun.Tick t) {
    String key = t.status() + "/" + t.wave();
    boolean changed = !key.equals(lastKey);
    lastKey = key;
    if (!changed && !due(terminal ? TERMINAL_EVERY_NANOS : PLAIN_EVERY_NANOS)) {
      return;
    }
    draw(line(t));
  }

  @Override
  public synchronized void finished() {
    endLine();
  }

  static String line(CampaignRun.Tick t) {
    int bad = t.failed() + t.rolledBack() + t.refused();
    return String.format(
        Locale.ROOT,
        "  %-9s wave %d/%d %s %5.1f%%  updated %,d  updating %,d  queued %,d  failed %,d"
            + "  rolled back %,d  | sim %s  wall %s",
        t.status(),
        Math.max(0, t.wave()) + 1,
        t.waves(),
        bar(t.succeeded(), bad, t.targeted()),
        t.targeted() == 0 ? 0.0 : 100.0 * t.settled() / t.targeted(),
        t.succeeded(),
        t.updating(),
        t.queued(),
        t.failed() + t.refused(),
        t.rolledBack(),
        Report.duration(t.simulated()),
        Report.duration(t.wall()));
  }

  /** {@code [#####x.....]}: '#' updated, 'x' failed or rolled back, '.' still to go. */
  static String bar(int ok, int bad, int total) {
    int okCells = total == 0 ? 0 : (int) ((long) ok * BAR / total);
    int badCells = total == 0 ? 0 : (int) Math.ceil((double) bad * BAR / total);
    badCells = Math.min(badCells, BAR - okCells);
    return "["
        + "#".repeat(okCells)
        + "x".repeat(badCells)
        + ".".repeat(BAR - okCells - badCells)
        + "]";
  }

  private boolean due(long every) {
    return System.nanoTime() - lastDraw >= every;
  }

  private void draw(String line) {
    lastDraw = System.nanoTime();
    if (terminal) {
      // Pad over the previous, possibly longer, line instead of relying on terminal escapes.
      out.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
      drawn = line.length();
    } else {
      out.println(line.strip());
    }
    out.flush();
  }

  private void endLine() {
    if (terminal && drawn > 0) {
      out.println();
      drawn = 0;
    }
  }
}
