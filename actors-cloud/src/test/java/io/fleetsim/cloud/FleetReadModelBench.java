package io.fleetsim.cloud;

import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (surefire only runs {@code *Test}): feeds {@code fleetsim.bench.vehicles}
 * (default 1,000,000) synthetic registrations and a campaign over a tenth of them through the
 * projection's batch handler into the JDBC store on an H2 file, as a node keeps it, and prints the
 * rate and the time of each query. Run it explicitly:
 *
 * <pre>
 * mvn -o -q -pl actors-cloud -am verify -Dtest=FleetReadModelBench \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=NONE -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dfleetsim.bench.vehicles=1000000
 * </pre>
 */
class FleetReadModelBench {
  static final int BATCH = 500;

  @Test
  void readModelAtScale() throws Exception {
    int vehicles = Integer.getInteger("fleetsim.bench.vehicles", 1_000_000);
    Path dir = Files.createTempDirectory("fleet-bench");
    String url =
        System.getProperty(
            "fleetsim.bench.url",
            "jdbc:h2:file:" + dir.resolve("fleet") + ";DB_CLOSE_ON_EXIT=FALSE;QUERY_CACHE_SIZE=0");
    try (JdbcFleetStore store =
        new JdbcFleetStore(
            url,
            System.getProperty("fleetsim.bench.user", "sa"),
            System.getProperty("fleetsim.bench.password", ""))) {
      boolean feed = Boolean.parseBoolean(System.getProperty("fleetsim.bench.feed", "true"));
      long offset = 1;
      List<Director.Event> registrations = new ArrayList<>(BATCH);
      long start = System.nanoTime();
      long lap = start;
      for (int i = 0; feed && i < vehicles; i++) {
        registrations.add(SyntheticFleet.registered(i));
        if (registrations.size() == BATCH || i == vehicles - 1) {
          FleetProjection.applyBatch(store, SyntheticFleet.envelopes(registrations, offset));
          offset += registrations.size();
          registrations.clear();
        }
        if ((i + 1) % 100_000 == 0) {
          long now = System.nanoTime();
          report("  registrations up to " + (i + 1), 100_000, now - lap);
          lap = now;
        }
      }
      report("registrations", vehicles, System.nanoTime() - start);

      List<Director.Event> campaign = new ArrayList<>();
      for (int i = 0; feed && i < vehicles; i += 10) {
        campaign.add(SyntheticFleet.assigned(i));
        if (i % 40 != 10) {
          campaign.add(SyntheticFleet.fetched(i));
        }
        if (i % 40 == 0) {
          campaign.add(SyntheticFleet.manifest(i, "1.1.0", UpdateOutcome.SUCCEEDED));
        } else if (i % 40 == 20) {
          campaign.add(SyntheticFleet.manifest(i, "1.0.0", UpdateOutcome.FAILED));
        }
      }
      List<EventEnvelope> envelopes = SyntheticFleet.envelopes(campaign, offset);
      start = System.nanoTime();
      for (int from = 0; from < envelopes.size(); from += BATCH) {
        FleetProjection.applyBatch(
            store, envelopes.subList(from, Math.min(envelopes.size(), from + BATCH)));
      }
      report("campaign events", envelopes.size(), System.nanoTime() - start);

      FleetQueries queries = new FleetQueries(store, ForkJoinPool.commonPool());
      for (TargetFilter f : FleetReadModelScaleTest.FILTERS) {
        System.out.println("filter " + describe(f));
        time("  count", 1, () -> store.count(f));
        time("  countByState", 1, () -> store.countByState(f));
        time("  list first page", 1, () -> store.list(f, 0, FleetQueries.MAX_PAGE).size());
        if (!f.equals(TargetFilter.any())) {
          // Once: a complete target set is the slowest query, and ECU type alone already
          // selects every vehicle.
          time("  targets", 0, () -> queries.targets(f).toCompletableFuture().join().size());
        }
        System.out.print("  plan of count: " + store.explainCount(f).replace('\n', ' '));
        System.out.println();
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static String describe(TargetFilter f) {
    return String.format(
        "ecu=%s hw=%s versions=%s regions=%s env=%s tags=%s",
        f.ecuType(), f.hardwareIds(), f.currentVersions(), f.regions(), f.environment(), f.tags());
  }

  static void report(String what, long events, long nanos) {
    System.out.printf(
        Locale.ROOT,
        "%s: %,d events in %.1f s = %,.0f events/s%n",
        what,
        events,
        nanos / 1e9,
        events / (nanos / 1e9));
  }

  /** The first run, the best of {@code more} runs after it, and the answer. */
  static void time(String what, int more, Supplier<?> query) {
    long t0 = System.nanoTime();
    Object answer = query.get();
    long first = System.nanoTime() - t0;
    long best = Long.MAX_VALUE;
    for (int i = 0; i < more; i++) {
      long t = System.nanoTime();
      answer = query.get();
      best = Math.min(best, System.nanoTime() - t);
    }
    System.out.printf(
        Locale.ROOT,
        "%s: first %.1f ms, best %.1f ms -> %s%n",
        what,
        first / 1e6,
        best / 1e6,
        answer);
  }
}
