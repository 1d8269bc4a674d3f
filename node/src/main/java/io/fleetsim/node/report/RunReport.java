package io.fleetsim.node.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a run's report shows, independent of how it is drawn: the run's settings, then one series or
 * table per section. Every list and map keeps its order (maps are shown in insertion order) and is
 * copied; any section may be empty, and the report then says "no data" for it.
 *
 * <p>Build one with {@link #builder(Settings)}; times are simulated seconds since the run began.
 */
public record RunReport(
    Settings settings,
    List<WaveSeries> waves,
    List<StatePoint> states,
    UpdateTimes updateTimes,
    Map<String, Map<String, Long>> byRegion,
    Map<String, Map<String, Long>> byModel,
    List<AttackRow> attacks,
    List<FaultPoint> faults,
    List<Assertion> assertions) {

  public RunReport {
    Objects.requireNonNull(settings, "settings");
    waves = List.copyOf(waves);
    states = List.copyOf(states);
    updateTimes = updateTimes == null ? UpdateTimes.NONE : updateTimes;
    byRegion = nested(byRegion);
    byModel = nested(byModel);
    attacks = List.copyOf(attacks);
    faults = List.copyOf(faults);
    assertions = List.copyOf(assertions);
  }

  /**
   * What makes the run reproducible: its name, seed, pace (simulated seconds per wall second, 0 for
   * as fast as possible), fleet size, firmware versions (for example "ADAS" to "1.0.0 → 1.1.0") and
   * when it started.
   */
  public record Settings(
      String name,
      long seed,
      double pace,
      int fleetSize,
      Map<String, String> versions,
      Instant startedAt) {
    public Settings {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(startedAt, "startedAt");
      versions = ordered(versions);
    }
  }

  /** One point of a wave's progress: cumulative vehicles succeeded and failed by then. */
  public record WavePoint(double simSeconds, long succeeded, long failed) {}

  /** A wave's progress over simulated time, by the wave's name ("canary", "wave 2", ...). */
  public record WaveSeries(String wave, List<WavePoint> points) {
    public WaveSeries {
      Objects.requireNonNull(wave, "wave");
      points = List.copyOf(points);
    }
  }

  /** How many vehicles were in each state (idle, downloading, installing, ...) at a time. */
  public record StatePoint(double simSeconds, Map<String, Long> counts) {
    public StatePoint {
      counts = ordered(counts);
    }
  }

  /** Every update's duration in simulated seconds, with its percentiles. */
  public record UpdateTimes(List<Double> seconds, double p50, double p90, double p99, double max) {
    static final UpdateTimes NONE = new UpdateTimes(List.of(), 0, 0, 0, 0);

    public UpdateTimes {
      seconds = List.copyOf(seconds);
    }

    /** The durations with nearest-rank percentiles computed from them. */
    public static UpdateTimes of(List<Double> seconds) {
      double[] s = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new UpdateTimes(
          seconds,
          rank(s, 0.50),
          rank(s, 0.90),
          rank(s, 0.99),
          s.length == 0 ? 0 : s[s.length - 1]);
    }

    static double rank(double[] sorted, double q) {
      if (sorted.length == 0) {
        return 0;
      }
      int i = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
  }

  /** One attack: how often it was injected, which check caught it how often, how many got by. */
  public record AttackRow(
      String attack, long injected, Map<String, Long> detectedBy, long undetected) {
    public AttackRow {
      Objects.requireNonNull(attack, "attack");
      detectedBy = ordered(detectedBy);
    }

    public long detected() {
      return detectedBy.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** The faults active at a time: fault kind to the number of active rules or injections. */
  public record FaultPoint(double simSeconds, Map<String, Long> active) {
    public FaultPoint {
      active = ordered(active);
    }
  }

  /** An assertion as written, the value measured for it, and whether it held. */
  public record Assertion(String text, String measured, boolean passed) {
    public Assertion {
      Objects.requireNonNull(text, "text");
      measured = measured == null ? "" : measured;
    }
  }

  public static Builder builder(Settings settings) {
    return new Builder(settings);
  }

  /** Collects a report section by section; whatever is never added stays empty. */
  public static final class Builder {
    private final Settings settings;
    private final Map<String, List<WavePoint>> waves = new LinkedHashMap<>();
    private final List<StatePoint> states = new ArrayList<>();
    private UpdateTimes updateTimes = UpdateTimes.NONE;
    private final Map<String, Map<String, Long>> byRegion = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> byModel = new LinkedHashMap<>();
    private final List<AttackRow> attacks = new ArrayList<>();
    private final List<FaultPoint> faults = new ArrayList<>();
    private final List<Assertion> assertions = new ArrayList<>();

    private Builder(Settings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Adds a point to a wave's series, creating the wave on its first point. */
    public Builder wave(String wave, double simSeconds, long succeeded, long failed) {
      waves
          .computeIfAbsent(wave, w -> new ArrayList<>())
          .add(new WavePoint(simSeconds, succeeded, failed));
      return this;
    }

    public Builder states(double simSeconds, Map<String, Long> counts) {
      states.add(new StatePoint(simSeconds, counts));
      return this;
    }

    public Builder updateTimes(UpdateTimes times) {
      updateTimes = Objects.requireNonNull(times, "times");
      return this;
    }

    public Builder region(String region, String outcome, long count) {
      byRegion.computeIfAbsent(region, r -> new LinkedHashMap<>()).merge(outcome, count, Long::sum);
      return this;
    }

    public Builder model(String model, String outcome, long count) {
      byModel.computeIfAbsent(model, m -> new LinkedHashMap<>()).merge(outcome, count, Long::sum);
      return this;
    }

    public Builder attack(
        String attack, long injected, Map<String, Long> detectedBy, long undetected) {
      attacks.add(new AttackRow(attack, injected, detectedBy, undetected));
      return this;
    }

    public Builder faults(double simSeconds, Map<String, Long> active) {
      faults.add(new FaultPoint(simSeconds, active));
      return this;
    }

    public Builder assertion(String text, String measured, boolean passed) {
      assertions.add(new Assertion(text, measured, passed));
      return this;
    }

    public RunReport build() {
      List<WaveSeries> series = new ArrayList<>();
      waves.forEach((w, p) -> series.add(new WaveSeries(w, p)));
      return new RunReport(
          settings, series, states, updateTimes, byRegion, byModel, attacks, faults, assertions);
    }
  }

  private static <V> Map<String, V> ordered(Map<String, V> m) {
    return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  private static Map<String, Map<String, Long>> nested(Map<String, Map<String, Long>> m) {
    Map<String, Map<String, Long>> copy = new LinkedHashMap<>();
    if (m != null) {
      m.forEach((k, v) -> copy.put(k, ordered(v)));
    }
    return Collections.unmodifiableMap(copy);
  }
}
