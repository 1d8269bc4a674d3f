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
 * the assignment from the vehicle's report or, past the policy's time limit, as TIMED_OUT. The
 * vehicles themselves are kept in target groups ({@link CampaignTargets}); the campaign keeps the
 * counts they report, so its state does not grow with the fleet.
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

  /** A Director's answer to an assignment, passed on by the target group that asked. */
  public record AssignmentReplied(String vin, String assignmentId, String error)
      implements Command {}

  /** Every target group is initialised: per wave, the size of each of its groups. */
  record GroupsCreated(
      List<List<Integer>> waves, String error, ActorRef<StatusReply<CampaignProgress>> replyTo)
      implements Command {}

  /** A target group's counts, unasked (after the campaign's recovery): a fact like the others. */
  record GroupReported(CampaignTargets.Report report) implements Command {}

  /**
   * The groups applied one batch's facts and reported their counts; {@code outcomes} are the ones
   * to acknowledge once the counts are written (those of a group that did not answer come again).
   */
  record BatchApplied(
      List<CampaignTargets.Report> reports, List<RecordOutcome> outcomes, int soakEnded)
      implements Command {}

  record RetriesReplied(
      List<CampaignTargets.Retried> retried, String error, ActorRef<StatusReply<Integer>> replyTo)
      implements Command {}

  record ProgressGathered(Map<String, String> reasons, ActorRef<CampaignProgress> replyTo)
      implements Command {}

  record RollbackPlanned(
      Map<String, List<String>> plan, String error, ActorRef<StatusReply<List<String>>> replyTo)
      implements Command {}

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

  /**
   * Waves are fixed once at start, so recovery and every node agree on who is in which wave: per
   * wave, the size of each of its target groups ({@link CampaignTargets}, numbered across waves),
   * which hold the vehicles themselves.
   */
  public record Started(List<List<Integer>> waves, Instant at) implements Event {
    public List<Integer> waveSizes() {
      return waves.stream().map(w -> w.stream().mapToInt(Integer::intValue).sum()).toList();
    }
  }

  public record WaveStarted(int wave, Instant at) implements Event {}

  /** The latest counts of the groups named, each newer than the one the campaign had. */
  public record GroupsCounted(List<CampaignTargets.Report> reports) implements Event {}

  public record SoakCompleted(int wave) implements Event {}

  public record Paused(String reason, Instant at) implements Event {}

  public record Resumed(Instant at) implements Event {}

  public record Aborted(String reason, Instant at) implements Event {}

  public record Completed(Instant at) implements Event {}

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

  /**
   * A campaign keeps counts, never a vehicle: per wave the sizes of its target groups, and each
   * group's latest report. The vehicles, their previous versions and their attempts live in the
   * groups ({@link CampaignTargets}), so this state and its snapshots stay small however large the
   * fleet.
   *
   * @param waves per wave, the size of each of its groups (groups are numbered across waves)
   * @param groups each group's latest report, by group number
   */
  public record State(
      String campaignId,
      Status status,
      Spec spec,
      FirmwareImage image,
      List<List<Integer>> waves,
      List<CampaignTargets.Report> groups,
      int currentWave,
      boolean soakDone,
      String reason,
      List<String> rolledBackBy)
      implements CborSerializable {

    static State empty(String campaignId) {
      return new State(
          campaignId, Status.NEW, null, null, List.of(), List.of(), -1, false, null, List.of());
    }

    State with(Status s, String why) {
      return new State(
          campaignId, s, spec, image, waves, groups, currentWave, soakDone, why, rolledBackBy);
    }

    State withWave(int wave, boolean soaked) {
      return new State(
          campaignId, status, spec, image, waves, groups, wave, soaked, reason, rolledBackBy);
    }

    /** The reports among {@code reports} newer than the ones this state has, one per group. */
    List<CampaignTargets.Report> newer(List<CampaignTargets.Report> reports) {
      Map<Integer, CampaignTargets.Report> latest = new TreeMap<>();
      for (CampaignTargets.Report r : reports) {
        if (r.group() < 0 || r.group() >= groups.size()) {
          continue;
        }
        CampaignTargets.Report known = latest.getOrDefault(r.group(), groups.get(r.group()));
        if (r.version() > known.version()) {
          latest.put(r.group(), r);
        }
      }
      return List.copyOf(latest.values());
    }

    State counted(List<CampaignTargets.Report> reports) {
      List<CampaignTargets.Report> g = new ArrayList<>(groups);
      newer(reports).forEach(r -> g.set(r.group(), r));
      return new State(
          campaignId,
          status,
          spec,
          image,
          waves,
          List.copyOf(g),
          currentWave,
          soakDone,
          reason,
          rolledBackBy);
    }

    int waveCount() {
      return waves.size();
    }

    /** The number of the first group of wave {@code index}. */
    int firstGroup(int index) {
      int n = 0;
      for (int i = 0; i < index; i++) {
        n += waves.get(i).size();
      }
      return n;
    }

    List<Integer> groupsOf(int wave) {
      int first = firstGroup(wave);
      return java.util.stream.IntStream.range(first, first + waves.get(wave).size())
          .boxed()
          .toList();
    }

    /** The numbers of the groups of waves 0 to {@code lastWave}. */
    List<Integer> groupsUpTo(int lastWave) {
      List<Integer> out = new ArrayList<>();
      int end = lastWave < 0 ? 0 : firstGroup(lastWave) + waves.get(lastWave).size();
      for (int g = 0; g < end; g++) {
        out.add(g);
      }
      return out;
    }

    boolean allSettled() {
      return groups.stream().allMatch(r -> r.tally().settled() == r.tally().size());
    }

    CampaignProgress.Wave wave(int index) {
      Map<UpdateOutcome, Integer> ended = new EnumMap<>(UpdateOutcome.class);
      int size = 0;
      int pending = 0;
      int inProgress = 0;
      int first = firstGroup(index);
      for (int g = first; g < first + waves.get(index).size(); g++) {
        CampaignTargets.Tally t = groups.get(g).tally();
        size += t.size();
        pending += t.pending();
        inProgress += t.inProgress();
        t.ended().forEach((o, n) -> ended.merge(o, n, Integer::sum));
      }
      return new CampaignProgress.Wave(index, size, pending, inProgress, ended);
    }

    /** Progress without the reasons of single vehicles, which the groups hold. */
    CampaignProgress progress() {
      return progress(Map.of());
    }

    CampaignProgress progress(Map<String, String> reasons) {
      List<CampaignProgress.Wave> ws = new ArrayList<>();
      for (int i = 0; i < waves.size(); i++) {
        ws.add(wave(i));
      }
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
  private final int groupSize;

  /** Where the groups' unasked reports come in, as {@link GroupReported} facts. */
  private final ActorRef<CampaignTargets.Report> reports;

  /**
   * A batch is with its groups: the next settle waits for their answer (not state: a crash loses
   * only facts that come again).
   */
  private boolean batchInFlight;

  private boolean settleAgain;

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
    this.groupSize = CampaignSpecs.groupSize(ctx.getSystem().settings().config());
    this.reports = ctx.messageAdapter(CampaignTargets.Report.class, GroupReported::new);
  }

  /** {@code fleetsim.cloud.campaign-flush-after} ({@link SettleTimer#flushAfter}). */
  static Duration flushAfter(com.typesafe.config.Config config) {
    return SettleTimer.flushAfter(config);
  }

  @Override
  public State emptyState() {
    return State.empty(campaignId);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // The state holds counts, not vehicles: snapshots are small, as often as any entity's.
    return PersistenceSetup.retention(ctx.getSystem());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .build();
  }

  /**
   * Assignments are side effects of persisted events, so after a crash each group of the waves
   * started so far is launched again: it sends again the assignments never answered (the Director
   * acknowledges an assignment id it already has) and reports its counts, which may be ahead of the
   * ones written here. A pending soak timer is restarted. Outcomes lost with the crash come again
   * from their Directors.
   */
  private void onRecovered(State s) {
    if (s.status() == Status.RUNNING && !s.soakDone()) {
      startSoak(s);
    }
    if (s.status() == Status.RUNNING || s.status() == Status.PAUSED) {
      // Only the waves started so far: later waves wait for their gate.
      asks.launch(s.groupsUpTo(s.currentWave()), reports);
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
        .onCommand(GroupsCreated.class, this::onGroupsCreated)
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
        .onCommand(GetProgress.class, this::onGetProgress)
        .onCommand(
            ProgressGathered.class, (s, c) -> Effect().reply(c.replyTo(), s.progress(c.reasons())))
        .onCommand(AssignmentReplied.class, this::buffer)
        .onCommand(RecordInProgress.class, this::buffer)
        .onCommand(RecordOutcome.class, this::buffer)
        .onCommand(GroupReported.class, this::buffer)
        .onCommand(Settle.class, (s, c) -> settle(s))
        .onCommand(BatchApplied.class, this::onBatchApplied)
        .onCommand(RetriesReplied.class, this::onRetriesReplied)
        .onCommand(RollbackPlanned.class, this::onRollbackPlanned)
        .onCommand(Halt.class, (s, c) -> Effect().none())
        .onCommand(TargetsSelected.class, (s, c) -> Effect().none())
        .onCommand(GroupsCreated.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "start")))
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
    // The groups first, idempotently: a crash before Started leaves groups never launched, which
    // the next Start initialises again; nothing is assigned before Started is written.
    asks.createGroups(state, CampaignSpecs.groups(waves, previous, groupSize), c.replyTo());
    return Effect().none();
  }

  private Effect<Event, State> onGroupsCreated(State state, GroupsCreated c) {
    if (c.error() != null) {
      return Effect().reply(c.replyTo(), StatusReply.error(c.error()));
    }
    Instant now = clock.now();
    return Effect()
        .persist(List.of(new Started(c.waves(), now), new WaveStarted(0, now)))
        .thenRun(s -> refs.registry().tell(new CampaignRegistry.Running(campaignId)))
        .thenRun(this::launchWave)
        .thenReply(c.replyTo(), x -> StatusReply.success(x.progress()));
  }

  private void launchWave(State s) {
    startSoak(s);
    asks.launch(s.groupsOf(s.currentWave()), null);
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
   * At the settle instant: takes the gathered facts that arrived before it, in canonical order, and
   * hands each to the target group its assignment id names, which applies the ones that still apply
   * and reports its counts; the counts, plus the soak's end if it is due, are then written as one
   * batch with the gate decision they lead to ({@link #onBatchApplied}), and every outcome in the
   * batch is acknowledged, applied or not (a repeated one was applied before). Facts that arrive at
   * this very instant wait for the next settle, so what a decision sees is every fact of the
   * instants before it, whatever order they came in. The groups answer at the same simulated
   * instant (their asks are work the clock counts).
   */
  private Effect<Event, State> settle(State s) {
    if (batchInFlight) {
      settleAgain = true;
      return Effect().none();
    }
    SettleTimer.Due due = settleTimer.takeDue();
    Map<Integer, List<Command>> byGroup = new TreeMap<>();
    List<CampaignTargets.Report> direct = new ArrayList<>();
    List<RecordOutcome> unrouted = new ArrayList<>();
    for (Command fact : due.facts()) {
      if (fact instanceof GroupReported g) {
        direct.add(g.report());
        continue;
      }
      int group = CampaignTargets.groupOf(campaignId, CampaignSpecs.assignmentOf(fact));
      if (group >= 0 && group < s.groups().size()) {
        byGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(fact);
      } else if (fact instanceof RecordOutcome o) {
        unrouted.add(o);
      }
    }
    int soakEnded = due.soakEnded().orElse(-1);
    if (byGroup.isEmpty()) {
      return written(s, direct, unrouted, soakEnded);
    }
    batchInFlight = true;
    asks.applyBatch(byGroup, direct, unrouted, soakEnded);
    return Effect().none();
  }

  private Effect<Event, State> onBatchApplied(State s, BatchApplied c) {
    batchInFlight = false;
    if (settleAgain) {
      settleAgain = false;
      ctx.getSelf().tell(new Settle());
    }
    return written(s, c.reports(), c.outcomes(), c.soakEnded());
  }

  /** Writes the newer of {@code reports} and the soak's end, with the decision they lead to. */
  private Effect<Event, State> written(
      State s, List<CampaignTargets.Report> reports, List<RecordOutcome> outcomes, int soakEnded) {
    List<Event> events = new ArrayList<>();
    List<CampaignTargets.Report> newer = s.newer(reports);
    State after = s;
    if (!newer.isEmpty()) {
      events.add(new GroupsCounted(newer));
      after = after.counted(newer);
    }
    if (soakEnded >= 0
        && after.status() == Status.RUNNING
        && soakEnded == after.currentWave()
        && !after.soakDone()) {
      events.add(new SoakCompleted(soakEnded));
    }
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
    State after = s;
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
    asks.retryFailed(s.groupsUpTo(s.currentWave()), c.replyTo());
    return Effect().none();
  }

  /** The groups gave their failed vehicles new attempts (and assigned them): their new counts. */
  private Effect<Event, State> onRetriesReplied(State s, RetriesReplied c) {
    if (c.error() != null) {
      return Effect().reply(c.replyTo(), StatusReply.error("retry-failed: " + c.error()));
    }
    int vehicles = c.retried().stream().mapToInt(CampaignTargets.Retried::vehicles).sum();
    List<CampaignTargets.Report> newer =
        s.newer(c.retried().stream().map(CampaignTargets.Retried::report).toList());
    if (vehicles == 0) {
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error("retry-failed: no vehicle without success in the waves so far"));
    }
    if (newer.isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.success(vehicles));
    }
    return Effect()
        .persist(new GroupsCounted(newer))
        .thenReply(c.replyTo(), x -> StatusReply.success(vehicles));
  }

  private Effect<Event, State> onGetProgress(State s, GetProgress c) {
    if (s.groups().isEmpty()) {
      return Effect().reply(c.replyTo(), s.progress());
    }
    asks.gatherReasons(s.groups().size(), c.replyTo());
    return Effect().none();
  }

  private Effect<Event, State> onRollback(State s, Rollback c) {
    if (!s.rolledBackBy().isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error("rollback: already rolled back by " + s.rolledBackBy()));
    }
    asks.planRollback(s.groups().size(), c.replyTo());
    return Effect().none();
  }

  private Effect<Event, State> onRollbackPlanned(State s, RollbackPlanned c) {
    if (c.error() != null) {
      return Effect().reply(c.replyTo(), StatusReply.error(c.error()));
    }
    if (c.plan().isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(), StatusReply.error("rollback: no vehicle was updated by this campaign"));
    }
    asks.launchRollback(s, new CampaignRollback.Plan(c.plan()), c.replyTo());
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
                    List.of(),
                    -1,
                    false,
                    null,
                    List.of()))
        .onEvent(
            Started.class,
            (s, e) -> {
              List<CampaignTargets.Report> groups = new ArrayList<>();
              for (List<Integer> wave : e.waves()) {
                for (int size : wave) {
                  groups.add(
                      new CampaignTargets.Report(
                          groups.size(), 0, CampaignTargets.Tally.pending(size)));
                }
              }
              return new State(
                  campaignId,
                  Status.RUNNING,
                  s.spec(),
                  s.image(),
                  e.waves(),
                  List.copyOf(groups),
                  -1,
                  false,
                  null,
                  List.of());
            })
        .onEvent(WaveStarted.class, (s, e) -> s.withWave(e.wave(), false))
        .onEvent(SoakCompleted.class, (s, e) -> s.withWave(s.currentWave(), true))
        .onEvent(GroupsCounted.class, (s, e) -> s.counted(e.reports()))
        .onEvent(Paused.class, (s, e) -> s.with(Status.PAUSED, e.reason()))
        .onEvent(Resumed.class, (s, e) -> s.with(Status.RUNNING, null))
        .onEvent(Aborted.class, (s, e) -> s.with(Status.ABORTED, e.reason()))
        .onEvent(Completed.class, (s, e) -> s.with(Status.COMPLETED, null))
        .onEvent(
            RolledBackBy.class,
            (s, e) ->
                new State(
                    campaignId,
                    Status.ROLLED_BACK,
                    s.spec(),
                    s.image(),
                    s.waves(),
                    s.groups(),
                    s.currentWave(),
                    s.soakDone(),
                    "rolled back by " + String.join(", ", e.campaignIds()),
                    List.copyOf(e.campaignIds())))
        .build();
  }
}
