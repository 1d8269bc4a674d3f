package io.fleetsim.node;

import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.node.report.RunReport;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A run's result as the charts of its HTML report see it ({@link RunReport}). */
final class RunReports {

  private RunReports() {}

  static RunReport of(
      String kind, CampaignRun.Result r, List<io.fleetsim.scenario.Assertion.Result> checked) {
    CampaignRun.CampaignFacts c = r.campaign();
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put(c.campaignId(), c.version());
    r.rollbacks().forEach(rb -> versions.put(rb.campaignId(), rb.version()));
    RunReport.Builder b =
        RunReport.builder(
            new RunReport.Settings(
                "fleetsim " + kind + ": campaign " + c.campaignId(),
                r.seed(),
                r.pace(),
                r.vehicles(),
                versions,
                r.startedAt()));
    for (RunTimeline.Sample s : c.timeline().samples()) {
      Map<String, Long> states = new LinkedHashMap<>();
      states.put("queued", 0L);
      states.put("updating", 0L);
      for (CampaignProgress.Wave w : s.waves()) {
        long failed = 0;
        for (UpdateOutcome o : UpdateOutcome.values()) {
          if (o != UpdateOutcome.SUCCEEDED) {
            failed += w.count(o);
          }
          states.merge(o.name().toLowerCase(Locale.ROOT), (long) w.count(o), Long::sum);
        }
        states.merge("queued", (long) w.pending(), Long::sum);
        states.merge("updating", (long) w.inProgress(), Long::sum);
        b.wave("wave " + (w.wave() + 1), s.simSeconds(), w.count(UpdateOutcome.SUCCEEDED), failed);
      }
      b.states(s.simSeconds(), states);
      b.faults(s.simSeconds(), s.faults());
    }
    List<Double> seconds = c.updateTimes().values().stream().map(Report::seconds).sorted().toList();
    if (!seconds.isEmpty()) {
      b.updateTimes(RunReport.UpdateTimes.of(seconds));
    }
    c.timeline()
        .byRegion()
        .forEach((region, outcomes) -> outcomes.forEach((o, n) -> b.region(region, o, n)));
    c.timeline()
        .byModel()
        .forEach((model, outcomes) -> outcomes.forEach((o, n) -> b.model(model, o, n)));
    for (AttackMix.Row a : r.attacks()) {
      if (!a.attack().equals(AttackMix.NONE)) {
        b.attack(a.attack(), a.injected(), a.detectedBy(), a.undetected());
      }
    }
    for (io.fleetsim.scenario.Assertion.Result a : checked) {
      b.assertion(
          a.assertion().text(),
          a.measured().isPresent() ? Report.number(a.measured().getAsDouble()) : "no figure",
          a.passed());
    }
    return b.build();
  }
}
