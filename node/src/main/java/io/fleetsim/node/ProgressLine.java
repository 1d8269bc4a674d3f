package io.fleetsim.node;

import io.fleetsim.cloud.Campaign;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows a {@link CampaignRun} as it goes. On a terminal one line is redrawn in place with {@code
 * \r} a few times a second; elsewhere (a pipe, a CI log) a plain line is printed when the wave or
 * status changes and otherwise every few seconds, so logs stay short.
 */
final class ProgressLine implements CampaignRun.Listener {

  private static final int BAR = 20;
  private static final long TERMINAL_EVERY_NANOS = 200_000_000L;
  private static final long PLAIN_EVERY_NANOS = 5_000_000_000L;

  private final PrintWriter out;
  private final boolean terminal;
  private final int width = terminalWidth();
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
  public synchronized void counted(String what, int done, int total) {
    boolean last = done == total;
    if (!last && !due(terminal ? TERMINAL_EVERY_NANOS : PLAIN_EVERY_NANOS)) {
      return;
    }
    String line =
        String.format(Locale.ROOT, "%s %s %,d/%,d", what, bar(done, 0, total), done, total);
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
    draw(terminal ? line(t, width) : line(t));
  }

  @Override
  public synchronized void finished() {
    endLine();
  }

  /** The whole line, however long; pipes get this. */
  static String line(CampaignRun.Tick t) {
    return line(t, Integer.MAX_VALUE);
  }

  /**
   * The line cut to {@code width} by leaving out whole trailing fields, most important first: a
   * line wider than the terminal wraps, and {@code \r} would then redraw only its last part.
   */
  static String line(CampaignRun.Tick t, int width) {
    int bad = t.unsuccessful();
    String head =
        String.format(
            Locale.ROOT,
            "%swave %d/%d %s %5.1f%%",
            t.status() == Campaign.Status.RUNNING ? "" : t.status() + " ",
            Math.max(0, t.wave()) + 1,
            t.waves(),
            bar(t.succeeded(), bad, t.targeted()),
            t.targeted() == 0 ? 0.0 : 100.0 * t.settled() / t.targeted());
    StringBuilder b = new StringBuilder(head.strip());
    for (String field :
        new String[] {
          String.format(Locale.ROOT, "updated %,d", t.succeeded()),
          String.format(Locale.ROOT, "failed %,d", bad - t.count(UpdateOutcome.ROLLED_BACK)),
          String.format(Locale.ROOT, "rolled back %,d", t.count(UpdateOutcome.ROLLED_BACK)),
          String.format(Locale.ROOT, "updating %,d", t.updating()),
          String.format(Locale.ROOT, "queued %,d", t.queued()),
          "sim " + Report.duration(t.simulated()),
          "wall " + Report.duration(t.wall())
        }) {
      if (b.length() + 2 + field.length() > width) {
        break;
      }
      b.append("  ").append(field);
    }
    return b.toString();
  }

  /** Terminal width from {@code COLUMNS} when the shell exports it, else the classic 80. */
  static int terminalWidth() {
    try {
      int columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").trim());
      return columns >= 40 ? columns - 1 : 79;
    } catch (NumberFormatException e) {
      return 79;
    }
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
