package io.fleetsim.node;

import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.RolloutPolicy;
import io.fleetsim.cloud.TargetFilter;
import io.fleetsim.cloud.WavePlan;
import io.fleetsim.cluster.SimClock;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.vehicle.Vehicle;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One complete OTA campaign over a generated fleet, start to finish, measured: provision the fleet,
 * publish a new image for one ECU type, roll it out wave by wave, wait until every reachable
 * vehicle settled, and collect the figures. {@code fleetsim demo} and {@code fleetsim bench fleet}
 * both run exactly this; they differ only in the plan and in how they show it.
 */
public final class CampaignRun {

  /** How often the campaign is asked for its progress (wall time). */
  static final Duration POLL_EVERY = Duration.ofMillis(250);

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  /**
   * What to run.
   *
   * @param vehicles fleet size
   * @param ecuType the ECU type the new image is for
   * @param version the new image's version
   * @param imageBytes size of the new (generated) image
   * @param waves how the targets are split
   * @param policy wave gates
   * @param timeout wall-clock limit for the campaign from start to the last settled vehicle
   * @param settleGrace simulated time the stragglers get once the campaign completed; whoever has
   *     not reported by then counts as unreachable
   * @param parallelism vehicles provisioned (and queried) at once
   */
  public record Plan(
      int vehicles,
      EcuType ecuType,
      String version,
      long imageBytes,
      WavePlan waves,
      RolloutPolicy policy,
      Duration timeout,
      Duration settleGrace,
      int parallelism) {

    public Plan {
      if (vehicles < 1) {
        throw new IllegalArgumentException("vehicles must be at least 1, was " + vehicles);
      }
      Objects.requireNonNull(ecuType, "ecuType");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(waves, "waves");
      Objects.requireNonNull(policy, "policy");
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
      }
    }

    /**
     * ADAS 1.1.0 (320 KiB) to everyone: 1 % canary, then 10 %, 50 % and 100 %; a wave advances at
     * 95 % success after a 15-minute soak and the campaign pauses as soon as 5 % failed.
     */
    public static Plan standard(int vehicles, Duration timeout) {
      return new Plan(
          vehicles,
          EcuType.ADAS,
          "1.1.0",
          320 * 1024,
          WavePlan.percentages(1, 10, 50, 100),
          RolloutPolicy.of(95, 5, Duration.ofMinutes(15)),
          timeout,
          Duration.ofHours(6),
          256);
    }
  }

  /** What a run shows while it goes; every method is called from the CLI thread or a stream. */
  public interface Listener {
    default void phase(String message) {}

    default void provisioned(int done, int total) {}

    default void progress(Tick tick) {}

    default void finished() {}

    Listener NONE = new Listener() {};
  }

  /** The campaign's counts at one moment, summed over its waves. */
  public record Tick(
      String campaignId,
      Campaign.Status status,
      int wave,
      int waves,
      int targeted,
      int succeeded,
      int updating,
      int failed,
      int rolledBack,
      int refused,
      String reason,
      Duration wall,
      Duration simulated) {

    static Tick of(Campaign.Progress p, Duration wall, Duration simulated) {
      int targeted = 0;
      int succeeded = 0;
      int updating = 0;
      int failed = 0;
      int rolledBack = 0;
      int refused = 0;
      for (Campaign.WaveProgress w : p.waves()) {
        targeted += w.size();
        succeeded += w.succeeded();
        updating += w.inProgress();
        failed += w.failed();
        rolledBack += w.rolledBack();
        refused += w.refused();
      }
      return new Tick(
          p.campaignId(),
          p.status(),
          p.currentWave(),
          p.waves().size(),
          targeted,
          succeeded,
          updating,
          failed,
          rolledBack,
          refused,
          p.reason(),
          wall,
          simulated);
    }

    /** Vehicles whose outcome is known: what the progress bar fills with. */
    public int settled() {
      return succeeded + failed + rolledBack + refused;
    }

    /** Not yet assigned (later waves) or assigned but not yet started. */
    public int queued() {
      return targeted - settled() - updating;
    }

    public boolean allSettled() {
      return targeted > 0 && settled() == targeted;
    }
  }

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

  /** Everything a run measured. Durations named {@code wall} are real time, the rest simulated. */
  public record Result(
      String campaignId,
      Campaign.Status status,
      String problem,
      long seed,
      double timeScale,
      int vehicles,
      int ecus,
      int waves,
      int targeted,
      int updated,
      int failed,
      int rolledBack,
      int refused,
      int unreachable,
      int verifiedAtNewVersion,
      Duration provisionWall,
      Duration campaignWall,
      Duration campaignSimulated,
      Percentiles updateTime,
      long journalEventsProvisioning,
      long journalEventsCampaign,
      long heapBytesPerVehicle,
      Instant startedAt) {

    public boolean succeeded() {
      return problem == null;
    }

    public double vehiclesPerWallSecond() {
      return perSecond(updated, campaignWall);
    }

    public double journalEventsPerWallSecond() {
      return perSecond(journalEventsCampaign, campaignWall);
    }

    private static double perSecond(long n, Duration d) {
      return d.isZero() ? 0 : n / (d.toNanos() / 1e9);
    }
  }

  /** A run that could not even reach a campaign (provisioning or publishing failed). */
  public static final class RunFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RunFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final FleetNode node;
  private final Plan plan;
  private final Listener listener;
  private final ActorSystem<?> system;
  private final SimClock clock;

  public CampaignRun(FleetNode node, Plan plan, Listener listener) {
    this.node = node;
    this.plan = plan;
    this.listener = listener;
    this.system = node.system();
    this.clock = SimClock.get(system);
  }

  /** Runs the whole thing on the calling thread; returns when the campaign ended or timed out. */
  public Result run() {
    Instant startedAt = Instant.now();
    long seed = system.settings().config().getLong("fleetsim.seed");
    long heapBefore = usedHeapAfterGc();
    long journalStart = node.journalEvents();

    listener.phase("publishing the 1.0.0 images");
    FleetGenerator generator = new FleetGenerator(seed);
    RecipientRef<io.fleetsim.cloud.ImageRepository.Command> images =
        node.cloud().refs().imageRepository();
    Map<EcuType, FirmwareImage> base =
        await(generator.publishBaseImages(system, images), "publish");
    List<Vehicle.Spec> fleet = generator.fleet(plan.vehicles(), base);
    int ecus = fleet.stream().mapToInt(v -> v.ecus().size()).sum();

    listener.phase("provisioning " + plan.vehicles() + " vehicles");
    long provisionStart = System.nanoTime();
    await(
        FleetGenerator.provision(
            system,
            node::vehicle,
            fleet,
            plan.parallelism(),
            done -> listener.provisioned(done, fleet.size())),
        "provision");
    Duration provisionWall = Duration.ofNanos(System.nanoTime() - provisionStart);
    long heapPerVehicle = Math.max(0, usedHeapAfterGc() - heapBefore) / plan.vehicles();

    listener.phase("waiting for the fleet read model");
    TargetFilter filter = TargetFilter.ecuType(plan.ecuType().name());
    awaitPoll(
        () -> node.cloud().fleet().count(filter),
        n -> n >= plan.vehicles(),
        n -> {},
        Duration.ofMinutes(10),
        "the fleet read model to list every vehicle");

    listener.phase("publishing " + plan.ecuType() + " " + plan.version());
    FleetGenerator.EcuModel model =
        FleetGenerator.ECUS.stream().filter(m -> m.type() == plan.ecuType()).findFirst().get();
    FirmwareImage update =
        await(
            FleetGenerator.publishOrGet(
                system,
                images,
                plan.ecuType().name(),
                model.hardwareIds(),
                plan.version(),
                FleetGenerator.BASE_RELEASE_COUNTER + 1,
                plan.imageBytes()),
            "publish the new image");

    long journalCampaign = node.journalEvents();
    String campaignId = (plan.ecuType().name() + "-" + plan.version()).toLowerCase();
    RecipientRef<Campaign.Command> campaign = node.cloud().refs().campaign(campaignId);
    Campaign.Spec spec =
        new Campaign.Spec(
            plan.ecuType() + " " + plan.version() + " to the whole fleet",
            filter,
            update.version(),
            plan.waves(),
            plan.policy());
    listener.phase("starting campaign " + campaignId);
    long campaignStart = System.nanoTime();
    Instant simStart = clock.now();
    await(
        AskPattern.<Campaign.Command, org.apache.pekko.Done>askWithStatus(
            campaign, r -> new Campaign.Create(spec, r), ASK_TIMEOUT, system.scheduler()),
        "create the campaign");
    await(
        AskPattern.<Campaign.Command, Campaign.Progress>askWithStatus(
            campaign, r -> new Campaign.Start(r), ASK_TIMEOUT, system.scheduler()),
        "start the campaign");

    AtomicReference<Instant> completedAt = new AtomicReference<>();
    AtomicReference<Tick> last = new AtomicReference<>();
    String problem = null;
    try {
      awaitPoll(
          () ->
              AskPattern.<Campaign.Command, Campaign.Progress>ask(
                      campaign, Campaign.GetProgress::new, ASK_TIMEOUT, system.scheduler())
                  .thenApply(
                      p ->
                          Tick.of(
                              p,
                              Duration.ofNanos(System.nanoTime() - campaignStart),
                              Duration.between(simStart, clock.now()))),
          t -> finished(t, completedAt),
          t -> {
            last.set(t);
            listener.progress(t);
          },
          plan.timeout(),
          "the campaign to complete");
    } catch (RunFailed e) {
      problem = e.getMessage();
    }
    Duration campaignWall = Duration.ofNanos(System.nanoTime() - campaignStart);
    Duration campaignSim = Duration.between(simStart, clock.now());
    long journalEnd = node.journalEvents();
    listener.finished();

    Tick t = last.get();
    if (t == null) {
      throw new RunFailed("the campaign never answered a progress query", null);
    }
    if (problem == null && t.status() != Campaign.Status.COMPLETED) {
      problem =
          "campaign "
              + campaignId
              + " is "
              + t.status()
              + (t.reason() == null ? "" : ": " + t.reason());
    }
    if (problem != null && t.status() != Campaign.Status.COMPLETED) {
      problem =
          problem
              + " (status "
              + t.status()
              + ", "
              + t.settled()
              + " of "
              + t.targeted()
              + " vehicles settled)";
    }

    listener.phase("reading back " + fleet.size() + " vehicles");
    List<Vehicle.Status> statuses = statuses(fleet);
    List<Duration> times = new ArrayList<>();
    int atNewVersion = 0;
    for (Vehicle.Status s : statuses) {
      for (Vehicle.UpdateRecord r : s.history()) {
        if (campaignId.equals(r.campaignId())
            && r.startedAt() != null
            && r.finishedAt() != null
            && r.outcome() == UpdateOutcome.SUCCEEDED) {
          times.add(Duration.between(r.startedAt(), r.finishedAt()));
        }
      }
      if (atVersion(s, model.ecuId(), update)) {
        atNewVersion++;
      }
    }
    int unreachable = t.targeted() - t.settled();
    return new Result(
        campaignId,
        t.status(),
        problem,
        seed,
        clock.timeScale(),
        fleet.size(),
        ecus,
        t.waves(),
        t.targeted(),
        t.succeeded(),
        t.failed(),
        t.rolledBack(),
        t.refused(),
        unreachable,
        atNewVersion,
        provisionWall,
        campaignWall,
        campaignSim,
        Percentiles.of(times),
        journalCampaign - journalStart,
        journalEnd - journalCampaign,
        heapPerVehicle,
        startedAt);
  }

  /**
   * Done when every target settled after completion, or when the stragglers had their simulated
   * grace period; a paused or aborted campaign is done too (and reported as a problem).
   */
  private boolean finished(Tick t, AtomicReference<Instant> completedAt) {
    switch (t.status()) {
      case PAUSED, ABORTED, ROLLING_BACK:
        return true;
      case COMPLETED:
        if (t.allSettled()) {
          return true;
        }
        Instant now = clock.now();
        completedAt.compareAndSet(null, now);
        return Duration.between(completedAt.get(), now).compareTo(plan.settleGrace()) >= 0;
      default:
        return false;
    }
  }

  /** Whether the ECU runs the new image, whichever way the vehicle names it. */
  static boolean atVersion(Vehicle.Status s, String ecuId, FirmwareImage image) {
    String v = s.installedVersions().get(ecuId);
    return image.version().equals(v) || image.targetName().equals(v);
  }

  private List<Vehicle.Status> statuses(List<Vehicle.Spec> fleet) {
    CompletionStage<List<Vehicle.Status>> all =
        Source.from(fleet)
            .mapAsync(
                plan.parallelism(),
                v ->
                    AskPattern.<Vehicle.Command, Vehicle.Status>ask(
                        node.vehicle(v.vin()),
                        Vehicle.GetStatus::new,
                        ASK_TIMEOUT,
                        system.scheduler()))
            .runWith(Sink.seq(), system);
    return await(all, "read back vehicle status");
  }

  /**
   * Asks {@code probe} every {@link #POLL_EVERY} until {@code done}, handing each answer to {@code
   * each}. Scheduled by the stream's tick, so nothing sleeps; a probe that times out is skipped.
   */
  private <T> T awaitPoll(
      Supplier<CompletionStage<T>> probe,
      Predicate<T> done,
      Consumer<T> each,
      Duration timeout,
      String what) {
    CompletionStage<T> result =
        Source.tick(Duration.ZERO, POLL_EVERY, NotUsed.notUsed())
            .mapAsync(
                1, x -> probe.get().thenApply(Optional::of).exceptionally(e -> Optional.<T>empty()))
            .filter(Optional::isPresent)
            .map(Optional::get)
            .map(
                t -> {
                  each.accept(t);
                  return t;
                })
            .filter(done::test)
            .completionTimeout(timeout)
            .runWith(Sink.head(), system);
    try {
      return result.toCompletableFuture().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TimeoutException) {
        throw new RunFailed(
            "timed out after " + Report.duration(timeout) + " waiting for " + what, e);
      }
      throw new RunFailed("failed waiting for " + what + ": " + FleetGenerator.rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunFailed("interrupted waiting for " + what, e);
    }
  }

  private static <T> T await(CompletionStage<T> stage, String what) {
    try {
      return stage.toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw new RunFailed("could not " + what + ": " + FleetGenerator.rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunFailed("interrupted: " + what, e);
    }
  }

  /** Used heap after a full collection; two rounds so finalisable garbage is gone too. */
  static long usedHeapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }
}
