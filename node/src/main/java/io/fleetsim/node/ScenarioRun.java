package io.fleetsim.node;

import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.cloud.RolloutPolicy;
import io.fleetsim.cloud.WavePlan;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.faults.FaultLedger;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.scenario.Figures;
import io.fleetsim.scenario.Scenario;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a scenario file asks of a run, in the terms {@link CampaignRun} runs: the fleet's shape, the
 * campaign's plan and the timeline's fault rules; and, once it ran, the figures its assertions
 * read. A scenario that uses what the runner cannot do yet is refused up front, naming the field,
 * rather than run as something else.
 */
final class ScenarioRun {

  /** The run a scenario describes. */
  record Mapped(
      Scenario scenario, CampaignPlan plan, FleetShape shape, Scenario.Campaign campaign) {
    List<FaultRule> rules(Instant epoch) {
      return scenario.faultRules(epoch);
    }
  }

  private ScenarioRun() {}

  /** The run of {@code s}; throws IllegalArgumentException naming what is not supported yet. */
  static Mapped map(Scenario s, Duration timeout, Duration horizon) {
    List<String> unsupported = new ArrayList<>();
    if (s.campaigns().size() != 1) {
      unsupported.add(
          "campaigns: one campaign per file (this one has " + s.campaigns().size() + ")");
    }
    Scenario.Campaign c = s.campaigns().get(0);
    if (c.after().isPresent()) {
      unsupported.add("campaigns[0].after");
    }
    if (c.rollbackOnFailure()) {
      unsupported.add("campaigns[0].rollbackOnFailure");
    }
    if (!c.filter().regions().isEmpty()
        || !c.filter().models().isEmpty()
        || c.filter().environment().isPresent()
        || !c.filter().tags().isEmpty()) {
      unsupported.add("campaigns[0].filter: a campaign goes to every vehicle with the ECU type");
    }
    Scenario.Firmware fw =
        s.firmware(c.ecuType(), c.version())
            .orElseThrow(() -> new IllegalArgumentException("no firmware for the campaign"));
    if (fw.releaseCounter() != FleetGenerator.BASE_RELEASE_COUNTER + 1) {
      unsupported.add("firmware: release counter " + fw.releaseCounter() + " (only 2 for now)");
    }
    for (Scenario.VehicleModel m : s.fleet().models().values()) {
      for (Scenario.EcuSlot e : m.ecus()) {
        if (!e.firmware().equals(FleetGenerator.BASE_VERSION)) {
          unsupported.add(
              "fleet.models: installed firmware " + e.firmware() + " (only 1.0.0 for now)");
        }
      }
    }
    if (!unsupported.isEmpty()) {
      throw new IllegalArgumentException(
          "scenario "
              + s.name()
              + " uses what fleetsim run does not run yet: "
              + String.join("; ", unsupported.stream().distinct().toList()));
    }
    List<FleetShape.Model> models = new ArrayList<>();
    s.fleet()
        .models()
        .forEach(
            (name, m) ->
                models.add(
                    new FleetShape.Model(
                        name,
                        m.share(),
                        m.ecus().stream()
                            .map(
                                e ->
                                    new FleetShape.Slot(
                                        EcuType.valueOf(e.ecuType().toUpperCase(Locale.ROOT)),
                                        e.hardwareId(),
                                        transport(e.busKind())))
                            .toList())));
    FleetShape shape =
        new FleetShape(
            s.fleet().regions(), models, s.fleet().networkProfiles(), s.fleet().environments());
    double[] waves = c.waves().stream().mapToDouble(Double::doubleValue).toArray();
    RolloutPolicy policy =
        new RolloutPolicy(
            c.successThreshold() * 100,
            c.failureThreshold() * 100,
            c.soak(),
            c.onFailure() == Scenario.OnFailure.ABORT
                ? RolloutPolicy.OnFailure.ABORT
                : RolloutPolicy.OnFailure.PAUSE,
            c.requireParked(),
            c.requireConsent(),
            c.timeLimit());
    CampaignPlan plan =
        CampaignPlan.standard(s.fleet().size(), timeout)
            .withHorizon(horizon)
            .withCampaign(
                EcuType.valueOf(c.ecuType().toUpperCase(Locale.ROOT)),
                c.version(),
                fw.sizeBytes(),
                WavePlan.percentages(waves),
                policy);
    return new Mapped(s, plan, shape, c);
  }

  static Transport transport(String busKind) {
    return switch (busKind) {
      case "classic-can" -> Transport.CLASSIC_CAN;
      case "can-fd" -> Transport.CAN_FD;
      default -> Transport.DOIP;
    };
  }

  /**
   * The figures of a finished run, by the scopes a scenario names: {@code run} and {@code
   * campaign:<id>} the campaign, {@code wave:<id>:<n>} its n-th wave, {@code region:<name>} its
   * vehicles in that region; {@code ledger} gives the attack counts.
   */
  static Figures figures(Mapped m, CampaignRun.Result r, FaultLedger ledger) {
    CampaignRun.CampaignFacts c = r.campaign();
    List<RunTimeline.Sample> samples = c.timeline().samples();
    List<CampaignProgress.Wave> lastWaves =
        samples.isEmpty() ? List.of() : samples.get(samples.size() - 1).waves();
    return (scope, statistic) -> {
      String campaignScope = "campaign:" + m.campaign().id();
      if (scope.equals("run") || scope.equals(campaignScope)) {
        return campaignFigure(c, statistic, ledger, r);
      }
      if (scope.startsWith("wave:" + m.campaign().id() + ":")) {
        int n = Integer.parseInt(scope.substring(scope.lastIndexOf(':') + 1));
        if (n < 1 || n > lastWaves.size()) {
          return OptionalDouble.empty();
        }
        CampaignProgress.Wave w = lastWaves.get(n - 1);
        Map<String, Long> outcomes = new LinkedHashMap<>();
        w.ended().forEach((o, k) -> outcomes.put(o.name(), (long) k));
        return outcomeFigure(outcomes, w.size(), statistic);
      }
      if (scope.startsWith("region:")) {
        Map<String, Long> outcomes = c.timeline().byRegion().get(scope.substring(7));
        if (outcomes == null) {
          return OptionalDouble.empty();
        }
        long size = outcomes.values().stream().mapToLong(Long::longValue).sum();
        return outcomeFigure(outcomes, size, statistic);
      }
      return OptionalDouble.empty();
    };
  }

  private static OptionalDouble campaignFigure(
      CampaignRun.CampaignFacts c, String statistic, FaultLedger ledger, CampaignRun.Result r) {
    Percentiles p = c.updateTime();
    boolean times = p.count() > 0;
    return switch (statistic) {
      case "successRate" ->
          c.targeted() == 0
              ? OptionalDouble.empty()
              : OptionalDouble.of(
                  (double) c.outcomes().getOrDefault(UpdateOutcome.SUCCEEDED, 0) / c.targeted());
      case "failureCount" -> OptionalDouble.of(c.outcomes().getOrDefault(UpdateOutcome.FAILED, 0));
      case "rollbacks" ->
          OptionalDouble.of(c.outcomes().getOrDefault(UpdateOutcome.ROLLED_BACK, 0));
      case "updateTimeP50" ->
          times ? OptionalDouble.of(Report.seconds(p.p50())) : OptionalDouble.empty();
      case "updateTimeP90" ->
          times ? OptionalDouble.of(Report.seconds(p.p90())) : OptionalDouble.empty();
      case "updateTimeP99" ->
          times ? OptionalDouble.of(Report.seconds(p.p99())) : OptionalDouble.empty();
      case "updateTimeMax" ->
          times ? OptionalDouble.of(Report.seconds(p.max())) : OptionalDouble.empty();
      case "undetectedAttacks" -> OptionalDouble.of(ledger.totals().undetected());
      case "falseAlarms" -> OptionalDouble.of(ledger.totals().falseAlarms());
      case "campaignDuration" -> OptionalDouble.of(Report.seconds(c.simulated()));
      default -> OptionalDouble.empty();
    };
  }

  private static OptionalDouble outcomeFigure(
      Map<String, Long> outcomes, long size, String statistic) {
    return switch (statistic) {
      case "successRate" ->
          size == 0
              ? OptionalDouble.empty()
              : OptionalDouble.of((double) outcomes.getOrDefault("SUCCEEDED", 0L) / size);
      case "failureCount" -> OptionalDouble.of(outcomes.getOrDefault("FAILED", 0L));
      case "rollbacks" -> OptionalDouble.of(outcomes.getOrDefault("ROLLED_BACK", 0L));
      default -> OptionalDouble.empty();
    };
  }
}
