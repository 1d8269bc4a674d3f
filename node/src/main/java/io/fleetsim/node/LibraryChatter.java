package io.fleetsim.node;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps a library's stray lines off the terminal. Pekko Projections 1.0.0 prints {@code # stop
 * ...JdbcRunningProjection@...} with Scala's {@code println} whenever a JDBC projection stops,
 * which lands in the middle of a run's summary. Scala's {@code Console} takes its output stream
 * from {@code System.out} once, when first used; {@link #install} makes that stream one that drops
 * exactly those lines and passes every other line through to standard output.
 */
final class LibraryChatter {

  static final String PROJECTION_STOP = "# stop org.apache.pekko.projection.";

  private LibraryChatter() {}

  /** Must run before anything uses {@code scala.Console}. */
  static void install() {
    PrintStream out = System.out;
    PrintStream filtered = new PrintStream(new LineFilter(out), true, StandardCharsets.UTF_8);
    System.setOut(filtered);
    try {
      scala.Console$.MODULE$.out(); // captures the filtered stream for Scala's println
    } finally {
      System.setOut(out);
    }
  }

  /** Buffers a line, and forwards it unless it is a projection's stop notice. */
  static final class LineFilter extends OutputStream {
    private final PrintStream target;
    private final StringBuilder line = new StringBuilder();

    LineFilter(PrintStream target) {
      this.target = target;
    }

    @Override
    public synchronized void write(int b) {
      line.append((char) (b & 0xff));
      if (b == '\n') {
        flushLine();
      }
    }

    @Override
    public synchronized void flush() {
      if (line.length() > 0 && !PROJECTION_STOP.startsWith(line.toString())) {
        flushLine();
      }
      target.flush();
    }

    private void flushLine() {
      String s = line.toString();
      line.setLength(0);
      if (!s.startsWith(PROJECTION_STOP)) {
        target.print(new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
      }
    }
  }
}
