package io.fleetsim.node;

import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.cloud.RolloutPolicy;
import io.fleetsim.cloud.TargetFilter;
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
import java.util.Set;

/**
 * What a scenario file asks of a run, in the terms {@link CampaignRun} runs: the fleet's shape, the
 * campaign's plan and the timeline's fault rules; and, once it ran, the figures its assertions
 * read. A scenario that uses what the runner cannot do yet is refused up front, naming the field,
 * rather than run as something else.
 */
final class ScenarioRun {

  /** The run a scenario describes. */
  record Mapped(Scenario scenario, CampaignPlan plan, FleetShape shape, List<CampaignStep> steps) {
    List<FaultRule> rules(Instant epoch) {
      return scenario.faultRules(epoch);
    }
  }

  private ScenarioRun() {}

  /** The run of {@code s}; throws IllegalArgumentException naming what is not supported yet. */
  static Mapped map(Scenario s, Duration timeout, Duration horizon) {
    List<String> unsupported = new ArrayList<>();
    List<CampaignStep> steps = new ArrayList<>();
    for (int i = 0; i < s.campaigns().size(); i++) {
      Scenario.Campaign c = s.campaigns().get(i);
      Scenario.Firmware fw =
          s.firmware(c.ecuType(), c.version())
              .orElseThrow(() -> new IllegalArgumentException("no firmware for " + c.id()));
      if (fw.releaseCounter() != FleetGenerator.BASE_RELEASE_COUNTER + 1) {
        unsupported.add("firmware: release counter " + fw.releaseCounter() + " (only 2 for now)");
      }
      if (unsupported.isEmpty()) {
        steps.add(step(c, fw));
      }
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
    CampaignStep first = steps.get(0);
    CampaignPlan plan =
        CampaignPlan.standard(s.fleet().size(), timeout)
            .withHorizon(horizon)
            .withCampaign(
                first.ecuType(),
                first.version(),
                first.imageBytes(),
                first.waves(),
                first.policy());
    return new Mapped(s, plan, shape, steps);
  }

  /** {@code options} with the drivers of the scenario's fleet: when they consent and park. */
  static FleetNode.Options vehicleSettings(Scenario s, FleetNode.Options options) {
    Scenario.Drive drive = s.fleet().drive();
    FleetNode.Options o =
        options.with("fleetsim.vehicle.consent-delay", s.fleet().consentDelay().toMillis() + "ms");
    if (drive.parkedShare().isPresent()) {
      return o.with("fleetsim.vehicle.drive.parked-share", drive.parkedShare().get());
    }
    return o.with("fleetsim.vehicle.drive.parked-by-hour", drive.parkedByHour());
  }

  /** A campaign of the file as the run starts it. */
  private static CampaignStep step(Scenario.Campaign c, Scenario.Firmware fw) {
    EcuType type = EcuType.valueOf(c.ecuType().toUpperCase(Locale.ROOT));
    Scenario.Filter f = c.filter();
    TargetFilter filter =
        new TargetFilter(
                type.name(),
                f.regions(),
                List.of(),
                List.of(),
                f.environment().orElse(null),
                Set.copyOf(f.tags()))
            .ofModels(f.models());
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
    return new CampaignStep(
        c.id(),
        c.ecuType() + " " + c.version() + " (" + c.id() + ")",
        type,
        c.version(),
        fw.sizeBytes(),
        filter,
        WavePlan.percentages(c.waves().stream().mapToDouble(Double::doubleValue).toArray()),
        policy,
        c.after().orElse(null),
        c.rollbackOnFailure(),
        c.startAt());
  }

  static Transport transport(String busKind) {
    return switch (busKind) {
      case "classic-can" -> Transport.CLASSIC_CAN;
      case "can-fd" -> Transport.CAN_FD;
      default -> Transport.DOIP;
    };
  }

  /**
   * The figures of a finished run, by the scopes a scenario names: {@code run} all its campaigns
   * together (rollback campaigns aside), {@code campaign:<id>} one campaign, {@code wave:<id>:<n>}
   * its n-th wave, {@code region:<name>} the vehicles its campaigns targeted in that region; {@code
   * ledger} gives the attack counts.
   */
  static Figures figures(CampaignRun.Result r, FaultLedger ledger) {
    return (scope, statistic) -> {
      if (scope.equals("run")) {
        return campaignFigure(r.rollouts(), statistic, ledger);
      }
      if (scope.startsWith("campaign:")) {
        return r.campaign(scope.substring("campaign:".length()))
            .map(c -> campaignFigure(List.of(c), statistic, ledger))
            .orElse(OptionalDouble.empty());
      }
      if (scope.startsWith("wave:")) {
        int colon = scope.lastIndexOf(':');
        String id = scope.substring("wave:".length(), Math.max("wave:".length(), colon));
        int n;
        try {
          n = Integer.parseInt(scope.substring(colon + 1));
        } catch (NumberFormatException e) {
          return OptionalDouble.empty();
        }
        List<RunTimeline.Sample> samples =
            r.campaign(id).map(c -> c.timeline().samples()).orElse(List.of());
        List<CampaignProgress.Wave> lastWaves =
            samples.isEmpty() ? List.of() : samples.get(samples.size() - 1).waves();
        if (n < 1 || n > lastWaves.size()) {
          return OptionalDouble.empty();
        }
        CampaignProgress.Wave w = lastWaves.get(n - 1);
        Map<String, Long> outcomes = new LinkedHashMap<>();
        w.ended().forEach((o, k) -> outcomes.put(o.name(), (long) k));
        return outcomeFigure(outcomes, w.size(), statistic);
      }
      if (scope.startsWith("region:")) {
        String region = scope.substring("region:".length());
        Map<String, Long> outcomes = new LinkedHashMap<>();
        List<Duration> times = new ArrayList<>();
        boolean any = false;
        for (CampaignRun.CampaignFacts c : r.rollouts()) {
          Map<String, Long> o = c.timeline().byRegion().get(region);
          if (o != null) {
            any = true;
            o.forEach((k, v) -> outcomes.merge(k, v, Long::sum));
          }
          times.addAll(c.timeline().updateTimesByRegion().getOrDefault(region, List.of()));
        }
        if (!any) {
          return OptionalDouble.empty();
        }
        OptionalDouble time = timeFigure(Percentiles.of(times), statistic);
        if (time != null) {
          return time;
        }
        long size = outcomes.values().stream().mapToLong(Long::longValue).sum();
        return outcomeFigure(outcomes, size, statistic);
      }
      return OptionalDouble.empty();
    };
  }

  /** A statistic over {@code cs} together: their targets, outcomes and update times summed. */
  private static OptionalDouble campaignFigure(
      List<CampaignRun.CampaignFacts> cs, String statistic, FaultLedger ledger) {
    long targeted = 0;
    Map<UpdateOutcome, Long> outcomes = new java.util.EnumMap<>(UpdateOutcome.class);
    List<Duration> times = new ArrayList<>();
    Instant first = null;
    Instant last = null;
    for (CampaignRun.CampaignFacts c : cs) {
      targeted += c.targeted();
      c.outcomes().forEach((o, n) -> outcomes.merge(o, (long) n, Long::sum));
      times.addAll(c.updateTimes().values());
      if (c.simulatedStart() != null) {
        Instant end = c.simulatedStart().plus(c.simulated());
        first = first == null || c.simulatedStart().isBefore(first) ? c.simulatedStart() : first;
        last = last == null || end.isAfter(last) ? end : last;
      }
    }
    OptionalDouble time = timeFigure(Percentiles.of(times), statistic);
    if (time != null) {
      return time;
    }
    return switch (statistic) {
      case "successRate" ->
          targeted == 0
              ? OptionalDouble.empty()
              : OptionalDouble.of(
                  (double) outcomes.getOrDefault(UpdateOutcome.SUCCEEDED, 0L) / targeted);
      case "failureCount" -> OptionalDouble.of(outcomes.getOrDefault(UpdateOutcome.FAILED, 0L));
      case "rollbacks" -> OptionalDouble.of(outcomes.getOrDefault(UpdateOutcome.ROLLED_BACK, 0L));
      case "undetectedAttacks" -> OptionalDouble.of(ledger.totals().undetected());
      case "falseAlarms" -> OptionalDouble.of(ledger.totals().falseAlarms());
      case "campaignDuration" ->
          first == null
              ? OptionalDouble.empty()
              : OptionalDouble.of(Report.seconds(Duration.between(first, last)));
      default -> OptionalDouble.empty();
    };
  }

  /**
   * An update-time statistic of {@code p} (empty when nothing was updated); null for a statistic
   * that is not one.
   */
  private static OptionalDouble timeFigure(Percentiles p, String statistic) {
    Duration d =
        switch (statistic) {
          case "updateTimeP50" -> p.p50();
          case "updateTimeP90" -> p.p90();
          case "updateTimeP99" -> p.p99();
          case "updateTimeMax" -> p.max();
          default -> null;
        };
    if (d == null) {
      return null;
    }
    return p.count() == 0 ? OptionalDouble.empty() : OptionalDouble.of(Report.seconds(d));
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
