package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
  void everyCommandsHelpRendersWithoutWarnings() {
    for (String[] args :
        new String[][] {
          {"--help"},
          {"demo", "--help"},
          {"bench", "--help"},
          {"bench", "fleet", "--help"},
          {"bench", "crypto", "--help"},
          {"uptane", "--help"}
        }) {
      // picocli reports a description it cannot format (an unescaped %) on System.err.
      java.io.PrintStream original = System.err;
      java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
      Run r;
      try {
        System.setErr(new java.io.PrintStream(warnings, true));
        r = run(args);
      } finally {
        System.setErr(original);
      }
      assertEquals(0, r.exit(), String.join(" ", args));
      assertTrue(r.err().isEmpty(), String.join(" ", args) + ": " + r.err());
      assertEquals("", warnings.toString(), String.join(" ", args));
    }
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

  @Test
  void passivationIsAutoOnAboveTenThousandVehiclesAndABadValueIsRefused() {
    FleetOptions t = new FleetOptions();
    t.passivation = FleetOptions.Passivation.auto;
    assertEquals(false, t.passivate(10_000));
    assertEquals(true, t.passivate(10_001));
    t.passivation = FleetOptions.Passivation.on;
    assertEquals(true, t.passivate(10));
    t.passivation = FleetOptions.Passivation.off;
    assertEquals(false, t.passivate(1_000_000));
    t.provisioning = FleetOptions.Provisioning.auto;
    assertEquals(false, t.bulk(10_000));
    assertEquals(true, t.bulk(10_001));
    t.provisioning = FleetOptions.Provisioning.bulk;
    assertEquals(true, t.bulk(10));
    t.provisioning = FleetOptions.Provisioning.entities;
    assertEquals(false, t.bulk(1_000_000));
    Run r = run("demo", "--passivation", "sometimes");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--passivation"), r.err());
  }

  @Test
  void badWavesOrAStopPastTheLastWaveAreRefusedNamingTheOption() {
    Run r = run("bench", "fleet", "--vehicles", "10", "--waves", "1,10");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("waves"), r.err());
    r = run("bench", "fleet", "--vehicles", "10", "--waves", "1,10,100", "--until-wave", "4");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--until-wave"), r.err());
  }

  @Test
  void theFleetOptionsBecomeNodeSettingsAndABadForeseenPollsValueIsRefused() {
    FleetOptions t = new FleetOptions();
    t.passivation = FleetOptions.Passivation.auto;
    t.foreseenPolls = FleetOptions.ForeseenPolls.make;
    FleetNode.Options o = t.apply(FleetNode.Options.singleNode(Path.of("x"), 0, 1), 20_000);
    assertEquals(
        Map.of("fleetsim.passivation.enabled", true, "fleetsim.vehicle.skip-foreseen-polls", false),
        o.settings());
    Run r = run("bench", "fleet", "--foreseen-polls", "never");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--foreseen-polls"), r.err());
  }

  @Test
  void demoHelpDescribesItsOptions() {
    Run r = run("demo", "--help");
    assertEquals(0, r.exit());
    for (String option :
        List.of(
            "--vehicles",
            "--pace",
            "--horizon",
            "--seed",
            "--data-dir",
            "--report-dir",
            "--timeout",
            "--passivation",
            "--foreseen-polls",
            "--attacks",
            "--provisioning")) {
      assertTrue(r.out().contains(option), option + " missing from " + r.out());
    }
    // the help says what became of the old option
    assertTrue(r.out().contains("--time-scale"), r.out());
  }

  @Test
  void benchFleetHelpIsThereAndBenchAloneAsksForASubcommand() {
    Run help = run("bench", "fleet", "--help");
    assertEquals(0, help.exit());
    assertTrue(help.out().contains("journal events per second"), help.out());
    Run bare = run("bench");
    assertEquals(2, bare.exit());
    assertTrue(bare.err().contains("bench needs a subcommand"), bare.err());
  }

  @Test
  void aNegativeVehicleCountIsAClearUsageError() {
    Run r = run("demo", "--vehicles", "-5");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--vehicles must be at least 1, was -5"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    Run bench = run("bench", "fleet", "--vehicles", "0");
    assertEquals(2, bench.exit());
    assertTrue(bench.err().contains("--vehicles must be at least 1, was 0"), bench.err());
  }

  @Test
  void otherBadOptionsAreUsageErrorsToo() {
    assertUsageError(run("demo", "--vehicles", "many"), "--vehicles");
    assertUsageError(run("demo", "--pace", "-3"), "--pace must be 0 (as fast as possible)");
    assertUsageError(run("demo", "--pace", "fast"), "'fast' is not a double");
    assertUsageError(run("demo", "--horizon", "0s"), "--horizon must be positive");
    assertUsageError(run("demo", "--horizon", "forever"), "not a duration");
    // the scaled wall clock is gone, and so is its option
    assertUsageError(run("demo", "--time-scale", "1000"), "--time-scale");
    assertUsageError(run("demo", "--timeout", "soon"), "not a duration");
    assertUsageError(run("demo", "--vehicles", "2000000"), "at most 1,000,000");
  }

  @Test
  void theDemoRefusesToWipeADirectoryThatIsNotItsOwn(@TempDir Path dir) throws Exception {
    Path precious = Files.writeString(dir.resolve("thesis.tex"), "years of work");
    Run r = run("demo", "--vehicles", "5", "--data-dir", dir.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("refusing to wipe"), r.err());
    assertTrue(Files.exists(precious));
  }

  @Test
  void wipingRemovesOnlyFleetsimDatabaseFiles(@TempDir Path dir) throws Exception {
    CommandLine cli = FleetsimCli.commandLine();
    Files.writeString(dir.resolve("fleetsim.mv.db"), "x");
    Files.writeString(dir.resolve("fleetsim.trace.db"), "x");
    assertTrue(RunOptions.wipe(cli.getCommandSpec(), dir));
    try (var left = Files.list(dir)) {
      assertEquals(0, left.count());
    }
    assertFalse(RunOptions.wipe(cli.getCommandSpec(), dir));
    Path fresh = dir.resolve("new/deeper");
    assertFalse(RunOptions.wipe(cli.getCommandSpec(), fresh));
    assertTrue(Files.isDirectory(fresh));
  }

  private static void assertUsageError(Run r, String message) {
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains(message), r.err());
  }
}
