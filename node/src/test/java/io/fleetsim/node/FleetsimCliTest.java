package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FleetsimCliTest {

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    CommandLine cli = FleetsimCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void helpListsTheCommands() {
    Run r = run("--help");
    assertEquals(0, r.exit());
    assertTrue(r.out().contains("Usage: fleetsim"), r.out());
  }

  @Test
  void versionNamesTheProject() {
    Run r = run("--version");
    assertEquals(0, r.exit());
    assertTrue(r.out().startsWith("fleetsim "), r.out());
  }

  @Test
  void unknownCommandIsAClearErrorNotAStackTrace() {
    Run r = run("frobnicate");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("Unmatched argument") || r.err().contains("Unknown"), r.err());
    assertTrue(!r.err().contains("Exception"), r.err());
  }
}
