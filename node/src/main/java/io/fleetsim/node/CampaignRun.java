package io.fleetsim.node;

import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.TargetFilter;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.faults.Faults;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.vehicle.BulkProvisioning;
import io.fleetsim.vehicle.Vehicle;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

  /** How often the read model is asked whether it lists the fleet (wall time, during set-up). */
  static final Duration POLL_EVERY = Duration.ofMillis(250);

  /** How often a run looks at its campaign, in simulated time. */
  static final Duration OBSERVE_EVERY = Duration.ofMinutes(1);

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  /** What a run shows while it goes; every method is called from the CLI thread or a stream. */
  public interface Listener {
    default void phase(String message) {}

    /**
     * Long work counted in items, such as "provisioned" vehicles: {@code done} of {@code total}.
     */
    default void counted(String what, int done, int total) {}

    default void progress(Tick tick) {}

    default void finished() {}

    Listener NONE = new Listener() {};
  }

  /** A campaign's counts at one moment, summed over its waves. */
  public record Tick(
      String campaignId,
      Campaign.Status status,
      int wave,
      int waves,
      int targeted,
      int updating,
      Map<UpdateOutcome, Integer> outcomes,
      String reason,
      Duration wall,
      Duration simulated) {

    public Tick {
      outcomes = Map.copyOf(outcomes);
    }

    static Tick of(CampaignProgress p, Duration wall, Duration simulated) {
      Map<UpdateOutcome, Integer> outcomes = new EnumMap<>(UpdateOutcome.class);
      for (UpdateOutcome o : UpdateOutcome.values()) {
        outcomes.put(o, p.count(o));
      }
      return new Tick(
          p.campaignId(),
          p.status(),
          p.currentWave(),
          p.waves().size(),
          p.targeted(),
          p.inProgress(),
          outcomes,
          p.reason(),
          wall,
          simulated);
    }

    public int count(UpdateOutcome o) {
      return outcomes.getOrDefault(o, 0);
    }

    public int succeeded() {
      return count(UpdateOutcome.SUCCEEDED);
    }

    /** Every terminal outcome but success. */
    public int unsuccessful() {
      return settled() - succeeded();
    }

    /** Vehicles whose outcome is known: what the progress bar fills with. */
    public int settled() {
      return outcomes.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Not yet assigned (later waves) or assigned but not yet started. */
    public int queued() {
      return targeted - settled() - updating;
    }

    public boolean allSettled() {
      return targeted > 0 && settled() == targeted;
    }
  }

  /**
   * What one campaign of a run measured. Durations named {@code wall} are real time, the rest
   * simulated.
   *
   * @param undoes the campaign a rollback campaign undoes, or null
   * @param version the version its image carries (e.g. {@code 1.0.0+r3} for a rollback)
   * @param verifiedAtVersion vehicles of the fleet whose ECU runs that image once the campaigns of
   *     the run ended, read back from the vehicles
   * @param clockAdvances how many times the clock moved to a later instant during the campaign
   * @param updateTimes per VIN the simulated time its successful update took, read back from the
   *     vehicles
   * @param journalEvents events written to the journal during the campaign
   * @param signatures signatures made during the campaign (every entity, every poll)
   * @param verifications signature checks computed during the campaign
   * @param recalled signature checks answered from the signatures already found valid
   * @param simulatedStart the simulated instant it started (null if it never did); it lasted {@code
   *     simulated}
   */
  public record CampaignFacts(
      String campaignId,
      String undoes,
      Campaign.Status status,
      String problem,
      String version,
      long releaseCounter,
      int waves,
      int targeted,
      Map<UpdateOutcome, Integer> outcomes,
      int verifiedAtVersion,
      Duration wall,
      Duration simulated,
      long clockAdvances,
      Map<String, Duration> updateTimes,
      long journalEvents,
      long signatures,
      long verifications,
      long recalled,
      long pollsMade,
      long pollsForeseen,
      int stoppedAfterWave,
      RunTimeline.Recorded timeline,
      Instant simulatedStart) {

    public CampaignFacts {
      timeline = timeline == null ? RunTimeline.Recorded.NONE : timeline;
      outcomes = Map.copyOf(outcomes);
      updateTimes = Collections.unmodifiableSortedMap(new TreeMap<>(updateTimes));
    }

    /** A step of the run that never started, and why. */
    static CampaignFacts notStarted(CampaignStep s, String why) {
      return new CampaignFacts(
          s.id(),
          null,
          Campaign.Status.NEW,
          why,
          s.version(),
          0,
          0,
          0,
          Map.of(),
          0,
          Duration.ZERO,
          Duration.ZERO,
          0,
          Map.of(),
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          null,
          null);
    }

    /** Percentiles of the update times of the vehicles the campaign updated. */
    public Percentiles updateTime() {
      return Percentiles.of(List.copyOf(updateTimes.values()));
    }

    public boolean succeeded() {
      return problem == null;
    }

    public int count(UpdateOutcome o) {
      return outcomes.getOrDefault(o, 0);
    }

    public int updated() {
      return count(UpdateOutcome.SUCCEEDED);
    }

    /** Targeted vehicles without a counted outcome (none once a campaign completed). */
    public int unsettled() {
      return targeted - outcomes.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Every terminal outcome but success. */
    public int unsuccessful() {
      return targeted - unsettled() - updated();
    }

    public double vehiclesPerWallSecond() {
      return perSecond(updated(), wall);
    }

    /** Simulated seconds per wall second the campaign achieved. */
    public double ratio() {
      return wall.isZero() ? 0 : simulated.toNanos() / (double) wall.toNanos();
    }

    public double journalEventsPerWallSecond() {
      return perSecond(journalEvents, wall);
    }

    /** Per vehicle updated: journal events, signatures and signature checks it cost. */
    public double perUpdate(long total) {
      return updated() == 0 ? 0 : total / (double) updated();
    }
  }

  /**
   * Everything a run measured: the fleet, and each of its campaigns in the order they started,
   * rollback campaigns included, then those that never started.
   */
  public record Result(
      long seed,
      double pace,
      int vehicles,
      int ecus,
      Duration provisionWall,
      long journalEventsProvisioning,
      long heapBytesPerVehicle,
      long heapBytesPerVehicleAfterCampaign,
      Map<String, Integer> entitiesInMemoryAfterCampaign,
      Instant startedAt,
      List<CampaignFacts> campaigns,
      List<AttackMix.Row> attacks) {

    public Result {
      campaigns = List.copyOf(campaigns);
      if (campaigns.isEmpty()) {
        throw new IllegalArgumentException("a run has at least one campaign");
      }
      attacks = List.copyOf(attacks);
      entitiesInMemoryAfterCampaign = new TreeMap<>(entitiesInMemoryAfterCampaign);
    }

    /** This result with {@code rows} as its attacks' account. */
    Result withAttacks(List<AttackMix.Row> rows) {
      return new Result(
          seed,
          pace,
          vehicles,
          ecus,
          provisionWall,
          journalEventsProvisioning,
          heapBytesPerVehicle,
          heapBytesPerVehicleAfterCampaign,
          entitiesInMemoryAfterCampaign,
          startedAt,
          campaigns,
          rows);
    }

    /** The run's first campaign. */
    public CampaignFacts campaign() {
      return campaigns.get(0);
    }

    /** The campaigns the run rolled out, in the order they started (no rollback campaign). */
    public List<CampaignFacts> rollouts() {
      return campaigns.stream().filter(c -> c.undoes() == null).toList();
    }

    /** The rollback campaigns, in the order they started. */
    public List<CampaignFacts> rollbacks() {
      return campaigns.stream().filter(c -> c.undoes() != null).toList();
    }

    /** The campaign {@code id}, if the run has it. */
    public Optional<CampaignFacts> campaign(String id) {
      return campaigns.stream().filter(c -> c.campaignId().equals(id)).findFirst();
    }

    /** Every campaign of the run ended as it should: completed, with nothing unexplained. */
    public boolean succeeded() {
      return campaigns.stream().allMatch(CampaignFacts::succeeded);
    }

    /** The first problem of the run, or null. */
    public String problem() {
      return campaigns.stream()
          .filter(r -> !r.succeeded())
          .map(CampaignFacts::problem)
          .findFirst()
          .orElse(null);
    }
  }

  private static double perSecond(long n, Duration d) {
    return d.isZero() ? 0 : n / (d.toNanos() / 1e9);
  }

  /** A run that could not even reach a campaign (provisioning or publishing failed). */
  public static final class RunFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RunFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final FleetNode node;
  private final CampaignPlan plan;
  private final Listener listener;
  private final FleetShape shape;
  private final List<io.fleetsim.faults.FaultRule> rules;
  private final List<CampaignStep> steps;
  private final ActorSystem<?> system;
  private final SimClock clock;

  public CampaignRun(FleetNode node, CampaignPlan plan, Listener listener) {
    this(node, plan, listener, null, List.of(), List.of(CampaignStep.of(plan)));
  }

  /**
   * A run of a fleet of {@code shape} (null: {@link FleetGenerator}'s own), with {@code faults}
   * added before the fleet is provisioned, and these campaigns ({@link Rollout} starts them as they
   * say); the plan gives the fleet's size, the limits, and what the run does besides.
   */
  CampaignRun(
      FleetNode node,
      CampaignPlan plan,
      Listener listener,
      FleetShape shape,
      List<io.fleetsim.faults.FaultRule> faults,
      List<CampaignStep> steps) {
    this.node = node;
    this.plan = plan;
    this.listener = listener;
    this.shape = shape;
    this.rules = List.copyOf(faults);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a run has at least one campaign");
    }
    this.steps = List.copyOf(steps);
    this.system = node.system();
    this.clock = SimClock.get(system);
  }

  /**
   * Runs the whole thing on the calling thread; returns when the campaigns ended or timed out, with
   * the clock standing at that instant.
   */
  public Result run() {
    // Nothing simulated happens while the fleet is built: the clock is held at its epoch until
    // the campaign has started, so a run starts at the same simulated instant however long
    // provisioning takes.
    setup = clock.hold();
    try {
      return runHeld();
    } finally {
      // The clock then stands at the run's last instant: what is read afterwards (the attack
      // ledger, the trace) is the run's end, not whatever more wall time let happen.
      clock.runUntil(clock.now());
      setup.close();
    }
  }

  /** Vehicles provisioned between two settled instants. */
  static final int PROVISION_BATCH = 5_000;

  /** The hold the setup runs under; replaced when {@link #settleInstant} lets the instant end. */
  private SimClock.Hold setup;

  /**
   * Lets the current instant end without moving time: the hold is released, the clock runs until
   * now (every entity's end-of-instant idle check, so idle entities passivate), and a new hold
   * keeps time where it is.
   */
  private void settleInstant() {
    // The limit first: once the hold is closed the clock could otherwise step to a timer due a
    // millisecond later (a large fleet has a first poll that close) before the limit is set.
    CompletableFuture<Instant> settled = clock.runUntil(clock.now());
    setup.close();
    await(settled, "the instant to settle");
    setup = clock.hold();
    clock.unlimited();
  }

  private Result runHeld() {
    Instant startedAt = Instant.now();
    long seed = system.settings().config().getLong("fleetsim.seed");
    long heapBefore = usedHeapAfterGc();
    long journalStart = node.journalEvents();

    listener.phase("publishing the 1.0.0 images");
    FleetGenerator generator = new FleetGenerator(seed, shape);
    for (io.fleetsim.faults.FaultRule rule : rules) {
      await(Faults.get(system).add(rule), "add fault rule " + rule.id());
    }
    RecipientRef<io.fleetsim.cloud.ImageRepository.Command> images =
        node.cloud().refs().imageRepository();
    Map<EcuType, FirmwareImage> base =
        await(generator.publishBaseImages(system, images), "publish");
    List<Vehicle.Spec> fleet = generator.fleet(plan.vehicles(), base);
    int ecus = fleet.stream().mapToInt(v -> v.ecus().size()).sum();
    AttackMix attacks =
        plan.attackShare() > 0
            ? AttackMix.choose(fleet, seed, plan.attackShare(), plan.ecuType().name())
            : null;
    if (attacks != null) {
      listener.phase(
          String.format(
              Locale.ROOT,
              "attacking %.1f %% of the fleet with each of %d attacks",
              plan.attackShare() * 100,
              AttackMix.KINDS.size()));
      await(attacks.addTo(Faults.get(system)), "add the attacks");
    }

    listener.phase(
        "provisioning "
            + plan.vehicles()
            + " vehicles"
            + (plan.bulk() ? " in bulk" : " one by one"));
    long provisionStart = System.nanoTime();
    if (plan.bulk()) {
      await(
          BulkProvisioning.provision(
              system, fleet, done -> listener.counted("provisioned", done, fleet.size())),
          "provision");
      settleInstant();
    } else {
      // In batches, each ended by letting its instant settle: the entities provisioned passivate
      // there, so a large fleet never sits in memory all at once.
      for (int from = 0; from < fleet.size(); from += PROVISION_BATCH) {
        int offset = from;
        List<Vehicle.Spec> batch =
            fleet.subList(from, Math.min(fleet.size(), from + PROVISION_BATCH));
        await(
            FleetGenerator.provision(
                system,
                node::vehicle,
                batch,
                plan.parallelism(),
                done -> listener.counted("provisioned", offset + done, fleet.size())),
            "provision");
        settleInstant();
      }
    }

    listener.phase("waiting for the fleet read model");
    // Every vehicle of the new fleet, counted without a condition: a count by ECU type reads every
    // matching row (seconds at a million) while the projection waits for the store.
    awaitPoll(
        () -> node.cloud().fleet().count(TargetFilter.any()),
        n -> n >= plan.vehicles(),
        n -> listener.counted("listed", (int) (long) n, plan.vehicles()),
        Duration.ofMinutes(30),
        "the fleet read model to list every vehicle");
    // Provisioned means usable: in the journal and listed by the read model.
    Duration provisionWall = Duration.ofNanos(System.nanoTime() - provisionStart);
    long heapPerVehicle = Math.max(0, usedHeapAfterGc() - heapBefore) / plan.vehicles();

    Duration warm =
        steps.stream()
            .filter(st -> st.after() == null)
            .map(CampaignStep::startAt)
            .min(Duration::compareTo)
            .orElse(Duration.ZERO);
    Instant fleetStart = clock.now();
    if (!warm.isZero()) {
      warmUp(warm, "the campaign starts " + Report.duration(warm) + " in");
    } else if (attacks != null) {
      Duration interval = system.settings().config().getDuration("fleetsim.vehicle.poll-interval");
      warmUp(
          interval.multipliedBy(3).dividedBy(2), "every vehicle checks once before the campaign");
    }
    Map<EcuType, FleetGenerator.EcuModel> models = new EnumMap<>(EcuType.class);
    generator.ecuModels().forEach(m -> models.putIfAbsent(m.type(), m));
    long journalCampaignStart = node.journalEvents();
    java.util.Set<String> published = new java.util.HashSet<>();
    for (CampaignStep st : steps) {
      if (!published.add(st.ecuType() + " " + st.version())) {
        continue;
      }
      FleetGenerator.EcuModel model = models.get(st.ecuType());
      if (model == null) {
        throw new RunFailed("no vehicle has an ECU of type " + st.ecuType(), null);
      }
      listener.phase("publishing " + st.ecuType() + " " + st.version());
      await(
          FleetGenerator.publishOrGet(
              system,
              images,
              st.ecuType().name(),
              model.hardwareIds(),
              st.version(),
              FleetGenerator.BASE_RELEASE_COUNTER + 1,
              st.imageBytes()),
          "publish " + st.ecuType() + " " + st.version());
    }
    List<CampaignFacts> campaigns =
        new ArrayList<>(
            new Rollout(this, node, plan, listener, fleet, models)
                .run(steps, fleetStart, () -> setup.close()));
    CampaignFacts main = campaigns.get(0);
    // the read-back woke every vehicle: let this instant end, so the idle ones passivate again
    await(clock.runUntil(clock.now()), "the instant to settle");
    long heapAfterCampaign = Math.max(0, usedHeapAfterGc() - heapBefore) / plan.vehicles();
    Map<String, Integer> inMemory = entitiesInMemory();

    if (plan.rollback() && main.status() == Campaign.Status.COMPLETED) {
      campaigns.addAll(
          new Rollout(this, node, plan, listener, fleet, models)
              .rollBack(main.campaignId(), models.get(plan.ecuType())));
    }
    List<AttackMix.Row> attackRows = List.of();
    if (attacks != null) {
      CampaignProgress progress =
          await(
              AskPattern.<Campaign.Command, CampaignProgress>ask(
                  node.cloud().refs().campaign(main.campaignId()),
                  Campaign.GetProgress::new,
                  ASK_TIMEOUT,
                  system.scheduler()),
              "read the campaign's outcomes");
      attackRows = attacks.account(Faults.get(system).ledger(), progress.reasons());
    }
    return new Result(
        seed,
        clock.pace(),
        fleet.size(),
        ecus,
        provisionWall,
        journalCampaignStart - journalStart,
        heapPerVehicle,
        heapAfterCampaign,
        inMemory,
        startedAt,
        campaigns,
        attackRows);
  }

  /**
   * Lets the fleet run for one and a half poll intervals before the campaign, so that every vehicle
   * checks once: an attacker replaying what it recorded then replays metadata from before the
   * campaign, as one on a fleet in service would.
   */
  private void warmUp(Duration warm, String why) {
    listener.phase("letting the fleet run " + Report.duration(warm) + " of simulated time: " + why);
    CompletableFuture<Instant> reached = clock.runUntil(clock.now().plus(warm));
    setup.close();
    await(reached, "the fleet's first checks");
    setup = clock.hold();
    clock.unlimited();
  }

  /**
   * Lets the clock run to {@code at} and waits until the node stands idle there; false when the
   * wall-clock deadline ({@link System#nanoTime}) passed first.
   */
  boolean awaitInstant(Instant at, long wallDeadline) {
    try {
      clock.runUntil(at).get(Math.max(0, wallDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunFailed("interrupted waiting for the simulation to reach " + at, e);
    } catch (ExecutionException | java.util.concurrent.CancellationException e) {
      throw new RunFailed("the clock stopped: " + FleetGenerator.rootMessage(e), e);
    }
  }

  /** Vehicles read back between two settled instants. */
  static final int READ_BACK_BATCH = 10_000;

  /**
   * Hands each vehicle's status to {@code each}, in order, in batches: each batch ends by letting
   * the instant settle (the clock stands at a limit), so the vehicles it woke passivate again and a
   * large fleet is never in memory all at once.
   */
  void forEachStatus(List<Vehicle.Spec> fleet, Consumer<Vehicle.Status> each) {
    for (int from = 0; from < fleet.size(); from += READ_BACK_BATCH) {
      List<Vehicle.Spec> batch =
          fleet.subList(from, Math.min(fleet.size(), from + READ_BACK_BATCH));
      await(
          Source.from(batch)
              .mapAsync(
                  plan.parallelism(),
                  v ->
                      AskPattern.<Vehicle.Command, Vehicle.Status>ask(
                          node.vehicle(v.vin()),
                          Vehicle.GetStatus::new,
                          ASK_TIMEOUT,
                          system.scheduler()))
              .runForeach(each::accept, system),
          "read back vehicle status");
      await(clock.runUntil(clock.now()), "the instant to settle");
      listener.counted("read back", from + batch.size(), fleet.size());
    }
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

  static <T> T await(CompletionStage<T> stage, String what) {
    try {
      return stage.toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw new RunFailed("could not " + what + ": " + FleetGenerator.rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunFailed("interrupted: " + what, e);
    }
  }

  /** Entities of a vehicle still in memory on this node, by type (the rest are passivated). */
  private Map<String, Integer> entitiesInMemory() {
    Map<String, Integer> counts = new TreeMap<>();
    for (var key :
        List.of(
            Vehicle.TYPE_KEY,
            io.fleetsim.ecu.Ecu.TYPE_KEY,
            io.fleetsim.ecu.CanBus.TYPE_KEY,
            io.fleetsim.cloud.Director.TYPE_KEY)) {
      org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState state =
          await(
              AskPattern.ask(
                  org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(system)
                      .shardState(),
                  r -> new org.apache.pekko.cluster.sharding.typed.GetShardRegionState(key, r),
                  ASK_TIMEOUT,
                  system.scheduler()),
              "the shard state of " + key.name());
      counts.put(
          key.name(), state.getShards().stream().mapToInt(sh -> sh.getEntityIds().size()).sum());
    }
    return counts;
  }

  /** Used heap after a full collection; two rounds so finalisable garbage is gone too. */
  static long usedHeapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }
}
