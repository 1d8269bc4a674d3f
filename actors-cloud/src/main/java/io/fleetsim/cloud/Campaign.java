package io.fleetsim.cloud;

import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.SimClock;
import io.fleetsim.persistence.PersistenceSetup;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A rollout of one firmware image to the vehicles a filter selects, wave by wave. Each wave's
 * vehicles get an assignment from their Director; the Directors report every verified outcome back
 * here, and the campaign advances when the wave soaked long enough and reached the success
 * threshold, or pauses/aborts as soon as the failure threshold is reached.
 */
public final class Campaign
    extends EventSourcedBehavior<Campaign.Command, Campaign.Event, Campaign.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Campaign");
  public static final String TAG = "campaign";
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  // ---- protocol -------------------------------------------------------------------------

  /** What an operator asks for. */
  public record Spec(
      String description,
      TargetFilter filter,
      String firmwareVersion,
      WavePlan waves,
      RolloutPolicy policy)
      implements CborSerializable {}

  public sealed interface Command {}

  public record Create(Spec spec, ActorRef<StatusReply<Done>> replyTo)
      implements Command, CborSerializable {}

  public record Start(ActorRef<StatusReply<Progress>> replyTo)
      implements Command, CborSerializable {}

  public record Pause(String reason, ActorRef<StatusReply<Done>> replyTo)
      implements Command, CborSerializable {}

  /** {@code force} resumes even though the failure gate is still tripped. */
  public record Resume(boolean force, ActorRef<StatusReply<Done>> replyTo)
      implements Command, CborSerializable {}

  public record Abort(String reason, ActorRef<StatusReply<Done>> replyTo)
      implements Command, CborSerializable {}

  public record RetryFailed(ActorRef<StatusReply<Integer>> replyTo)
      implements Command, CborSerializable {}

  public record Rollback(ActorRef<StatusReply<Integer>> replyTo)
      implements Command, CborSerializable {}

  /** Sent by the {@link CampaignRegistry} on an emergency stop. */
  public record Halt(String reason) implements Command, CborSerializable {}

  public record GetProgress(ActorRef<Progress> replyTo) implements Command, CborSerializable {}

  /** Sent by a Director once the vehicle fetched metadata that contains the assignment. */
  public record RecordInProgress(String vin) implements Command, CborSerializable {}

  /** Sent by a Director after it verified a version manifest. */
  public record RecordOutcome(String vin, UpdateOutcome outcome, String installedVersion)
      implements Command, CborSerializable {}

  private record FirmwareChecked(
      Spec spec, FirmwareImage image, String error, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  private record TargetsSelected(
      List<FleetVehicle> targets, String error, ActorRef<StatusReply<Progress>> replyTo)
      implements Command {}

  private record AssignmentReplied(String vin, boolean rollback, String error) implements Command {}

  private record SoakElapsed(int wave) implements Command {}

  /** Time to write the per-vehicle facts gathered since the last write. */
  private record Flush() implements Command {}

  private record RollbackResolved(
      Map<String, FirmwareImage> images, String error, ActorRef<StatusReply<Integer>> replyTo)
      implements Command {}

  // ---- events -----------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record Created(String campaignId, Spec spec, FirmwareImage image, Instant at)
      implements Event {}

  /** Waves are fixed once at start, so recovery and every node agree on who is in which wave. */
  public record Started(List<List<String>> waves, Map<String, String> previousVersions, Instant at)
      implements Event {}

  public record WaveStarted(int wave, Instant at) implements Event {}

  public record AssignmentAccepted(String vin) implements Event {}

  public record AssignmentRefused(String vin, String reason) implements Event {}

  public record VehicleInProgress(String vin) implements Event {}

  public record OutcomeRecorded(String vin, UpdateOutcome outcome, String installedVersion)
      implements Event {}

  public record SoakCompleted(int wave) implements Event {}

  public record Paused(String reason, Instant at) implements Event {}

  public record Resumed(Instant at) implements Event {}

  public record Aborted(String reason, Instant at) implements Event {}

  public record Completed(Instant at) implements Event {}

  public record FailedRetried(List<String> vins) implements Event {}

  public record RollbackStarted(Map<String, FirmwareImage> images, List<String> vins, Instant at)
      implements Event {}

  // ---- state ------------------------------------------------------------------------------

  public enum Status {
    NEW,
    DRAFT,
    RUNNING,
    PAUSED,
    COMPLETED,
    ABORTED,
    ROLLING_BACK
  }

  /** Where one vehicle is in this campaign. */
  public enum VehicleStatus {
    PENDING,
    ASSIGNED,
    IN_PROGRESS,
    SUCCEEDED,
    FAILED,
    ROLLED_BACK,
    REFUSED;

    boolean settled() {
      return this == SUCCEEDED || this == FAILED || this == ROLLED_BACK || this == REFUSED;
    }

    boolean failed() {
      return this == FAILED || this == ROLLED_BACK;
    }
  }

  public record State(
      String campaignId,
      Status status,
      Spec spec,
      FirmwareImage image,
      List<List<String>> waves,
      Map<String, Integer> waveOf,
      Map<String, String> previousVersions,
      Map<String, VehicleStatus> vehicles,
      Map<String, String> refusals,
      int currentWave,
      boolean soakDone,
      String reason,
      Map<String, FirmwareImage> rollbackImages,
      Map<String, VehicleStatus> rollback)
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
          Map.of(),
          Map.of(),
          -1,
          false,
          null,
          Map.of(),
          Map.of());
    }

    State withStatus(Status s, String why) {
      return new State(
          campaignId,
          s,
          spec,
          image,
          waves,
          waveOf,
          previousVersions,
          vehicles,
          refusals,
          currentWave,
          soakDone,
          why,
          rollbackImages,
          rollback);
    }

    State withVehicle(String vin, VehicleStatus vs) {
      Map<String, VehicleStatus> v = new HashMap<>(vehicles);
      v.put(vin, vs);
      return new State(
          campaignId,
          status,
          spec,
          image,
          waves,
          waveOf,
          previousVersions,
          v,
          refusals,
          currentWave,
          soakDone,
          reason,
          rollbackImages,
          rollback);
    }

    State withRollbackVehicle(String vin, VehicleStatus vs) {
      Map<String, VehicleStatus> r = new HashMap<>(rollback);
      r.put(vin, vs);
      return new State(
          campaignId,
          status,
          spec,
          image,
          waves,
          waveOf,
          previousVersions,
          vehicles,
          refusals,
          currentWave,
          soakDone,
          reason,
          rollbackImages,
          r);
    }

    State withRefusal(String vin, String why) {
      Map<String, String> r = new TreeMap<>(refusals);
      r.put(vin, why);
      return new State(
          campaignId,
          status,
          spec,
          image,
          waves,
          waveOf,
          previousVersions,
          vehicles,
          r,
          currentWave,
          soakDone,
          reason,
          rollbackImages,
          rollback);
    }

    State withWave(int wave, boolean soaked) {
      return new State(
          campaignId,
          status,
          spec,
          image,
          waves,
          waveOf,
          previousVersions,
          vehicles,
          refusals,
          wave,
          soaked,
          reason,
          rollbackImages,
          rollback);
    }

    VehicleStatus statusOf(String vin) {
      return vehicles.getOrDefault(vin, VehicleStatus.PENDING);
    }

    boolean inRollback(String vin) {
      return status == Status.ROLLING_BACK && rollback.containsKey(vin);
    }

    WaveProgress wave(int index) {
      int[] counts = new int[VehicleStatus.values().length];
      for (String vin : waves.get(index)) {
        counts[statusOf(vin).ordinal()]++;
      }
      int refused = counts[VehicleStatus.REFUSED.ordinal()];
      int pending = counts[VehicleStatus.PENDING.ordinal()];
      int size = waves.get(index).size();
      return new WaveProgress(
          index,
          size,
          size - refused - pending,
          counts[VehicleStatus.ASSIGNED.ordinal()] + counts[VehicleStatus.IN_PROGRESS.ordinal()],
          counts[VehicleStatus.SUCCEEDED.ordinal()],
          counts[VehicleStatus.FAILED.ordinal()],
          counts[VehicleStatus.ROLLED_BACK.ordinal()],
          refused);
    }

    Progress progress() {
      List<WaveProgress> ws = new ArrayList<>();
      for (int i = 0; i < waves.size(); i++) {
        ws.add(wave(i));
      }
      Map<VehicleStatus, Integer> rb = new TreeMap<>();
      rollback.values().forEach(s -> rb.merge(s, 1, Integer::sum));
      return new Progress(campaignId, status, currentWave, reason, ws, refusals, rb);
    }
  }

  /** Per-wave counts, as an operator dashboard shows them. */
  public record WaveProgress(
      int wave,
      int size,
      int assigned,
      int inProgress,
      int succeeded,
      int failed,
      int rolledBack,
      int refused)
      implements CborSerializable {}

  public record Progress(
      String campaignId,
      Status status,
      int currentWave,
      String reason,
      List<WaveProgress> waves,
      Map<String, String> refusals,
      Map<VehicleStatus, Integer> rollback)
      implements CborSerializable {}

  // ---- behaviour --------------------------------------------------------------------------

  public static Behavior<Command> create(String campaignId, CloudRefs refs) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new Campaign(
                        campaignId,
                        refs,
                        ctx,
                        timers,
                        SimClock.get(ctx.getSystem()),
                        Seeds.scenarioSeed(ctx.getSystem()))));
  }

  private final String campaignId;
  private final CloudRefs refs;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final SimClock clock;
  private final long seed;

  /**
   * Per-vehicle facts (assignment replies, in progress, outcomes) not written yet. A wave of
   * thousands of vehicles sends thousands of them within seconds, and one campaign persists one
   * write at a time; gathering them for {@link #FLUSH_AFTER} and writing them as one atomic batch
   * (with the gate decision they lead to) keeps the campaign from becoming the fleet's queue. Not
   * state: a fact lost with a crash before its write is like a lost tell, which the Director's
   * fire-and-forget report to the campaign already allows for.
   */
  private final List<Command> unwritten = new ArrayList<>();

  static final Duration FLUSH_AFTER = Duration.ofMillis(20);
  static final int FLUSH_AT = 1000;

  private Campaign(
      String campaignId,
      CloudRefs refs,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      SimClock clock,
      long seed) {
    super(PersistenceId.of(TYPE_KEY.name(), campaignId));
    this.campaignId = campaignId;
    this.refs = refs;
    this.ctx = ctx;
    this.timers = timers;
    this.clock = clock;
    this.seed = seed;
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
   * Assignments are side effects of persisted events, so after a crash the ones that were never
   * answered are sent again (the Director accepts a repeated identical assignment), and a pending
   * soak timer is restarted.
   */
  private void onRecovered(State state) {
    if (state.status() == Status.RUNNING) {
      if (!state.soakDone()) {
        startSoak(state.currentWave(), state);
      }
      for (String vin : state.waves().get(state.currentWave())) {
        if (state.statusOf(vin) == VehicleStatus.PENDING) {
          assign(state, vin, false);
        }
      }
    }
    if (state.status() == Status.ROLLING_BACK) {
      state
          .rollback()
          .forEach(
              (vin, s) -> {
                if (s == VehicleStatus.PENDING) {
                  assign(state, vin, true);
                }
              });
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
        .onCommand(
            Abort.class,
            (s, c) ->
                Effect()
                    .persist(new Aborted(c.reason(), clock.now()))
                    .thenReply(c.replyTo(), x -> StatusReply.ack()));
    b.forState(s -> s.status() == Status.RUNNING)
        .onCommand(
            Pause.class,
            (s, c) ->
                Effect()
                    .persist(new Paused("paused: " + c.reason(), clock.now()))
                    .thenRun(x -> stopSoak())
                    .thenReply(c.replyTo(), x -> StatusReply.ack()))
        .onCommand(
            Halt.class,
            (s, c) ->
                Effect()
                    .persist(new Paused("emergency stop: " + c.reason(), clock.now()))
                    .thenRun(x -> stopSoak()))
        .onCommand(SoakElapsed.class, this::onSoakElapsed);
    b.forState(s -> s.status() == Status.PAUSED).onCommand(Resume.class, this::onResume);
    b.forState(s -> s.status() == Status.RUNNING || s.status() == Status.PAUSED)
        .onCommand(
            Abort.class,
            (s, c) ->
                Effect()
                    .persist(new Aborted(c.reason(), clock.now()))
                    .thenRun(x -> stopSoak())
                    .thenRun(x -> refs.registry().tell(new CampaignRegistry.Finished(campaignId)))
                    .thenReply(c.replyTo(), x -> StatusReply.ack()))
        .onCommand(RetryFailed.class, this::onRetryFailed);
    b.forState(
            s ->
                s.status() == Status.RUNNING
                    || s.status() == Status.PAUSED
                    || s.status() == Status.COMPLETED
                    || s.status() == Status.ABORTED)
        .onCommand(Rollback.class, this::onRollback)
        .onCommand(RollbackResolved.class, this::onRollbackResolved);
    b.forAnyState()
        .onCommand(GetProgress.class, (s, c) -> Effect().reply(c.replyTo(), s.progress()))
        .onCommand(AssignmentReplied.class, this::buffer)
        .onCommand(RecordInProgress.class, this::buffer)
        .onCommand(RecordOutcome.class, this::buffer)
        .onCommand(Flush.class, (s, c) -> flush(s))
        .onCommand(Halt.class, (s, c) -> Effect().none())
        .onCommand(SoakElapsed.class, (s, c) -> Effect().none())
        .onCommand(
            Create.class,
            (s, c) ->
                Effect()
                    .reply(
                        c.replyTo(),
                        StatusReply.error("campaign: " + campaignId + " already exists")))
        .onCommand(
            FirmwareChecked.class,
            (s, c) ->
                Effect()
                    .reply(
                        c.replyTo(),
                        StatusReply.error("campaign: " + campaignId + " already exists")))
        .onCommand(Start.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "start")))
        .onCommand(TargetsSelected.class, (s, c) -> Effect().none())
        .onCommand(Pause.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "pause")))
        .onCommand(Resume.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "resume")))
        .onCommand(Abort.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "abort")))
        .onCommand(
            RetryFailed.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "retry-failed")))
        .onCommand(Rollback.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "rollback")))
        .onCommand(
            RollbackResolved.class, (s, c) -> Effect().reply(c.replyTo(), notIn(s, "rollback")));
    return b.build();
  }

  private static <T> StatusReply<T> notIn(State s, String what) {
    String status = s.status() == Status.NEW ? "not created" : s.status().toString();
    return StatusReply.error("status: cannot " + what + " a campaign that is " + status);
  }

  private Effect<Event, State> onCreate(State state, Create c) {
    Spec spec = c.spec();
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      return Effect().reply(c.replyTo(), StatusReply.error("spec: must be given"));
    }
    if (spec.filter() == null) {
      problems.add("filter: must be given");
    } else {
      problems.addAll(spec.filter().problems());
    }
    if (spec.firmwareVersion() == null || spec.firmwareVersion().isBlank()) {
      problems.add("firmwareVersion: must not be empty");
    }
    if (spec.waves() == null) {
      problems.add("waves: must be given");
    } else {
      problems.addAll(spec.waves().problems());
    }
    if (spec.policy() == null) {
      problems.add("policy: must be given");
    } else {
      problems.addAll(spec.policy().problems());
    }
    if (!problems.isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.error(String.join("; ", problems)));
    }
    String ecuType = spec.filter().ecuType();
    ctx.askWithStatus(
        FirmwareImage.class,
        refs.imageRepository(),
        ASK_TIMEOUT,
        replyTo -> new ImageRepository.GetImage(ecuType, spec.firmwareVersion(), replyTo),
        (image, err) ->
            new FirmwareChecked(
                spec,
                image,
                err == null
                    ? null
                    : "firmware: no image "
                        + ecuType
                        + " "
                        + spec.firmwareVersion()
                        + " in the image repository ("
                        + err.getMessage()
                        + ")",
                c.replyTo()));
    return Effect().none();
  }

  private Effect<Event, State> onFirmwareChecked(State state, FirmwareChecked c) {
    if (c.error() != null) {
      return Effect().reply(c.replyTo(), StatusReply.error(c.error()));
    }
    TargetFilter f = c.spec().filter();
    if (!c.image().ecuType().equals(f.ecuType())) {
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error(
                  "firmware: image "
                      + c.image().targetName()
                      + " is for ECU type "
                      + c.image().ecuType()
                      + ", the filter targets "
                      + f.ecuType()));
    }
    for (String hw : f.hardwareIds()) {
      if (!c.image().hardwareIds().contains(hw)) {
        return Effect()
            .reply(
                c.replyTo(),
                StatusReply.error(
                    "filter.hardwareIds: image "
                        + c.image().targetName()
                        + " fits "
                        + c.image().hardwareIds()
                        + ", not "
                        + hw));
      }
    }
    return Effect()
        .persist(new Created(campaignId, c.spec(), c.image(), clock.now()))
        .thenReply(c.replyTo(), s -> StatusReply.ack());
  }

  private Effect<Event, State> onStart(State state, Start c) {
    ctx.pipeToSelf(
        refs.fleet().targets(state.spec().filter()),
        (targets, err) ->
            new TargetsSelected(
                targets, err == null ? null : "fleet: " + err.getMessage(), c.replyTo()));
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
    // VIN order first so the shuffle depends on the seed only, not on how the store pages.
    List<FleetVehicle> ordered = new ArrayList<>(c.targets());
    ordered.sort(Comparator.comparing(FleetVehicle::vin));
    Collections.shuffle(ordered, new Random(Seeds.entitySeed(seed, "campaign/" + campaignId)));
    List<List<String>> waves;
    try {
      waves = state.spec().waves().split(ordered);
    } catch (IllegalArgumentException e) {
      return Effect().reply(c.replyTo(), StatusReply.error(e.getMessage()));
    }
    Map<String, String> previous = new HashMap<>();
    for (FleetVehicle v : ordered) {
      v.ecus().stream()
          .filter(state.spec().filter()::matchesEcu)
          .findFirst()
          .ifPresent(e -> previous.put(v.vin(), e.installedVersion()));
    }
    Instant now = clock.now();
    return Effect()
        .persist(List.of(new Started(waves, previous, now), new WaveStarted(0, now)))
        .thenRun(s -> refs.registry().tell(new CampaignRegistry.Running(campaignId)))
        .thenRun(this::launchWave)
        .thenReply(c.replyTo(), x -> StatusReply.success(x.progress()));
  }

  private void launchWave(State s) {
    startSoak(s.currentWave(), s);
    for (String vin : s.waves().get(s.currentWave())) {
      if (s.statusOf(vin) == VehicleStatus.PENDING) {
        assign(s, vin, false);
      }
    }
  }

  private void startSoak(int wave, State s) {
    timers.startSingleTimer("soak", new SoakElapsed(wave), clock.toWall(s.spec().policy().soak()));
  }

  private void assign(State s, String vin, boolean rollback) {
    FirmwareImage image =
        rollback ? s.rollbackImages().get(s.previousVersions().get(vin)) : s.image();
    RolloutPolicy p = s.spec().policy();
    ctx.askWithStatus(
        Done.class,
        refs.director(vin),
        ASK_TIMEOUT,
        replyTo ->
            new Director.Assign(
                campaignId + "/" + (rollback ? "rollback" : "1"),
                campaignId,
                image,
                new Director.Constraints(p.requireParked(), p.requireConsent()),
                replyTo),
        (done, err) -> new AssignmentReplied(vin, rollback, err == null ? null : err.getMessage()));
  }

  /**
   * Pausing, aborting or finishing stops the soak clock only: facts already gathered must still be
   * written, so the flush timer keeps running.
   */
  private void stopSoak() {
    timers.cancel("soak");
  }

  private Effect<Event, State> buffer(State s, Command fact) {
    unwritten.add(fact);
    if (unwritten.size() >= FLUSH_AT) {
      return flush(s);
    }
    if (!timers.isTimerActive("flush")) {
      timers.startSingleTimer("flush", new Flush(), FLUSH_AFTER);
    }
    return Effect().none();
  }

  /** Writes the gathered facts that still apply, in the order they arrived, as one batch. */
  private Effect<Event, State> flush(State s) {
    timers.cancel("flush");
    List<Event> events = new ArrayList<>();
    State after = s;
    for (Command fact : unwritten) {
      Event e = null;
      if (fact instanceof AssignmentReplied c) {
        e = assignmentEvent(after, c);
      } else if (fact instanceof RecordInProgress c) {
        e = inProgressEvent(after, c);
      } else if (fact instanceof RecordOutcome c) {
        e = outcomeEvent(after, c);
      }
      if (e != null) {
        events.add(e);
        after = events().apply(after, e);
      }
    }
    unwritten.clear();
    return events.isEmpty() ? Effect().none() : persistGated(s, events);
  }

  private static Event assignmentEvent(State s, AssignmentReplied c) {
    VehicleStatus current = c.rollback() ? s.rollback().get(c.vin()) : s.statusOf(c.vin());
    if (current != VehicleStatus.PENDING) {
      return null;
    }
    return c.error() == null
        ? new AssignmentAccepted(c.vin())
        : new AssignmentRefused(c.vin(), c.error());
  }

  private static Event inProgressEvent(State s, RecordInProgress c) {
    VehicleStatus current = s.inRollback(c.vin()) ? s.rollback().get(c.vin()) : s.statusOf(c.vin());
    return current == VehicleStatus.ASSIGNED ? new VehicleInProgress(c.vin()) : null;
  }

  private static Event outcomeEvent(State s, RecordOutcome c) {
    boolean known = s.waveOf().containsKey(c.vin());
    VehicleStatus current = s.inRollback(c.vin()) ? s.rollback().get(c.vin()) : s.statusOf(c.vin());
    if (!known || current.settled() || current == VehicleStatus.PENDING) {
      return null;
    }
    return new OutcomeRecorded(c.vin(), c.outcome(), c.installedVersion());
  }

  private Effect<Event, State> onSoakElapsed(State s, SoakElapsed c) {
    if (c.wave() != s.currentWave() || s.soakDone()) {
      return Effect().none();
    }
    return persistGated(s, new SoakCompleted(c.wave()));
  }

  /**
   * Persists {@code e} together with the gate decision it leads to, in one atomic write, so a crash
   * can never leave a wave that passed its gate without the next wave started. Failures are checked
   * first and without waiting for the soak: a bad image should stop the rollout as early as
   * possible.
   */
  private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<Event, State> persistGated(
      State s, Event e) {
    return persistGated(s, List.of(e));
  }

  private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<Event, State> persistGated(
      State s, List<Event> facts) {
    State after = s;
    for (Event e : facts) {
      after = events().apply(after, e);
    }
    Event decision = after.status() == Status.RUNNING ? gateDecision(after) : null;
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
                stopSoak();
                if (x.status() == Status.COMPLETED || x.status() == Status.ABORTED) {
                  refs.registry().tell(new CampaignRegistry.Finished(campaignId));
                }
              }
            });
  }

  private Event gateDecision(State s) {
    RolloutPolicy p = s.spec().policy();
    WaveProgress w = s.wave(s.currentWave());
    int accepted = w.size() - w.refused();
    int failed = w.failed() + w.rolledBack();
    if (p.failureTripped(failed, accepted)) {
      String why =
          String.format(
              "failureThreshold: wave %d reached %.1f %% failed (%d of %d), threshold %s %%",
              s.currentWave() + 1,
              failed * 100.0 / accepted,
              failed,
              accepted,
              RolloutPolicy.fmt(p.failureThreshold()));
      return p.onFailure() == RolloutPolicy.OnFailure.ABORT
          ? new Aborted(why, clock.now())
          : new Paused(why, clock.now());
    }
    if (!s.soakDone()) {
      return null;
    }
    if (p.successReached(w.succeeded(), accepted)) {
      return s.currentWave() + 1 < s.waves().size()
          ? new WaveStarted(s.currentWave() + 1, clock.now())
          : new Completed(clock.now());
    }
    boolean settled =
        s.waves().get(s.currentWave()).stream().allMatch(vin -> s.statusOf(vin).settled());
    if (settled) {
      return new Paused(
          String.format(
              "successThreshold: wave %d settled at %d of %d succeeded, threshold %s %%",
              s.currentWave() + 1,
              w.succeeded(),
              accepted,
              RolloutPolicy.fmt(p.successThreshold())),
          clock.now());
    }
    return null;
  }

  private Effect<Event, State> onResume(State s, Resume c) {
    RolloutPolicy p = s.spec().policy();
    WaveProgress w = s.wave(s.currentWave());
    int accepted = w.size() - w.refused();
    int failed = w.failed() + w.rolledBack();
    if (!c.force() && p.failureTripped(failed, accepted)) {
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error(
                  String.format(
                      "failureThreshold: wave %d is still at %.1f %% failed (threshold %s %%);"
                          + " retry-failed, abort, or resume with force",
                      s.currentWave() + 1,
                      failed * 100.0 / accepted,
                      RolloutPolicy.fmt(p.failureThreshold()))));
    }
    var effect =
        c.force()
            ? Effect().persist(new Resumed(clock.now()))
            : persistGated(s, new Resumed(clock.now()));
    return effect
        .thenRun(
            x -> {
              if (x.status() == Status.RUNNING && !x.soakDone()) {
                startSoak(x.currentWave(), x);
              }
            })
        .thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  private Effect<Event, State> onRetryFailed(State s, RetryFailed c) {
    List<String> vins = new ArrayList<>();
    for (int i = 0; i <= s.currentWave(); i++) {
      for (String vin : s.waves().get(i)) {
        VehicleStatus vs = s.statusOf(vin);
        if (vs.failed() || vs == VehicleStatus.REFUSED) {
          vins.add(vin);
        }
      }
    }
    if (vins.isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error(
                  "retry-failed: no failed or refused vehicle in waves started so far"));
    }
    return Effect()
        .persist(new FailedRetried(vins))
        .thenRun(x -> vins.forEach(vin -> assign(x, vin, false)))
        .thenReply(c.replyTo(), x -> StatusReply.success(vins.size()));
  }

  private Effect<Event, State> onRollback(State s, Rollback c) {
    Set<String> versions = new TreeSet<>();
    for (Map.Entry<String, VehicleStatus> e : s.vehicles().entrySet()) {
      if (e.getValue() == VehicleStatus.SUCCEEDED) {
        versions.add(s.previousVersions().get(e.getKey()));
      }
    }
    if (versions.isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(), StatusReply.error("rollback: no vehicle was updated by this campaign"));
    }
    String ecuType = s.spec().filter().ecuType();
    List<java.util.concurrent.CompletableFuture<FirmwareImage>> lookups = new ArrayList<>();
    for (String version : versions) {
      lookups.add(
          org.apache.pekko.actor.typed.javadsl.AskPattern
              .<ImageRepository.Command, FirmwareImage>askWithStatus(
                  refs.imageRepository(),
                  replyTo -> new ImageRepository.GetImage(ecuType, version, replyTo),
                  ASK_TIMEOUT,
                  ctx.getSystem().scheduler())
              .toCompletableFuture());
    }
    ctx.pipeToSelf(
        java.util.concurrent.CompletableFuture.allOf(
                lookups.toArray(new java.util.concurrent.CompletableFuture[0]))
            .thenApply(
                x -> {
                  Map<String, FirmwareImage> images = new LinkedHashMap<>();
                  lookups.forEach(f -> images.put(f.join().version(), f.join()));
                  return images;
                }),
        (images, err) ->
            new RollbackResolved(
                images,
                err == null
                    ? null
                    : "rollback: previous version "
                        + versions
                        + " of "
                        + ecuType
                        + " is not in the image repository ("
                        + err.getMessage()
                        + ")",
                c.replyTo()));
    return Effect().none();
  }

  private Effect<Event, State> onRollbackResolved(State s, RollbackResolved c) {
    if (c.error() != null) {
      return Effect().reply(c.replyTo(), StatusReply.error(c.error()));
    }
    List<String> vins =
        s.vehicles().entrySet().stream()
            .filter(e -> e.getValue() == VehicleStatus.SUCCEEDED)
            .map(Map.Entry::getKey)
            .sorted()
            .toList();
    return Effect()
        .persist(new RollbackStarted(c.images(), vins, clock.now()))
        .thenRun(x -> stopSoak())
        .thenRun(x -> refs.registry().tell(new CampaignRegistry.Finished(campaignId)))
        .thenRun(x -> vins.forEach(vin -> assign(x, vin, true)))
        .thenReply(c.replyTo(), x -> StatusReply.success(vins.size()));
  }

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
                    Map.of(),
                    Map.of(),
                    -1,
                    false,
                    null,
                    Map.of(),
                    Map.of()))
        .onEvent(
            Started.class,
            (s, e) -> {
              Map<String, Integer> waveOf = new HashMap<>();
              for (int i = 0; i < e.waves().size(); i++) {
                for (String vin : e.waves().get(i)) {
                  waveOf.put(vin, i);
                }
              }
              return new State(
                  campaignId,
                  Status.RUNNING,
                  s.spec(),
                  s.image(),
                  e.waves(),
                  waveOf,
                  e.previousVersions(),
                  Map.of(),
                  Map.of(),
                  -1,
                  false,
                  null,
                  Map.of(),
                  Map.of());
            })
        .onEvent(WaveStarted.class, (s, e) -> s.withWave(e.wave(), false))
        .onEvent(SoakCompleted.class, (s, e) -> s.withWave(s.currentWave(), true))
        .onEvent(
            AssignmentAccepted.class,
            (s, e) ->
                s.inRollback(e.vin())
                    ? s.withRollbackVehicle(e.vin(), VehicleStatus.ASSIGNED)
                    : s.withVehicle(e.vin(), VehicleStatus.ASSIGNED))
        .onEvent(
            AssignmentRefused.class,
            (s, e) ->
                s.inRollback(e.vin())
                    ? s.withRollbackVehicle(e.vin(), VehicleStatus.REFUSED)
                        .withRefusal(e.vin(), e.reason())
                    : s.withVehicle(e.vin(), VehicleStatus.REFUSED)
                        .withRefusal(e.vin(), e.reason()))
        .onEvent(
            VehicleInProgress.class,
            (s, e) ->
                s.inRollback(e.vin())
                    ? s.withRollbackVehicle(e.vin(), VehicleStatus.IN_PROGRESS)
                    : s.withVehicle(e.vin(), VehicleStatus.IN_PROGRESS))
        .onEvent(
            OutcomeRecorded.class,
            (s, e) -> {
              VehicleStatus vs =
                  switch (e.outcome()) {
                    case SUCCEEDED -> VehicleStatus.SUCCEEDED;
                    case ROLLED_BACK -> VehicleStatus.ROLLED_BACK;
                    default -> VehicleStatus.FAILED;
                  };
              return s.inRollback(e.vin())
                  ? s.withRollbackVehicle(e.vin(), vs)
                  : s.withVehicle(e.vin(), vs);
            })
        .onEvent(Paused.class, (s, e) -> s.withStatus(Status.PAUSED, e.reason()))
        .onEvent(Resumed.class, (s, e) -> s.withStatus(Status.RUNNING, null))
        .onEvent(Aborted.class, (s, e) -> s.withStatus(Status.ABORTED, e.reason()))
        .onEvent(Completed.class, (s, e) -> s.withStatus(Status.COMPLETED, null))
        .onEvent(
            FailedRetried.class,
            (s, e) -> {
              State r = s;
              for (String vin : e.vins()) {
                r = r.withVehicle(vin, VehicleStatus.PENDING);
              }
              Map<String, String> refusals = new TreeMap<>(r.refusals());
              e.vins().forEach(refusals::remove);
              return new State(
                  campaignId,
                  r.status(),
                  r.spec(),
                  r.image(),
                  r.waves(),
                  r.waveOf(),
                  r.previousVersions(),
                  r.vehicles(),
                  refusals,
                  r.currentWave(),
                  r.soakDone(),
                  r.reason(),
                  r.rollbackImages(),
                  r.rollback());
            })
        .onEvent(
            RollbackStarted.class,
            (s, e) -> {
              Map<String, VehicleStatus> rb = new HashMap<>();
              e.vins().forEach(vin -> rb.put(vin, VehicleStatus.PENDING));
              return new State(
                  campaignId,
                  Status.ROLLING_BACK,
                  s.spec(),
                  s.image(),
                  s.waves(),
                  s.waveOf(),
                  s.previousVersions(),
                  s.vehicles(),
                  s.refusals(),
                  s.currentWave(),
                  s.soakDone(),
                  "rollback to previous versions " + e.images().keySet(),
                  e.images(),
                  rb);
            })
        .build();
  }
}
