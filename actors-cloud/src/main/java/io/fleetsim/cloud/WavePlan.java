package io.fleetsim.cloud;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a campaign's targets are split into waves. Percentages are cumulative shares of the whole
 * target set (1, 10, 50, 100 means a 1 % canary, then up to 10 %, 50 % and everyone), so the last
 * one must be 100. A canary may instead be a fixed number of vehicles, and a plan may instead be an
 * explicit order of regions.
 */
public record WavePlan(
    Kind kind, int canaryVehicles, List<Double> cumulativePercent, List<String> regionOrder) {

  public enum Kind {
    PERCENTAGES,
    REGIONS
  }

  public WavePlan {
    cumulativePercent = cumulativePercent == null ? List.of() : List.copyOf(cumulativePercent);
    regionOrder = regionOrder == null ? List.of() : List.copyOf(regionOrder);
  }

  /** Cumulative percentages, the first of which is the canary. */
  public static WavePlan percentages(double... cumulative) {
    List<Double> ps = new ArrayList<>();
    for (double p : cumulative) {
      ps.add(p);
    }
    return new WavePlan(Kind.PERCENTAGES, 0, ps, List.of());
  }

  /** A canary of exactly {@code vehicles}, then cumulative percentages of the whole set. */
  public static WavePlan canaryThen(int vehicles, double... cumulative) {
    List<Double> ps = new ArrayList<>();
    for (double p : cumulative) {
      ps.add(p);
    }
    return new WavePlan(Kind.PERCENTAGES, vehicles, ps, List.of());
  }

  public static WavePlan regions(String... order) {
    return new WavePlan(Kind.REGIONS, 0, List.of(), List.of(order));
  }

  /** Problems with the plan itself, each naming the field; empty when valid. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (kind == null) {
      problems.add("waves.kind: must be PERCENTAGES or REGIONS");
      return problems;
    }
    if (kind == Kind.REGIONS) {
      if (regionOrder.isEmpty()) {
        problems.add("waves.regions: must name at least one region");
      }
      if (regionOrder.stream().distinct().count() != regionOrder.size()) {
        problems.add("waves.regions: a region appears twice in " + regionOrder);
      }
      return problems;
    }
    if (canaryVehicles < 0) {
      problems.add("waves.canary: must not be negative, was " + canaryVehicles);
    }
    if (cumulativePercent.isEmpty()) {
      problems.add("waves.percentages: must not be empty");
      return problems;
    }
    double previous = 0;
    for (double p : cumulativePercent) {
      if (!(p > 0 && p <= 100)) {
        problems.add("waves.percentages: each must be within (0..100], was " + p);
        return problems;
      }
      if (p <= previous) {
        problems.add(
            "waves.percentages: must increase (they are cumulative), was " + cumulativePercent);
        return problems;
      }
      previous = p;
    }
    if (previous != 100.0) {
      problems.add(
          "waves.percentages: do not add up to 100 % (last cumulative share was " + previous + ")");
    }
    return problems;
  }

  /**
   * Splits already ordered targets into waves. Cumulative counts are rounded up so a 1 % canary of
   * 50 vehicles is still one vehicle; empty waves are dropped. Region plans need every target to be
   * in one of the listed regions, otherwise the waves would not add up.
   */
  public List<List<String>> split(List<FleetVehicle> orderedTargets) {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    List<List<String>> waves = new ArrayList<>();
    if (kind == Kind.REGIONS) {
      Map<String, List<String>> byRegion = new LinkedHashMap<>();
      regionOrder.forEach(r -> byRegion.put(r, new ArrayList<>()));
      for (FleetVehicle v : orderedTargets) {
        List<String> wave = byRegion.get(v.region());
        if (wave == null) {
          throw new IllegalArgumentException(
              "waves.regions: do not add up, vehicle "
                  + v.vin()
                  + " is in region "
                  + v.region()
                  + " which is not in "
                  + regionOrder);
        }
        wave.add(v.vin());
      }
      byRegion.values().stream().filter(w -> !w.isEmpty()).forEach(waves::add);
      return waves;
    }
    int n = orderedTargets.size();
    int from = 0;
    if (canaryVehicles > 0) {
      int to = Math.min(canaryVehicles, n);
      waves.add(vins(orderedTargets, 0, to));
      from = to;
    }
    for (double p : cumulativePercent) {
      int to = Math.max(from, (int) Math.min(n, Math.ceil(n * p / 100.0 - 1e-9)));
      if (to > from) {
        waves.add(vins(orderedTargets, from, to));
        from = to;
      }
    }
    return waves;
  }

  private static List<String> vins(List<FleetVehicle> vs, int from, int to) {
    return vs.subList(from, to).stream().map(FleetVehicle::vin).toList();
  }
}
