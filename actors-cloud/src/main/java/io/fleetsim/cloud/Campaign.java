package io.fleetsim.cloud;

import io.fleetsim.cluster.Asks;
import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.persistence.PersistenceSetup;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A rollout of one firmware image to the vehicles a filter selects, wave by wave. Each wave's
 * vehicles get an assignment from their Director; the Directors report every outcome back here
 * until it is acknowledged, and the campaign advances, pauses or aborts by its {@link WaveGate}.
 * Every targeted vehicle ends with exactly one counted {@link UpdateOutcome}: its Director closes
 * the assignment from the vehicle's report or, past the policy's time limit, as TIMED_OUT.
 *
 * <p>A rollback is a campaign of its own ({@link CampaignRollback}): the previous image is
 * published again under a higher release counter and assigned to exactly the vehicles this campaign
 * updated.
 *
 * <p>Time is simulated throughout, so the same facts give the same timeline: the soak and the
 * writing of gathered facts share one {@link SimTimers} timer ({@link Settle}), each batch holds
 * the facts of the instants before its own in a fixed order, and asks to the Directors and the
 * image repository time out in simulated time and continue on the campaign's dispatcher ({@link
 * Asks}), which the clock counts. No wall timer decides anything here.
 */
public final class Campaign
    extends EventSourcedBehavior<Campaign.Command, Campaign.Event, Campaign.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Campaign");
  public static final String TAG = "campaign";

  /**
   * How long the campaign waits, in simulated time, for the Director or the image repository to
   * answer. Cloud entities answer one another at the instant they are asked (messaging costs no
   * simulated time), so this fires only when an entity cannot be reached at all; a Director that
   * does not answer an assignment is then counted as having refused it.
   */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  // ---- protocol -------------------------------------------------------------------------

  /**
   * What an operator asks for.
   *
   * @param undoes the campaign this one rolls back, or null
   */
  public record Spec(
      String description,
      TargetFilter filter,
      String firmwareVersion,
      WavePlan waves,
      RolloutPolicy policy,
      String undoes)
      implements CborSerializable {

    public Spec(
        String description,
        TargetFilter filter,
        String firmwareVersion,
        WavePlan waves,
        RolloutPolicy policy) {
      this(description, filter, firmwareVersion, waves, policy, null);
    }
  }

  public sealed interface Command extends CborSerializable {}

  public record Create(Spec spec, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record Start(ActorRef<StatusReply<CampaignProgress>> replyTo) implements Command {}

  public record Pause(String reason, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** {@code force} resumes even though the failure gate is still tripped. */
  public record Resume(boolean force, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record Abort(String reason, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record RetryFailed(ActorRef<StatusReply<Integer>> replyTo) implements Command {}

  /** Rolls back what this campaign installed; replies with the rollback campaigns' ids. */
  public record Rollback(ActorRef<StatusReply<List<String>>> replyTo) implements Command {}

  /** Sent by the {@link CampaignRegistry} on an emergency stop. */
  public record Halt(String reason) implements Command {}

  public record GetProgress(ActorRef<CampaignProgress> replyTo) implements Command {}

  /** Sent by a Director once the vehicle fetched metadata that contains the assignment. */
  public record RecordInProgress(String vin, String assignmentId) implements Command {}

  /**
   * Sent by a Director when an assignment ended, again and again until {@code ackTo} gets {@link
   * Director.OutcomeAck}; applied once.
   */
  public record RecordOutcome(Director.Outcome outcome, ActorRef<Director.Command> ackTo)
      implements Command {}

  record FirmwareChecked(
      Spec spec, FirmwareImage image, String error, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  record TargetsSelected(
      List<FleetVehicle> targets, String error, ActorRef<StatusReply<CampaignProgress>> replyTo)
      implements Command {}

  record AssignmentReplied(String vin, String assignmentId, String error) implements Command {}

  /**
   * The campaign's one simulated timer: time to write the per-vehicle facts that arrived before
   * this instant, end the soak if it is due, and let the wave gate decide.
   */
  record Settle() implements Command {}

  record RollbackLaunched(
      List<String> campaignIds, String error, ActorRef<StatusReply<List<String>>> replyTo)
      implements Command {}

  // ---- events -----------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record Created(String campaignId, Spec spec, FirmwareImage image, Instant at)
      implements Event {}

  /** Waves are fixed once at start, so recovery and every node agree on who is in which wave. */
  public record Started(List<List<String>> waves, Map<String, String> previousVersions, Instant at)
      implements Event {}

  public record WaveStarted(int wave, Instant at) implements Event {}

  public record AssignmentAccepted(String vin, String assignmentId) implements Event {}

  public record AssignmentRefused(String vin, String assignmentId, String reason)
      implements Event {}

  public record VehicleInProgress(String vin, String assignmentId) implements Event {}

  public record OutcomeRecorded(
      String vin,
      String assignmentId,
      UpdateOutcome outcome,
      String reason,
      String installedVersion,
      Instant at)
      implements Event {}

  public record SoakCompleted(int wave) implements Event {}

  public record Paused(String reason, Instant at) implements Event {}

  public record Resumed(Instant at) implements Event {}

  public record Aborted(String reason, Instant at) implements Event {}

  public record Completed(Instant at) implements Event {}

  /** Each of these vehicles gets a new attempt (a new assignment id). */
  public record FailedRetried(List<String> vins) implements Event {}

  public record RolledBackBy(List<String> campaignIds, Instant at) implements Event {}

  // ---- state ------------------------------------------------------------------------------

  public enum Status {
    NEW,
    DRAFT,
    RUNNING,
    PAUSED,
    COMPLETED,
    ABORTED,
    ROLLED_BACK
  }

  /** Where one vehicle's current attempt stands; {@code outcome} is set once it ended. */
  public enum Stage {
    PENDING,
    ASSIGNED,
    IN_PROGRESS,
    ENDED
  }

  /** One targeted vehicle: its attempt number (the assignment id is derived from it). */
  public record Target(int attempt, Stage stage, UpdateOutcome outcome, String reason)
      implements CborSerializable {
    static final Target FIRST = new Target(1, Stage.PENDING, null, null);

    Target at(Stage s) {
      return new Target(attempt, s, outcome, reason);
    }

    Target ended(UpdateOutcome o, String why) {
      return new Target(attempt, Stage.ENDED, o, why);
    }

    Target retried() {
      return new Target(attempt + 1, Stage.PENDING, null, null);
    }

    boolean settled() {
      return stage == Stage.ENDED;
    }
  }

  public record State(
      String campaignId,
      Status status,
      Spec spec,
      FirmwareImage image,
      List<List<String>> waves,
      Map<String, String> previousVersions,
      Map<String, Target> targets,
      int currentWave,
      boolean soakDone,
      String reason,
      List<String> rolledBackBy)
      implements CborSerializable {

    static State empty(String campaignId) {
      return new State(
          campaignId,
          Status.NEW,
          null,
          null,
          List.of(),
          Map.of(),
          Map.of(),
          -1,
          false,
          null,
          List.of());
    }

    State with(Status s, String why) {
      return new State(
          campaignId,
          s,
          spec,
          image,
          waves,
          previousVersions,
          targets,
          currentWave,
          soakDone,
          why,
          rolledBackBy);
    }

    State withWave(int wave, boolean soaked) {
      return new State(
          campaignId,
          status,
          spec,
          image,
          waves,
          previousVersions,
          targets,
          wave,
          soaked,
          reason,
          rolledBackBy);
    }

    State withTargets(Map<String, Target> t) {
      return new State(
          campaignId,
          status,
          spec,
          image,
          waves,
          previousVersions,
          t,
          currentWave,
          soakDone,
          reason,
          rolledBackBy);
    }

    /**
     * One vehicle's target changed. The map is the entity's own and updated in place, so an event
     * about one vehicle does not copy every target; what decides ahead of a write works on a {@link
     * #detached()} copy, and so does a snapshot.
     */
    State withTarget(String vin, Target t) {
      if (targets instanceof HashMap<String, Target> own) {
        own.put(vin, t);
        return this;
      }
      Map<String, Target> m = new HashMap<>(targets);
      m.put(vin, t);
      return withTargets(m);
    }

    /** This state with a map of its own, for applying events ahead of a write, or to snapshot. */
    State detached() {
      return withTargets(new HashMap<>(targets));
    }

    Target target(String vin) {
      return targets.get(vin);
    }

    String assignmentId(String vin) {
      return campaignId + "/" + targets.getOrDefault(vin, Target.FIRST).attempt();
    }

    /** The current attempt of a targeted vehicle, if {@code assignmentId} is it. */
    boolean isCurrent(String vin, String assignmentId) {
      return targets.containsKey(vin) && assignmentId(vin).equals(assignmentId);
    }

    boolean allSettled() {
      return targets.values().stream().allMatch(Target::settled);
    }

    CampaignProgress.Wave wave(int index) {
      Map<UpdateOutcome, Integer> ended = new EnumMap<>(UpdateOutcome.class);
      int pending = 0;
      int inProgress = 0;
      for (String vin : waves.get(index)) {
        Target t = targets.getOrDefault(vin, Target.FIRST);
        switch (t.stage()) {
          case PENDING -> pending++;
          case ASSIGNED, IN_PROGRESS -> inProgress++;
          case ENDED -> ended.merge(t.outcome(), 1, Integer::sum);
        }
      }
      return new CampaignProgress.Wave(index, waves.get(index).size(), pending, inProgress, ended);
    }

    CampaignProgress progress() {
      List<CampaignProgress.Wave> ws = new ArrayList<>();
      for (int i = 0; i < waves.size(); i++) {
        ws.add(wave(i));
      }
      Map<String, String> reasons = new TreeMap<>();
      targets.forEach(
          (vin, t) -> {
            if (t.settled() && !t.outcome().succeeded() && t.reason() != null) {
              reasons.put(vin, t.outcome() + ": " + t.reason());
            }
          });
      return new CampaignProgress(
          campaignId,
          status,
          image,
          currentWave,
          reason,
          ws,
          reasons,
          spec == null ? null : spec.undoes(),
          rolledBackBy);
    }
  }

  // ---- behaviour --------------------------------------------------------------------------

  public static Behavior<Command> create(String campaignId, CloudRefs refs) {
    return Behaviors.setup(
        ctx -> SimTimers.withTimers(timers -> new Campaign(campaignId, refs, ctx, timers)));
  }

  private final String campaignId;
  private final CloudRefs refs;
  private final ActorContext<Command> ctx;
  private final SimClock clock;
  private final long seed;
  private final SettleTimer settleTimer;
  private final CampaignAsks asks;

  private Campaign(
      String campaignId, CloudRefs refs, ActorContext<Command> ctx, SimTimers<Command> timers) {
    super(
        PersistenceId.of(TYPE_KEY.name(), campaignId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.campaignId = campaignId;
    this.refs = refs;
    this.ctx = ctx;
    this.clock = SimClock.get(ctx.getSystem());
    this.seed = Seeds.scenarioSeed(ctx.getSystem());
    this.settleTimer =
        new SettleTimer(timers, clock, flushAfter(ctx.getSystem().settings().config()));
    this.asks =
        new CampaignAsks(
            ctx,
            new Asks(ctx.getSystem(), ASK_TIMEOUT, ctx.getExecutionContext()),
            refs,
            campaignId);
  }

  /**
   * {@code fleetsim.cloud.campaign-flush-after}: simulated time from the first unwritten fact to
   * the write that counts it; at least the clock's resolution, since a batch takes only facts of
   * instants before its own.
   */
  static Duration flushAfter(com.typesafe.config.Config config) {
    Duration d = config.getDuration("fleetsim.cloud.campaign-flush-after");
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException(
          "fleetsim.cloud.campaign-flush-after must be at least 1ms of simulated time, was " + d);
    }
    return d;
  }

  @Override
  public State emptyState() {
    return State.empty(campaignId);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }

  /** The snapshot store serializes on its own thread: it gets a copy the events do not change. */
  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return state.detached();
      }

      @Override
      public State fromJournal(Object from) {
        return (State) from;
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // A campaign's state holds every targeted vehicle, so its snapshots are large; it takes
    // them half as often as the entities that follow fleetsim.snapshot-every.
    return RetentionCriteria.snapshotEvery(2 * PersistenceSetup.snapshotEvery(ctx.getSystem()), 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .build();
  }

  /**
   * Assignments are side effects of persisted events, so after a crash the ones never answered are
   * sent again (the Director acknowledges an assignment id it already has), and a pending soak
   * timer is restarted. Outcomes lost with the crash come again from their Directors.
   */
  private void onRecovered(State s) {
    if (s.status() == Status.RUNNING && !s.soakDone()) {
      startSoak(s);
    }
    if (s.status() == Status.RUNNING || s.status() == Status.PAUSED) {
      // Only the waves started so far: later waves wait for their gate.
      for (int w = 0; w <= s.currentWave(); w++) {
        s.waves().get(w).forEach(vin -> asks.assignIfPending(s, vin));
      }
    }
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    CommandHandlerBuilder<Command, Event, State> b = newCommandHandlerBuilder();
    b.forState(s -> s.status() == Status.NEW)
        .onCommand(Create.class, this::onCreate)
        .onCommand(FirmwareChecked.class, this::onFirmwareChecked);
    b.forState(s -> s.status() == Status.DRAFT)
        .onCommand(Start.class, this::onStart)
        .onCommand(TargetsSelected.class, this::onTargetsSelected)
        .onCommand(Abort.class, this::onAbort);
    b.forState(s -> s.status() == Status.RUNNING)
        .onCommand(Pause.class, (s, c) -> pause(s, "paused: " + c.reason(), c.replyTo()))
        .onCommand(Halt.class, (s, c) -> pause(s, "emergency stop: " + c.reason(), null));
    b.forState(s -> s.status() == Status.PAUSED).onCommand(Resume.class, this::onResume);
    b.forState(s -> s.status() == Status.RUNNING || s.status() == Status.PAUSED)
        .onCommand(Abort.class, this::onAbort)
        .onCommand(RetryFailed.class, this::onRetryFailed);
    b.forState(
            s ->
                s.status() == Status.RUNNING
                    || s.status() == Status.PAUSED
                    || s.status() == Status.COMPLETED
                    || s.status() == Status.ABORTED)
        .onCommand(Rollback.class, this::onRollback)
        .onCommand(RollbackLaunched.class, this::onRollbackLaunched);
    b.forAnyState()
        .onCommand(GetProgress.class, (s, c) -> Effect().reply(c.replyTo(), s.progress()))
        .onCommand(AssignmentReplied.class, this::buffer)
        .onCommand(RecordInProgress.class, this::buffer)
        .onCommand(RecordOutcome.class, this::buffer)
        .onCommand(Settle.class, (s, c) -> settle(s))
        .onCommand(Halt.class, (s, c) -> Effect().none())
        .onCommand(TargetsSelected.class, (s, c) -> Effect().none())
        .onCommand(Create.class, (s, c) -> Effect().reply(c.replyTo(), exists()))
        .onCommand(FirmwareChecked.class, (s, c) -> Effect().reply(c.replyTo(), exists()))
        .onCommand(Start.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "start")))
        .onCommand(Pause.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "pause")))
        .onCommand(Resume.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "resume")))
        .onCommand(Abort.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "abort")))
        .onCommand(
            RetryFailed.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "retry-failed")))
        .onCommand(Rollback.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "roll back")))
        .onCommand(
            RollbackLaunched.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "roll back")));
    return b.build();
  }

  private <T> StatusReply<T> exists() {
    return StatusReply.error("campaign: " + campaignId + " already exists");
  }

  private static <T> StatusReply<T> notIn(State s, String what) {
    String status = s.status() == Status.NEW ? "not created" : s.status().toString();
    return StatusReply.error("status: cannot " + what + " a campaign that is " + status);
  }

  // ---- create and start

  private Effect<Event, State> onCreate(State state, Create c) {
    List<String> problems = CampaignSpecs.problems(c.spec());
    if (!problems.isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.error(String.join("; ", problems)));
    }
    asks.fetchImage(c.spec(), c.replyTo());
    return Effect().none();
  }

  private Effect<Event, State> onFirmwareChecked(State state, FirmwareChecked c) {
    String problem = c.error() != null ? c.error() : CampaignSpecs.fitProblem(c.spec(), c.image());
    if (problem != null) {
      return Effect().reply(c.replyTo(), StatusReply.error(problem));
    }
    return Effect()
        .persist(new Created(campaignId, c.spec(), c.image(), clock.now()))
        .thenReply(c.replyTo(), s -> StatusReply.ack());
  }

  private Effect<Event, State> onStart(State state, Start c) {
    asks.selectTargets(state.spec().filter(), c.replyTo());
    return Effect().none();
  }

  private Effect<Event, State> onTargetsSelected(State state, TargetsSelected c) {
    if (c.error() != null) {
      return Effect().reply(c.replyTo(), StatusReply.error(c.error()));
    }
    if (c.targets().isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error("filter: matches no vehicle (" + state.spec().filter() + ")"));
    }
    List<FleetVehicle> ordered = CampaignSpecs.order(c.targets(), seed, campaignId);
    List<List<String>> waves;
    try {
      waves = state.spec().waves().split(ordered);
    } catch (IllegalArgumentException e) {
      return Effect().reply(c.replyTo(), StatusReply.error(e.getMessage()));
    }
    Map<String, String> previous = CampaignSpecs.previousVersions(ordered, state.spec().filter());
    Instant now = clock.now();
    return Effect()
        .persist(List.of(new Started(waves, previous, now), new WaveStarted(0, now)))
        .thenRun(s -> refs.registry().tell(new CampaignRegistry.Running(campaignId)))
        .thenRun(this::launchWave)
        .thenReply(c.replyTo(), x -> StatusReply.success(x.progress()));
  }

  private void launchWave(State s) {
    startSoak(s);
    s.waves().get(s.currentWave()).forEach(vin -> asks.assignIfPending(s, vin));
  }

  /** The current wave's soak runs from now for the policy's soak time (simulated). */
  private void startSoak(State s) {
    settleTimer.startSoak(s.currentWave(), s.spec().policy().soak());
  }

  // ---- facts, in batches

  /** Gathers a per-vehicle fact for the next settle ({@link SettleTimer#gather}). */
  private Effect<Event, State> buffer(State s, Command fact) {
    settleTimer.gather(fact);
    return Effect().none();
  }

  /**
   * At the settle instant: writes the gathered facts that arrived before it and still apply, in
   * canonical order, plus the soak's end if it is due, as one batch with the gate decision they
   * lead to; then acknowledges every outcome in the batch, applied or not (a repeated one was
   * applied before). Facts that arrive at this very instant wait for the next settle, so what a
   * decision sees is every fact of the instants before it, whatever order they came in.
   */
  private Effect<Event, State> settle(State s) {
    SettleTimer.Due due = settleTimer.takeDue();
    List<Command> facts = due.facts();
    List<Event> events = new ArrayList<>();
    State after = s.detached();
    for (Command fact : facts) {
      Event e = CampaignSpecs.factEvent(after, fact);
      if (e != null) {
        events.add(e);
        after = events().apply(after, e);
      }
    }
    if (due.soakEnded().isPresent()) {
      int wave = due.soakEnded().getAsInt();
      if (after.status() == Status.RUNNING && wave == after.currentWave() && !after.soakDone()) {
        events.add(new SoakCompleted(wave));
      }
    }
    List<RecordOutcome> outcomes =
        facts.stream()
            .filter(RecordOutcome.class::isInstance)
            .map(RecordOutcome.class::cast)
            .toList();
    if (events.isEmpty()) {
      acknowledge(outcomes);
      return Effect().none();
    }
    return persistGated(s, events).thenRun(x -> acknowledge(outcomes));
  }

  private static void acknowledge(List<RecordOutcome> outcomes) {
    outcomes.forEach(o -> o.ackTo().tell(new Director.OutcomeAck(o.outcome().assignmentId())));
  }

  /**
   * Persists {@code facts} together with the gate decision they lead to, in one atomic write, so a
   * crash can never leave a wave that passed its gate without the next wave started.
   */
  private EffectBuilder<Event, State> persistGated(State s, List<Event> facts) {
    State after = s.detached();
    for (Event e : facts) {
      after = events().apply(after, e);
    }
    Event decision = after.status() == Status.RUNNING ? WaveGate.event(after, clock.now()) : null;
    if (decision == null) {
      return Effect().persist(facts);
    }
    List<Event> all = new ArrayList<>(facts);
    all.add(decision);
    return Effect()
        .persist(all)
        .thenRun(
            x -> {
              if (decision instanceof WaveStarted) {
                launchWave(x);
              } else {
                settleTimer.stopSoak();
                if (x.status() == Status.COMPLETED || x.status() == Status.ABORTED) {
                  refs.registry().tell(new CampaignRegistry.Finished(campaignId));
                }
              }
            });
  }

  // ---- operator commands

  private Effect<Event, State> pause(State s, String reason, ActorRef<StatusReply<Done>> replyTo) {
    var effect =
        Effect().persist(new Paused(reason, clock.now())).thenRun(x -> settleTimer.stopSoak());
    return replyTo == null ? effect : effect.thenReply(replyTo, x -> StatusReply.ack());
  }

  private Effect<Event, State> onAbort(State s, Abort c) {
    return Effect()
        .persist(new Aborted(c.reason(), clock.now()))
        .thenRun(x -> settleTimer.stopSoak())
        .thenRun(x -> refs.registry().tell(new CampaignRegistry.Finished(campaignId)))
        .thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  private Effect<Event, State> onResume(State s, Resume c) {
    RolloutPolicy p = s.spec().policy();
    CampaignProgress.Wave w = s.wave(s.currentWave());
    if (!c.force() && p.failureTripped(w.failures(), w.accepted())) {
      return Effect()
          .reply(c.replyTo(), StatusReply.error(WaveGate.stillTripped(p, s.currentWave(), w)));
    }
    Resumed resumed = new Resumed(clock.now());
    var effect = c.force() ? Effect().persist(resumed) : persistGated(s, List.of(resumed));
    return effect
        .thenRun(
            x -> {
              if (x.status() == Status.RUNNING && !x.soakDone()) {
                startSoak(x);
              }
            })
        .thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  private Effect<Event, State> onRetryFailed(State s, RetryFailed c) {
    List<String> vins = new ArrayList<>();
    for (int i = 0; i <= s.currentWave(); i++) {
      for (String vin : s.waves().get(i)) {
        Target t = s.target(vin);
        if (t != null && t.settled() && !t.outcome().succeeded()) {
          vins.add(vin);
        }
      }
    }
    if (vins.isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error("retry-failed: no vehicle without success in the waves so far"));
    }
    return Effect()
        .persist(new FailedRetried(vins))
        .thenRun(x -> vins.forEach(vin -> asks.assignIfPending(x, vin)))
        .thenReply(c.replyTo(), x -> StatusReply.success(vins.size()));
  }

  private Effect<Event, State> onRollback(State s, Rollback c) {
    if (!s.rolledBackBy().isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error("rollback: already rolled back by " + s.rolledBackBy()));
    }
    CampaignRollback.Plan plan = CampaignRollback.plan(s);
    if (plan.groups().isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(), StatusReply.error("rollback: no vehicle was updated by this campaign"));
    }
    asks.launchRollback(s, plan, c.replyTo());
    return Effect().none();
  }

  private Effect<Event, State> onRollbackLaunched(State s, RollbackLaunched c) {
    if (c.error() != null) {
      return Effect().reply(c.replyTo(), StatusReply.error(c.error()));
    }
    return Effect()
        .persist(new RolledBackBy(c.campaignIds(), clock.now()))
        .thenRun(x -> settleTimer.stopSoak())
        .thenRun(x -> refs.registry().tell(new CampaignRegistry.Finished(campaignId)))
        .thenReply(c.replyTo(), x -> StatusReply.success(c.campaignIds()));
  }

  // ---- events

  private EventHandler<State, Event> events;

  private EventHandler<State, Event> events() {
    if (events == null) {
      events = buildEventHandler();
    }
    return events;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return events();
  }

  private EventHandler<State, Event> buildEventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            Created.class,
            (s, e) ->
                new State(
                    campaignId,
                    Status.DRAFT,
                    e.spec(),
                    e.image(),
                    List.of(),
                    Map.of(),
                    Map.of(),
                    -1,
                    false,
                    null,
                    List.of()))
        .onEvent(
            Started.class,
            (s, e) -> {
              Map<String, Target> targets = new HashMap<>();
              e.waves().forEach(w -> w.forEach(vin -> targets.put(vin, Target.FIRST)));
              return new State(
                  campaignId,
                  Status.RUNNING,
                  s.spec(),
                  s.image(),
                  e.waves(),
                  e.previousVersions(),
                  targets,
                  -1,
                  false,
                  null,
                  List.of());
            })
        .onEvent(WaveStarted.class, (s, e) -> s.withWave(e.wave(), false))
        .onEvent(SoakCompleted.class, (s, e) -> s.withWave(s.currentWave(), true))
        .onEvent(
            AssignmentAccepted.class,
            (s, e) -> s.withTarget(e.vin(), s.target(e.vin()).at(Stage.ASSIGNED)))
        .onEvent(
            AssignmentRefused.class,
            (s, e) ->
                s.withTarget(e.vin(), s.target(e.vin()).ended(UpdateOutcome.REFUSED, e.reason())))
        .onEvent(
            VehicleInProgress.class,
            (s, e) -> s.withTarget(e.vin(), s.target(e.vin()).at(Stage.IN_PROGRESS)))
        .onEvent(
            OutcomeRecorded.class,
            (s, e) -> s.withTarget(e.vin(), s.target(e.vin()).ended(e.outcome(), e.reason())))
        .onEvent(Paused.class, (s, e) -> s.with(Status.PAUSED, e.reason()))
        .onEvent(Resumed.class, (s, e) -> s.with(Status.RUNNING, null))
        .onEvent(Aborted.class, (s, e) -> s.with(Status.ABORTED, e.reason()))
        .onEvent(Completed.class, (s, e) -> s.with(Status.COMPLETED, null))
        .onEvent(
            FailedRetried.class,
            (s, e) -> {
              Map<String, Target> t = new HashMap<>(s.targets());
              e.vins().forEach(vin -> t.computeIfPresent(vin, (k, v) -> v.retried()));
              return s.withTargets(t);
            })
        .onEvent(
            RolledBackBy.class,
            (s, e) ->
                new State(
                    campaignId,
                    Status.ROLLED_BACK,
                    s.spec(),
                    s.image(),
                    s.waves(),
                    s.previousVersions(),
                    s.targets(),
                    s.currentWave(),
                    s.soakDone(),
                    "rolled back by " + String.join(", ", e.campaignIds()),
                    List.copyOf(e.campaignIds())))
        .build();
  }
}
