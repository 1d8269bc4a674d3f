package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LibraryChatterTest {

  @Test
  void aProjectionsStopNoticeIsDroppedAndEveryOtherLinePassesThrough() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream target = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    PrintStream out =
        new PrintStream(new LibraryChatter.LineFilter(target), true, StandardCharsets.UTF_8);
    out.println("wave 4/4 — 100.0 %");
    out.println(
        "# stop org.apache.pekko.projection.jdbc.internal.JdbcProjectionImpl$JdbcRunningProjection@1");
    out.print("Campaign adas-1.1.0: ");
    out.flush();
    out.println("COMPLETED");
    assertEquals(
        "wave 4/4 — 100.0 %\nCampaign adas-1.1.0: COMPLETED\n",
        bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
  }
}
