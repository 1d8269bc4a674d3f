package io.fleetsim.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Nearest-rank percentiles of per-vehicle update time (simulated). */
public record Percentiles(int count, Duration p50, Duration p90, Duration p99, Duration max) {
  static Percentiles of(List<Duration> samples) {
    if (samples.isEmpty()) {
      return new Percentiles(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }
    List<Duration> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    return new Percentiles(
        sorted.size(),
        rank(sorted, 50),
        rank(sorted, 90),
        rank(sorted, 99),
        sorted.get(sorted.size() - 1));
  }

  static Duration rank(List<Duration> sorted, int percent) {
    int n = (int) Math.ceil(percent / 100.0 * sorted.size());
    return sorted.get(Math.max(0, n - 1));
  }
}
