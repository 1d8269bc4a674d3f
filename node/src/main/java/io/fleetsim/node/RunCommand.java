package io.fleetsim.node;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.faults.FaultLedger;
import io.fleetsim.faults.Faults;
import io.fleetsim.scenario.Assertion;
import io.fleetsim.scenario.Assertions;
import io.fleetsim.scenario.InvalidScenario;
import io.fleetsim.scenario.Scenario;
import io.fleetsim.scenario.ScenarioFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fleetsim run FILE}: validates a scenario file, runs it on a fresh node with live progress,
 * writes its JSON and HTML reports, prints each assertion with what was measured, and exits 0 when
 * all hold, 2 when one fails and 1 for a bad file or bad options (as Gatling does).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a scenario file (see docs/scenarios.md and scenarios/): validates it first, naming the"
          + " line and field of every problem, then builds its fleet on an embedded H2 database in"
          + " --data-dir (wiped first), rolls out its campaigns with its faults and attacks, and"
          + " checks its assertions.",
      "Exit status: 0 when every assertion held, 2 when one failed, 1 for a bad file, a scenario"
          + " the runner cannot run yet, or a run that could not finish."
    })
final class RunCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The scenario file (HOCON).")
  Path file;

  @Option(
      names = "--data-dir",
      defaultValue = "data/run",
      description = "Where the H2 journal goes; emptied first (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--report-dir",
      defaultValue = "reports",
      description = "Where the JSON and HTML reports go (default: ${DEFAULT-VALUE}).")
  Path reportDir;

  @Option(
      names = "--timeout",
      defaultValue = "30m",
      converter = RunOptions.DurationConverter.class,
      description = "Wall-clock limit for each campaign (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--horizon",
      defaultValue = "30d",
      converter = RunOptions.DurationConverter.class,
      description = "Simulated-time limit for each campaign (default: ${DEFAULT-VALUE}).")
  Duration horizon;

  @Option(
      names = "--trace",
      paramLabel = "FILE",
      description =
          "Writes every persisted event of the run to FILE as JSON lines, in journal order.")
  Path trace;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Scenario scenario;
    ScenarioRun.Mapped mapped;
    try {
      scenario = ScenarioFile.parse(file);
      mapped = ScenarioRun.map(scenario, timeout, horizon);
    } catch (InvalidScenario e) {
      err.println("fleetsim run: " + file + " is not a valid scenario:");
      e.errors().forEach(x -> err.println("  " + x));
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("fleetsim run: " + e.getMessage());
      return 1;
    }
    if (RunOptions.wipe(spec, dataDir)) {
      out.println("- wiped the previous run's data in " + dataDir);
    }
    ProgressLine progress = new ProgressLine(out, ProgressLine.stdoutIsTerminal());
    progress.phase(
        String.format(
            "scenario %s: %,d vehicles, seed %d, %s, H2 in %s",
            scenario.name(),
            scenario.fleet().size(),
            scenario.seed(),
            RunOptions.paceText(scenario.pace()),
            dataDir));
    CampaignRun.Result result;
    List<Assertion.Result> checked;
    String traced;
    FleetNode.Options options =
        FleetNode.Options.singleNode(dataDir, scenario.pace(), scenario.seed());
    options = ScenarioRun.vehicleSettings(scenario, options);
    if (!scenario.keyRotations().isEmpty()) {
      options =
          options.with(
              "fleetsim.director.key-rotations",
              scenario.keyRotations().stream()
                  .map(k -> java.util.Map.of("role", k.role(), "after", k.at().toMillis() + "ms"))
                  .toList());
    }
    try (FleetNode node = FleetNode.start(options)) {
      List<io.fleetsim.faults.FaultRule> rules = mapped.rules(SimClock.get(node.system()).epoch());
      result =
          new CampaignRun(node, mapped.plan(), progress, mapped.shape(), rules, mapped.steps())
              .run();
      FaultLedger ledger = Faults.get(node.system()).ledger();
      result = result.withAttacks(AttackMix.fromLedger(ledger));
      checked = Assertions.evaluate(scenario, ScenarioRun.figures(result, ledger));
      traced =
          trace == null ? null : trace + " (" + Trace.write(node, trace, progress) + " events)";
    } catch (CampaignRun.RunFailed | IllegalStateException | IllegalArgumentException e) {
      err.println("fleetsim run: " + e.getMessage());
      return 1;
    }
    out.println();
    out.print(Report.summary(result));
    if (!checked.isEmpty()) {
      out.println("  assertions");
      checked.forEach(a -> out.println("    " + a.text()));
    }
    Report.Files files = Report.write(result, reportDir, scenario.name(), checked);
    out.println("  report        " + files.json() + " and " + files.html());
    if (traced != null) {
      out.println("  trace         " + traced);
    }
    out.flush();
    if (!result.succeeded() && checked.isEmpty()) {
      err.println("fleetsim run: " + result.problem());
      return 1;
    }
    int code = Assertions.exitCode(checked);
    if (code != 0) {
      checked.stream()
          .filter(a -> !a.passed())
          .forEach(a -> err.println("fleetsim run: assertion failed: " + a.text()));
    }
    return code;
  }
}
