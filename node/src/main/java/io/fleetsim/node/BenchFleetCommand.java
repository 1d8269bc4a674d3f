package io.fleetsim.node;

import io.fleetsim.uptane.bench.CryptoBench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fleetsim bench fleet}: the demo's campaign at a time scale where simulated waits no longer
 * matter, reporting what the node sustains: vehicles updated and journal events written per wall
 * second, and heap per provisioned vehicle.
 */
@Command(
    name = "fleet",
    mixinStandardHelpOptions = true,
    description = {
      "Measures a full campaign over a fresh fleet (the same run as `fleetsim demo`):"
          + " vehicles updated per second, journal events per second, heap bytes per vehicle"
          + " and wall time.",
      "Give the JVM enough heap for large fleets (FLEETSIM_JAVA_OPTS=-Xmx8g)."
    })
final class BenchFleetCommand implements Callable<Integer> {

  static final int JOURNAL_WRITERS = 200;
  static final int JOURNAL_WRITES = 25;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--vehicles",
      defaultValue = "1000",
      description = "Vehicles in the fleet (default: ${DEFAULT-VALUE}).")
  int vehicles;

  @CommandLine.Mixin FleetOptions time;

  @Option(names = "--seed", defaultValue = "42", description = "Scenario seed (default: 42).")
  long seed;

  @Option(
      names = "--data-dir",
      defaultValue = "data/bench",
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
      description = "Wall-clock limit for the campaign (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  /** What the files under {@code dir} take on disk, 0 if it is gone. */
  static long bytesUnder(java.nio.file.Path dir) {
    if (!java.nio.file.Files.isDirectory(dir)) {
      return 0;
    }
    try (var files = java.nio.file.Files.walk(dir)) {
      return files
          .filter(java.nio.file.Files::isRegularFile)
          .mapToLong(f -> f.toFile().length())
          .sum();
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  @Option(
      names = "--waves",
      split = ",",
      paramLabel = "PERCENT",
      description =
          "The campaign's waves as cumulative percentages of the fleet, the last 100 (default:"
              + " 1,10,50,100).")
  List<Double> waves;

  @Option(
      names = "--until-wave",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Stop the campaign (an operator's abort) once its first N waves are counted, to measure"
              + " the start of a rollout over a fleet too large to update whole; 0 (the default)"
              + " runs it to the end.")
  int untilWave;

  /** The standard plan, with the waves and the stop the options ask for; null after an error. */
  CampaignPlan plan() {
    CampaignPlan plan =
        CampaignPlan.standard(vehicles, timeout)
            .withHorizon(time.horizon)
            .withBulkProvisioning(time.bulk(vehicles));
    io.fleetsim.cloud.WavePlan w =
        waves == null
            ? plan.waves()
            : io.fleetsim.cloud.WavePlan.percentages(
                waves.stream().mapToDouble(Double::doubleValue).toArray());
    List<String> problems = new java.util.ArrayList<>(w.problems());
    int count = w.cumulativePercent().size();
    if (untilWave < 0 || untilWave > count) {
      problems.add("--until-wave: must be between 0 and the number of waves (" + count + ")");
    }
    if (!problems.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "fleetsim bench fleet: " + String.join("; ", problems));
    }
    return plan.withWaves(w, untilWave);
  }

  @Override
  public Integer call() throws Exception {
    RunOptions.check(spec, vehicles, time.pace, timeout, time.horizon);
    CampaignPlan plan = plan();
    PrintWriter out = spec.commandLine().getOut();
    RunOptions.wipe(spec, dataDir);
    ProgressLine progress = new ProgressLine(out, ProgressLine.stdoutIsTerminal());
    progress.phase("measuring the Ed25519 floor (3 s, one thread)");
    CryptoBench.Result crypto = CryptoBench.run(Duration.ofSeconds(1), Duration.ofSeconds(2));
    long started = System.nanoTime();
    CampaignRun.Result r;
    JournalFloor.Result journal;
    try (FleetNode node =
        FleetNode.start(
            time.apply(FleetNode.Options.singleNode(dataDir, time.pace, seed), vehicles))) {
      progress.phase(
          "measuring the journal write floor ("
              + JOURNAL_WRITERS
              + " entities x "
              + JOURNAL_WRITES
              + " events, after a warm-up round)");
      journal = JournalFloor.measure(node.system(), JOURNAL_WRITERS, JOURNAL_WRITES);
      r = new CampaignRun(node, plan, progress).run();
    } catch (CampaignRun.RunFailed | IllegalStateException | IllegalArgumentException e) {
      spec.commandLine().getErr().println("fleetsim bench fleet: " + e.getMessage());
      return 1;
    }
    Duration total = Duration.ofNanos(System.nanoTime() - started);
    Report.Files files = Report.write(r, reportDir, "bench-fleet");
    out.println();
    out.println(
        String.format(
            Locale.ROOT,
            "bench fleet: %,d vehicles x %d ECUs, %s, %s",
            r.vehicles(),
            r.ecus() / Math.max(1, r.vehicles()),
            RunOptions.paceText(r.pace()),
            r.succeeded() ? "campaign " + r.campaign().status() : "FAILED: " + r.problem()));
    out.println(
        String.format(
            Locale.ROOT,
            "  updated            %,d of %,d (%,d did not take it, %,d not counted)",
            r.campaign().updated(),
            r.campaign().targeted(),
            r.campaign().unsuccessful(),
            r.campaign().unsettled()));
    out.println(
        String.format(
            Locale.ROOT,
            "  vehicles/s         %.1f (wall, campaign only)",
            r.campaign().vehiclesPerWallSecond()));
    out.println(
        String.format(
            Locale.ROOT,
            "  journal events/s   %,.0f (%,d events during the campaign)",
            r.campaign().journalEventsPerWallSecond(),
            r.campaign().journalEvents()));
    out.println(
        String.format(
            Locale.ROOT,
            "  heap per vehicle   %s idle after provisioning, %s after the campaign"
                + " (in memory then: %s)",
            Report.heap(r.heapBytesPerVehicle()),
            Report.heap(r.heapBytesPerVehicleAfterCampaign()),
            r.entitiesInMemoryAfterCampaign()));
    out.println(
        String.format(
            Locale.ROOT,
            "  wall time          %s campaign, %s provisioning (%,.0f vehicles/s), %s in all",
            Report.duration(r.campaign().wall()),
            Report.duration(r.provisionWall()),
            r.vehicles() / Math.max(1e-9, r.provisionWall().toNanos() / 1e9),
            Report.duration(total)));
    out.println(
        String.format(
            Locale.ROOT,
            "  polls              %,d made, %,d foreseen to find nothing new and not made",
            r.campaign().pollsMade(),
            r.campaign().pollsForeseen()));
    out.println(
        String.format(
            Locale.ROOT,
            "  database           %,.0f MB on disk in %s (journal, snapshots, read model)",
            bytesUnder(dataDir) / 1e6,
            dataDir));
    Percentiles times = r.campaign().updateTime();
    out.println(
        String.format(
            Locale.ROOT,
            "  update time (sim)  p50 %s  p99 %s  max %s",
            Report.duration(times.p50()),
            Report.duration(times.p99()),
            Report.duration(times.max())));
    floors(out, r.campaign(), crypto, journal);
    out.println("  report             " + files.json());
    out.flush();
    return r.succeeded() ? 0 : 1;
  }

  /**
   * What this machine allows at most, and how close the campaign came: the Ed25519 floor (every
   * core doing nothing but the signatures and checks one update really made) and the journal floor
   * (the journal's write rate over the events one update really wrote).
   */
  static void floors(
      PrintWriter out,
      CampaignRun.CampaignFacts c,
      CryptoBench.Result crypto,
      JournalFloor.Result journal) {
    int cores = Runtime.getRuntime().availableProcessors();
    double verifications = c.perUpdate(c.verifications());
    double signatures = c.perUpdate(c.signatures());
    double events = c.perUpdate(c.journalEvents());
    double cryptoSecondsPerUpdate =
        verifications / crypto.verifyPerSecond() + signatures / crypto.signPerSecond();
    double cryptoFloor = cryptoSecondsPerUpdate == 0 ? 0 : cores / cryptoSecondsPerUpdate;
    double journalFloor = events == 0 ? 0 : journal.perSecond() / events;
    double slower = Math.min(cryptoFloor, journalFloor);
    out.println(
        String.format(
            Locale.ROOT,
            "  Ed25519 floor      %,.0f updates/s: %,.0f verifications/s and %,.0f signatures/s per"
                + " core x %d cores, %.1f verifications (%.1f more recalled) and %.1f signatures"
                + " per update",
            cryptoFloor,
            crypto.verifyPerSecond(),
            crypto.signPerSecond(),
            cores,
            verifications,
            c.perUpdate(c.recalled()),
            signatures));
    out.println(
        String.format(
            Locale.ROOT,
            "  journal floor      %,.0f updates/s: %,.0f events/s (%,d events by %d entities at"
                + " once), %.1f events per update",
            journalFloor,
            journal.perSecond(),
            journal.events(),
            JOURNAL_WRITERS,
            events));
    out.println(
        String.format(
            Locale.ROOT,
            "  against the floor  %.1f updates/s = %.0f %% of the slower floor (%s)",
            c.vehiclesPerWallSecond(),
            slower == 0 ? 0 : 100 * c.vehiclesPerWallSecond() / slower,
            cryptoFloor <= journalFloor ? "Ed25519" : "journal"));
  }
}
