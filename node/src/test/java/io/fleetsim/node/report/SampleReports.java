package io.fleetsim.node.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Reports for the tests: one with every section filled, one with nothing but its settings. */
final class SampleReports {

  private SampleReports() {}

  static RunReport.Settings settings(String name) {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("ADAS", "1.0.0 → 1.1.0");
    versions.put("engine", "2.3.1");
    return new RunReport.Settings(
        name, 42, 0, 1_000, versions, Instant.parse("2026-12-01T18:00:00Z"));
  }

  static RunReport empty() {
    return RunReport.builder(settings("empty")).build();
  }

  /** A 1,000-vehicle canary-then-waves campaign over about two simulated hours. */
  static RunReport full() {
    Random rnd = new Random(7);
    RunReport.Builder b = RunReport.builder(settings("canary <demo> & \"friends\""));
    String[] waves = {"canary", "wave 10%", "wave 50%", "wave 100%"};
    int[] sizes = {10, 90, 400, 500};
    double start = 0;
    for (int w = 0; w < waves.length; w++) {
      long ok = 0;
      long failed = 0;
      for (int i = 0; i <= 20; i++) {
        ok = Math.round(sizes[w] * 0.96 * i / 20.0);
        failed = Math.round(sizes[w] * 0.02 * i / 20.0);
        b.wave(waves[w], start + i * 90, ok, failed);
      }
      start += 20 * 90;
    }
    for (int i = 0; i <= 40; i++) {
      double t = i * 180;
      long updated = Math.min(1000, i * 26L);
      long busy = Math.min(40, 1000 - updated);
      Map<String, Long> counts = new LinkedHashMap<>();
      counts.put("idle", 1000 - updated - busy);
      counts.put("downloading", busy / 2);
      counts.put("installing", busy - busy / 2);
      counts.put("updated", updated);
      b.states(t, counts);
    }
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      times.add(240 + Math.abs(rnd.nextGaussian()) * 300);
    }
    b.updateTimes(RunReport.UpdateTimes.of(times));
    for (String region : new String[] {"Munich", "Berlin", "Hamburg"}) {
      b.region(region, "SUCCEEDED", 300 + rnd.nextInt(30));
      b.region(region, "FAILED", rnd.nextInt(10));
      b.region(region, "ROLLED_BACK", rnd.nextInt(4));
    }
    for (String model : new String[] {"sedan-2024", "suv-2025"}) {
      b.model(model, "SUCCEEDED", 450 + rnd.nextInt(30));
      b.model(model, "FAILED", rnd.nextInt(10));
    }
    b.attack("tampered image", 10, Map.of("image hash", 10L), 0);
    b.attack("rollback", 10, Map.of("release counter", 9L), 1);
    b.attack("freeze <expired>", 10, Map.of("timestamp expiry", 10L), 0);
    for (int i = 0; i <= 20; i++) {
      Map<String, Long> active = new LinkedHashMap<>();
      active.put("partition", i >= 5 && i < 9 ? 1L : 0L);
      active.put("packet loss", i >= 12 ? 2L : 0L);
      b.faults(i * 360, active);
    }
    b.assertion("success rate of the whole run > 95 %", "96.0 %", true);
    b.assertion("p99 update time < 10 min", "12.3 min", false);
    b.assertion("undetected attacks == 0 <strict>", "1", false);
    return b.build();
  }
}
