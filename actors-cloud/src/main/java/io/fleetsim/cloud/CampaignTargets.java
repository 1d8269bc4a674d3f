package io.fleetsim.cloud;

import io.fleetsim.cluster.Asks;
import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.persistence.PersistenceSetup;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One target group of a campaign: at most {@code fleetsim.cloud.campaign-group-size} of its
 * vehicles, all of one wave, with each vehicle's previous version and {@link Target}, and the
 * per-vehicle events. Entity id {@code <campaignId>#<n>}. The campaign itself keeps only the counts
 * each group reports, so neither its state nor its snapshots grow with the fleet.
 *
 * <p>A group assigns its vehicles when the campaign launches it, and passes each Director's answer
 * to the campaign ({@link Campaign.AssignmentReplied}): every per-vehicle fact goes through the
 * campaign's one timeline ({@link SettleTimer}), which hands the facts of a batch back here in
 * canonical order ({@link Apply}). The group applies each once (a repeat, a late fact or another
 * attempt's changes nothing) and answers with its full counts under a version that grows with every
 * event, so the campaign keeps the latest report of each group and a repeated report is harmless.
 *
 * <p>The assignment ids it makes name the group ({@link #assignmentId}): a Director echoes the id
 * with every fact, and the campaign routes the fact by it without a map from vehicle to group.
 */
public final class CampaignTargets
    extends EventSourcedBehavior<
        CampaignTargets.Command, CampaignTargets.Event, CampaignTargets.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "CampaignTargets");

  // ---- ids

  /** The entity id of group {@code group} of {@code campaignId}. */
  public static String groupId(String campaignId, int group) {
    return campaignId + "#" + group;
  }

  /** The assignment id of a vehicle's attempt: {@code <campaignId>#<group>/<attempt>}. */
  public static String assignmentId(String campaignId, int group, int attempt) {
    return groupId(campaignId, group) + "/" + attempt;
  }

  /** The group an assignment id of {@code campaignId} names, or -1 when it names none. */
  public static int groupOf(String campaignId, String assignmentId) {
    String prefix = campaignId + "#";
    if (assignmentId == null || !assignmentId.startsWith(prefix)) {
      return -1;
    }
    int slash = assignmentId.indexOf('/', prefix.length());
    if (slash <= prefix.length()) {
      return -1;
    }
    try {
      return Integer.parseInt(assignmentId.substring(prefix.length(), slash));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ---- protocol

  public sealed interface Command extends CborSerializable {}

  /** One vehicle of a group and what it ran before (what a rollback returns to; may be null). */
  public record Member(String vin, String previousVersion) implements CborSerializable {}

  /**
   * Creates the group; idempotent. Until the group is launched a repeat may replace its members (a
   * campaign that crashed before it recorded its start selects again).
   */
  public record Init(
      String campaignId,
      int group,
      int wave,
      List<Member> members,
      FirmwareImage image,
      RolloutPolicy policy,
      ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /**
   * Assigns every vehicle whose attempt was never answered (again after a restart); answers with
   * the group's counts when {@code replyTo} is given.
   */
  public record Launch(ActorRef<Report> replyTo) implements Command {}

  /** Per-vehicle facts of one campaign batch, in canonical order: apply each that still applies. */
  public record Apply(List<Campaign.Command> facts, ActorRef<Report> replyTo) implements Command {}

  /** Gives every vehicle that ended without success a new attempt and assigns it. */
  public record RetryFailed(ActorRef<Retried> replyTo) implements Command {}

  /** The vehicles this group updated, by the version each ran before. */
  public record ListUpdated(ActorRef<Map<String, List<String>>> replyTo) implements Command {}

  /** Per vehicle that did not succeed: its outcome and why. */
  public record GetReasons(ActorRef<Map<String, String>> replyTo) implements Command {}

  /** The group's state, for tests and diagnostics. */
  public record GetState(ActorRef<State> replyTo) implements Command {}

  record AssignReplied(String vin, String assignmentId, String error) implements Command {}

  /** Counts of one group, by stage and outcome. */
  public record Tally(int size, int pending, int inProgress, Map<UpdateOutcome, Integer> ended)
      implements CborSerializable {
    public Tally {
      ended = Map.copyOf(ended);
    }

    static Tally pending(int size) {
      return new Tally(size, size, 0, Map.of());
    }

    int settled() {
      return ended.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /** A group's full counts; a higher {@code version} supersedes a lower one. */
  public record Report(int group, long version, Tally tally) implements CborSerializable {}

  public record Retried(int vehicles, Report report) implements CborSerializable {}

  // ---- events

  public sealed interface Event extends CborSerializable {}

  public record Initialised(
      String campaignId,
      int group,
      int wave,
      List<Member> members,
      FirmwareImage image,
      RolloutPolicy policy)
      implements Event {}

  public record Launched() implements Event {}

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

  /** Each of these vehicles gets a new attempt (a new assignment id). */
  public record FailedRetried(List<String> vins) implements Event {}

  // ---- state

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

  public record State(Initialised init, boolean launched, Map<String, Target> targets, long version)
      implements CborSerializable {

    static final State EMPTY = new State(null, false, Map.of(), 0);

    boolean initialised() {
      return init != null;
    }

    Target target(String vin) {
      return targets.get(vin);
    }

    String assignmentId(String vin) {
      return CampaignTargets.assignmentId(
          init.campaignId(), init.group(), targets.getOrDefault(vin, Target.FIRST).attempt());
    }

    /** The current attempt of a vehicle of this group, if {@code assignmentId} is it. */
    boolean isCurrent(String vin, String assignmentId) {
      return targets.containsKey(vin) && assignmentId(vin).equals(assignmentId);
    }

    /**
     * One vehicle's target changed. The map is the entity's own and updated in place; what decides
     * ahead of a write works on a {@link #detached()} copy, and so does a snapshot.
     */
    State withTarget(String vin, Target t) {
      Map<String, Target> m =
          targets instanceof HashMap<String, Target> own ? own : new HashMap<>(targets);
      m.put(vin, t);
      return new State(init, launched, m, version + 1);
    }

    State detached() {
      return new State(init, launched, new HashMap<>(targets), version);
    }

    Tally tally() {
      Map<UpdateOutcome, Integer> ended = new EnumMap<>(UpdateOutcome.class);
      int pending = 0;
      int inProgress = 0;
      for (Target t : targets.values()) {
        switch (t.stage()) {
          case PENDING -> pending++;
          case ASSIGNED, IN_PROGRESS -> inProgress++;
          case ENDED -> ended.merge(t.outcome(), 1, Integer::sum);
        }
      }
      return new Tally(targets.size(), pending, inProgress, ended);
    }

    Report report() {
      return new Report(init == null ? -1 : init.group(), version, tally());
    }
  }

  // ---- behaviour

  public static Behavior<Command> create(String groupId, CloudRefs refs) {
    return Behaviors.setup(ctx -> new CampaignTargets(groupId, refs, ctx));
  }

  private final CloudRefs refs;
  private final ActorContext<Command> ctx;
  private final Asks asks;

  private CampaignTargets(String groupId, CloudRefs refs, ActorContext<Command> ctx) {
    super(
        PersistenceId.of(TYPE_KEY.name(), groupId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.refs = refs;
    this.ctx = ctx;
    this.asks = new Asks(ctx.getSystem(), Campaign.ASK_TIMEOUT, ctx.getExecutionContext());
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

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
    return PersistenceSetup.retention(ctx.getSystem());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    // Assignments are side effects of persisted events: the ones never answered go out again.
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            s -> {
              if (s.launched()) {
                assignPending(s, s.targets().keySet());
              }
            })
        .build();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Init.class, this::onInit)
        .onCommand(Launch.class, this::onLaunch)
        .onCommand(Apply.class, this::onApply)
        .onCommand(RetryFailed.class, this::onRetryFailed)
        .onCommand(ListUpdated.class, (s, c) -> Effect().reply(c.replyTo(), updated(s)))
        .onCommand(GetReasons.class, (s, c) -> Effect().reply(c.replyTo(), reasons(s)))
        .onCommand(AssignReplied.class, this::onAssignReplied)
        .onCommand(GetState.class, (s, c) -> Effect().reply(c.replyTo(), s.detached()))
        .build();
  }

  private Effect<Event, State> onInit(State s, Init c) {
    Initialised e =
        new Initialised(c.campaignId(), c.group(), c.wave(), c.members(), c.image(), c.policy());
    if (s.launched() || e.equals(s.init())) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().persist(e).thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  private Effect<Event, State> onLaunch(State s, Launch c) {
    if (!s.initialised()) {
      // Never initialised: nothing to assign (the campaign initialises before it launches).
      return c.replyTo() == null ? Effect().none() : Effect().reply(c.replyTo(), s.report());
    }
    var effect = s.launched() ? Effect().none() : Effect().persist((Event) new Launched());
    return effect
        .thenRun(x -> assignPending(x, x.targets().keySet()))
        .thenRun(
            x -> {
              if (c.replyTo() != null) {
                c.replyTo().tell(x.report());
              }
            });
  }

  private Effect<Event, State> onApply(State s, Apply c) {
    if (!s.initialised()) {
      return Effect().reply(c.replyTo(), s.report());
    }
    List<Event> events = new ArrayList<>();
    State after = s.detached();
    for (Campaign.Command fact : c.facts()) {
      Event e = CampaignSpecs.factEvent(after, fact);
      if (e != null) {
        events.add(e);
        after = eventHandler().apply(after, e);
      }
    }
    if (events.isEmpty()) {
      return Effect().reply(c.replyTo(), s.report());
    }
    return Effect().persist(events).thenReply(c.replyTo(), State::report);
  }

  private Effect<Event, State> onRetryFailed(State s, RetryFailed c) {
    List<String> vins = new ArrayList<>();
    new TreeMap<>(s.targets())
        .forEach(
            (vin, t) -> {
              if (t.settled() && !t.outcome().succeeded()) {
                vins.add(vin);
              }
            });
    if (vins.isEmpty()) {
      return Effect().reply(c.replyTo(), new Retried(0, s.report()));
    }
    return Effect()
        .persist(new FailedRetried(vins))
        .thenRun(x -> assignPending(x, vins))
        .thenReply(c.replyTo(), x -> new Retried(vins.size(), x.report()));
  }

  private Effect<Event, State> onAssignReplied(State s, AssignReplied c) {
    refs.campaign(s.init().campaignId())
        .tell(new Campaign.AssignmentReplied(c.vin(), c.assignmentId(), c.error()));
    return Effect().none();
  }

  private static Map<String, List<String>> updated(State s) {
    Map<String, List<String>> byVersion = new TreeMap<>();
    if (!s.initialised()) {
      return byVersion;
    }
    for (Member m : s.init().members()) {
      Target t = s.target(m.vin());
      if (t != null
          && t.settled()
          && t.outcome() == UpdateOutcome.SUCCEEDED
          && m.previousVersion() != null) {
        byVersion.computeIfAbsent(m.previousVersion(), v -> new ArrayList<>()).add(m.vin());
      }
    }
    return byVersion;
  }

  private static Map<String, String> reasons(State s) {
    Map<String, String> reasons = new TreeMap<>();
    s.targets()
        .forEach(
            (vin, t) -> {
              if (t.settled() && !t.outcome().succeeded() && t.reason() != null) {
                reasons.put(vin, t.outcome() + ": " + t.reason());
              }
            });
    return reasons;
  }

  /** Assigns the image to each of {@code vins} whose current attempt is still PENDING. */
  private void assignPending(State s, Iterable<String> vins) {
    Initialised init = s.init();
    RolloutPolicy p = init.policy();
    List<String> sorted = new ArrayList<>();
    vins.forEach(sorted::add);
    sorted.sort(null);
    for (String vin : sorted) {
      Target t = s.target(vin);
      if (t == null || t.stage() != Stage.PENDING) {
        continue;
      }
      String assignmentId = s.assignmentId(vin);
      ctx.pipeToSelf(
          asks.<Director.Command, Done>askWithStatus(
              refs.director(vin),
              replyTo ->
                  new Director.Assign(
                      assignmentId,
                      init.campaignId(),
                      init.image(),
                      new Director.Constraints(p.requireParked(), p.requireConsent()),
                      p.timeLimit(),
                      replyTo)),
          (done, err) ->
              new AssignReplied(vin, assignmentId, err == null ? null : Asks.rootCause(err)));
    }
  }

  // ---- events

  private EventHandler<State, Event> events;

  @Override
  public EventHandler<State, Event> eventHandler() {
    if (events == null) {
      events = buildEventHandler();
    }
    return events;
  }

  private EventHandler<State, Event> buildEventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            Initialised.class,
            (s, e) -> {
              Map<String, Target> targets = new HashMap<>();
              e.members().forEach(m -> targets.put(m.vin(), Target.FIRST));
              return new State(e, false, targets, s.version() + 1);
            })
        .onEvent(Launched.class, (s, e) -> new State(s.init(), true, s.targets(), s.version()))
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
        .onEvent(
            FailedRetried.class,
            (s, e) -> {
              State out = s;
              for (String vin : e.vins()) {
                Target t = out.target(vin);
                if (t != null) {
                  out = out.withTarget(vin, t.retried());
                }
              }
              return out;
            })
        .build();
  }
}
