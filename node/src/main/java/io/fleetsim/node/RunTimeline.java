package io.fleetsim.node;

import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.vehicle.Vehicle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a campaign's run looked like over simulated time, for the report's charts: its waves' counts
 * at every observation the run makes (the same simulated instants on every run with the seed, so
 * the same seed gives the same charts), the fault rules acting then, and at the end the outcomes
 * per region. Kept small: a few counters per observation, whatever the fleet's size.
 */
final class RunTimeline {

  /** One observation: the simulated seconds since the campaign started, each wave's counts. */
  record Sample(double simSeconds, List<CampaignProgress.Wave> waves, Map<String, Long> faults) {
    Sample {
      waves = List.copyOf(waves);
      faults = Map.copyOf(faults);
    }
  }

  /**
   * The samples in order, the outcomes per region and per vehicle model (name to outcome to
   * vehicles; a vehicle's model is its first tag), and the update times of the vehicles updated,
   * per region.
   */
  record Recorded(
      List<Sample> samples,
      Map<String, Map<String, Long>> byRegion,
      Map<String, Map<String, Long>> byModel,
      Map<String, List<java.time.Duration>> updateTimesByRegion) {
    static final Recorded NONE = new Recorded(List.of(), Map.of(), Map.of(), Map.of());

    Recorded {
      samples = List.copyOf(samples);
      byRegion = Map.copyOf(byRegion);
      byModel = Map.copyOf(byModel);
      updateTimesByRegion = Map.copyOf(updateTimesByRegion);
    }
  }

  private final List<Sample> samples = new ArrayList<>();

  /** The campaign's counts at {@code simSeconds}, with the rules acting at {@code nowMillis}. */
  void sample(double simSeconds, CampaignProgress p, List<FaultRule> rules, long nowMillis) {
    Map<String, Long> active = new TreeMap<>();
    for (FaultRule r : rules) {
      if (r.window().contains(nowMillis)) {
        active.merge(AttackMix.name(r.kind()), 1L, Long::sum);
      }
    }
    samples.add(new Sample(simSeconds, p.waves(), active));
  }

  /**
   * Ends the record: each vehicle's outcome by region, the campaign's reason for one that did not
   * update, SUCCEEDED for one whose successful update of the campaign was read back ({@code
   * updateTimes}, with how long it took); vehicles with neither were not targeted.
   */
  Recorded end(
      List<Vehicle.Spec> fleet, CampaignProgress p, Map<String, java.time.Duration> updateTimes) {
    Map<String, Map<String, Long>> byRegion = new TreeMap<>();
    Map<String, Map<String, Long>> byModel = new TreeMap<>();
    Map<String, List<java.time.Duration>> times = new TreeMap<>();
    for (Vehicle.Spec v : fleet) {
      String reason = p.reasons().get(v.vin());
      java.time.Duration took = updateTimes.get(v.vin());
      if (took != null) {
        times.computeIfAbsent(v.region(), k -> new ArrayList<>()).add(took);
      }
      String outcome =
          reason != null
              ? reason.split(":", 2)[0].toUpperCase(Locale.ROOT)
              : took != null ? UpdateOutcome.SUCCEEDED.name() : null;
      if (outcome != null) {
        byRegion.computeIfAbsent(v.region(), k -> new TreeMap<>()).merge(outcome, 1L, Long::sum);
        String model = v.tags().isEmpty() ? "(none)" : new TreeSet<>(v.tags()).first();
        byModel.computeIfAbsent(model, k -> new TreeMap<>()).merge(outcome, 1L, Long::sum);
      }
    }
    return new Recorded(samples, byRegion, byModel, times);
  }
}
