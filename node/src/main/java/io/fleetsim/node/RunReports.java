package io.fleetsim.node;

import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.node.report.RunReport;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A run's result as the charts of its HTML report see it ({@link RunReport}). */
final class RunReports {

  private RunReports() {}

  static RunReport of(
      String kind, CampaignRun.Result r, List<io.fleetsim.scenario.Assertion.Result> checked) {
    Map<String, String> versions = new LinkedHashMap<>();
    r.campaigns().forEach(c -> versions.put(c.campaignId(), c.version()));
    String ids = String.join(", ", versions.keySet());
    RunReport.Builder b =
        RunReport.builder(
            new RunReport.Settings(
                "fleetsim " + kind + ": campaign" + (versions.size() > 1 ? "s " : " ") + ids,
                r.seed(),
                r.pace(),
                r.vehicles(),
                versions,
                r.startedAt()));
    // Every campaign is observed at the same instants; at each, the vehicles per state add up
    // over the campaigns rolled out, one that ended counted as it ended. A rollback campaign's
    // vehicles are already counted by the campaign it undoes: its waves are charted, its states
    // not.
    boolean several = r.campaigns().size() > 1;
    java.util.TreeSet<Double> instants = new java.util.TreeSet<>();
    Map<Double, Map<String, Long>> faults = new TreeMap<>();
    List<TreeMap<Double, RunTimeline.Sample>> byCampaign = new java.util.ArrayList<>();
    for (CampaignRun.CampaignFacts c : r.campaigns()) {
      TreeMap<Double, RunTimeline.Sample> samples = new TreeMap<>();
      for (RunTimeline.Sample s : c.timeline().samples()) {
        samples.put(s.simSeconds(), s);
        instants.add(s.simSeconds());
        faults.put(s.simSeconds(), s.faults());
        for (CampaignProgress.Wave w : s.waves()) {
          String wave = (several ? c.campaignId() + " " : "") + "wave " + (w.wave() + 1);
          long failed = 0;
          for (UpdateOutcome o : UpdateOutcome.values()) {
            failed += o == UpdateOutcome.SUCCEEDED ? 0 : w.count(o);
          }
          b.wave(wave, s.simSeconds(), w.count(UpdateOutcome.SUCCEEDED), failed);
        }
      }
      if (c.undoes() == null) {
        byCampaign.add(samples);
      }
    }
    Map<Double, Map<String, Long>> states = new TreeMap<>();
    for (double t : instants) {
      Map<String, Long> at = new LinkedHashMap<>();
      at.put("queued", 0L);
      at.put("updating", 0L);
      for (UpdateOutcome o : UpdateOutcome.values()) {
        at.put(o.name().toLowerCase(Locale.ROOT), 0L);
      }
      for (TreeMap<Double, RunTimeline.Sample> samples : byCampaign) {
        Map.Entry<Double, RunTimeline.Sample> last = samples.floorEntry(t);
        if (last == null) {
          continue;
        }
        for (CampaignProgress.Wave w : last.getValue().waves()) {
          for (UpdateOutcome o : UpdateOutcome.values()) {
            at.merge(o.name().toLowerCase(Locale.ROOT), (long) w.count(o), Long::sum);
          }
          at.merge("queued", (long) w.pending(), Long::sum);
          at.merge("updating", (long) w.inProgress(), Long::sum);
        }
      }
      states.put(t, at);
    }
    states.forEach(b::states);
    faults.forEach(b::faults);
    List<Double> seconds =
        r.rollouts().stream()
            .flatMap(c -> c.updateTimes().values().stream())
            .map(Report::seconds)
            .sorted()
            .toList();
    if (!seconds.isEmpty()) {
      b.updateTimes(RunReport.UpdateTimes.of(seconds));
    }
    for (CampaignRun.CampaignFacts c : r.rollouts()) {
      c.timeline()
          .byRegion()
          .forEach((region, outcomes) -> outcomes.forEach((o, n) -> b.region(region, o, n)));
      c.timeline()
          .byModel()
          .forEach((model, outcomes) -> outcomes.forEach((o, n) -> b.model(model, o, n)));
    }
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
