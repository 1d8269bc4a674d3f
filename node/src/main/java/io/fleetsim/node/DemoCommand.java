package io.fleetsim.node;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fleetsim demo}: a fresh fleet on an embedded database, one campaign to all of it, a live
 * progress line and a summary with a report to keep.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a complete OTA campaign on a fresh simulated fleet: provisions the vehicles (three"
          + " ECUs each) on an embedded H2 database in --data-dir (wiped first), publishes ADAS"
          + " 1.1.0 and rolls it out in waves of 1 %%, 10 %%, 50 %% and 100 %%.",
      "With --rollback it then rolls the campaign back, as an operator would: the 1.0.0 image is"
          + " published again under a higher release counter and rolled out as a campaign of its"
          + " own to every vehicle the first campaign updated.",
      "Ends with a summary and writes a JSON and an HTML report to --report-dir.",
      "With --attacks it puts each attack on the update chain on its own 1 %% of the fleet and"
          + " prints, after the summary, what each did and which check caught it.",
      "Exit status: 0 when every campaign completed with every vehicle updated (with --attacks:"
          + " when every attack made was caught), 1 otherwise, 2 for bad options."
    })
final class DemoCommand implements Callable<Integer> {

  /** The share of the fleet under each attack with {@code --attacks}. */
  static final double ATTACK_SHARE = 0.01;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--vehicles",
      defaultValue = "1000",
      description = "Vehicles in the fleet (default: ${DEFAULT-VALUE}).")
  int vehicles;

  @CommandLine.Mixin FleetOptions time;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description =
          "Scenario seed; the same seed builds the same fleet (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--data-dir",
      defaultValue = "data/demo",
      description = "Where the H2 journal goes; emptied first (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--report-dir",
      defaultValue = "reports",
      description = "Where the JSON and HTML reports go (default: ${DEFAULT-VALUE}).")
  Path reportDir;

  @Option(
      names = "--timeout",
      defaultValue = "10m",
      converter = RunOptions.DurationConverter.class,
      description = "Wall-clock limit for the campaign, e.g. 90s, 10m (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--attacks",
      description =
          "Attack 1 %% of the fleet with each attack on the update chain (tampered images and"
              + " metadata, an untrusted key, endless data, mix-and-match, rollback, freeze,"
              + " dropped requests, slow retrieval, a partial bundle, a denied image repository,"
              + " an image tampered on the bus) and print,"
              + " after the summary, what each attack did and which check caught it. The campaign then goes on whatever the"
              + " attacked vehicles do; exit status 0 when every attack made was caught.")
  boolean attacks;

  @Option(
      names = "--rollback",
      description = "Roll the campaign back once it completed (a rollback campaign of its own).")
  boolean rollback;

  @Override
  public Integer call() throws Exception {
    RunOptions.check(spec, vehicles, time.pace, timeout, time.horizon);
    PrintWriter out = spec.commandLine().getOut();
    if (RunOptions.wipe(spec, dataDir)) {
      out.println("- wiped the previous demo data in " + dataDir);
    }
    ProgressLine progress = new ProgressLine(out, ProgressLine.stdoutIsTerminal());
    progress.phase(
        String.format(
            "starting a node: %,d vehicles, seed %d, %s, H2 in %s",
            vehicles, seed, RunOptions.paceText(time.pace), dataDir));
    CampaignRun.Result result;
    FleetNode.Options options =
        time.apply(FleetNode.Options.singleNode(dataDir, time.pace, seed), vehicles);
    if (attacks) {
      options = AttackMix.on(options);
    }
    try (FleetNode node = FleetNode.start(options)) {
      CampaignPlan plan =
          CampaignPlan.standard(vehicles, timeout)
              .withHorizon(time.horizon)
              .withRollback(rollback)
              .withBulkProvisioning(time.bulk(vehicles))
              .withAttacks(attacks ? ATTACK_SHARE : 0);
      result = new CampaignRun(node, plan, progress).run();
    } catch (CampaignRun.RunFailed | IllegalStateException | IllegalArgumentException e) {
      spec.commandLine().getErr().println("fleetsim demo: " + e.getMessage());
      return 1;
    }
    out.println();
    out.print(Report.summary(result));
    Report.Files files = Report.write(result, reportDir, "demo");
    out.println("  report        " + files.json() + " and " + files.html());
    out.flush();
    if (!result.succeeded()) {
      spec.commandLine().getErr().println("fleetsim demo: " + result.problem());
      return 1;
    }
    if (attacks) {
      for (AttackMix.Row a : result.attacks()) {
        if (!a.allCaught()) {
          spec.commandLine()
              .getErr()
              .println("fleetsim demo: the " + a.attack() + " attack was not caught every time");
          return 1;
        }
      }
      return 0;
    }
    for (CampaignRun.CampaignFacts c : campaigns(result)) {
      if (c.unsuccessful() > 0) {
        spec.commandLine()
            .getErr()
            .println(
                "fleetsim demo: "
                    + c.unsuccessful()
                    + " vehicles did not take the update of "
                    + c.campaignId());
        return 1;
      }
    }
    return 0;
  }

  private static java.util.List<CampaignRun.CampaignFacts> campaigns(CampaignRun.Result r) {
    java.util.List<CampaignRun.CampaignFacts> all = new java.util.ArrayList<>();
    all.add(r.campaign());
    all.addAll(r.rollbacks());
    return all;
  }
}
