package io.fleetsim.cloud;

import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.EntityHome;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.faults.Faults;
import io.fleetsim.persistence.PersistenceSetup;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.metadata.ImageName;
import io.fleetsim.uptane.metadata.TargetFile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
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
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The Uptane director's record of one vehicle: what it has, what it should install, and the
 * per-vehicle targets metadata saying so, signed with the director keys every node shares. It
 * verifies each version manifest the vehicle sends and tells the campaign that made an assignment
 * how it ended.
 */
public final class Director
    extends EventSourcedBehavior<Director.Command, Director.Event, Director.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Director");

  /** Every Director event carries it; the fleet read model follows it. */
  public static final String TAG = "director";

  /**
   * Per-vehicle timestamps are re-signed when a vehicle asks for one older than this (simulated
   * time), so a parked vehicle that wakes after days does not find frozen metadata.
   */
  static final Duration TIMESTAMP_REFRESH = Duration.ofHours(12);

  // ---- protocol -------------------------------------------------------------------------

  /** An ECU as registered; the installed version and release counter move with manifests. */
  public record EcuInfo(
      String serial,
      String ecuId,
      String ecuType,
      String hardwareId,
      String publicKeyHex,
      String installedVersion,
      long releaseCounter)
      implements CborSerializable {

    EcuInfo installed(String version, long counter) {
      return new EcuInfo(serial, ecuId, ecuType, hardwareId, publicKeyHex, version, counter);
    }
  }

  /** Carried to the vehicle in the target's custom fields, so it honours them before install. */
  public record Constraints(boolean requireParked, boolean requireConsent)
      implements CborSerializable {}

  /**
   * One ECU's open assignment. {@code assignmentId} is signed into the director target, and the
   * vehicle and the ECU echo it in their reports, so a report can only close the assignment it was
   * made for.
   */
  public record Assignment(
      String ecuSerial,
      String assignmentId,
      String campaignId,
      FirmwareImage image,
      Constraints constraints,
      boolean fetched,
      Instant deadline)
      implements CborSerializable {

    Assignment markFetched() {
      return new Assignment(
          ecuSerial, assignmentId, campaignId, image, constraints, true, deadline);
    }
  }

  /**
   * How an assignment ended: what the Director reports to the campaign that made it, until the
   * campaign acknowledges it (at-least-once; the campaign applies it once).
   */
  public record Outcome(
      String assignmentId,
      String campaignId,
      String vin,
      UpdateOutcome outcome,
      String reason,
      String installedVersion,
      Instant at)
      implements CborSerializable {}

  /** Director metadata of one vehicle; the root is the same for all and is not stored here. */
  public record SignedMetadata(
      int version, byte[] targets, byte[] snapshot, byte[] timestamp, Instant signedAt)
      implements CborSerializable {}

  public sealed interface Command extends CborSerializable {}

  public record Register(
      String region,
      String environment,
      Set<String> tags,
      String primarySerial,
      String primaryKeyHex,
      List<EcuInfo> ecus,
      ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /**
   * @param assignmentId unique per vehicle and opaque here; a campaign's names its target group and
   *     the attempt, e.g. {@code c1#0/1} ({@link CampaignTargets#assignmentId})
   * @param timeLimit simulated time the vehicle has to report a terminal outcome; when it passes,
   *     the assignment ends TIMED_OUT; null for no limit
   */
  public record Assign(
      String assignmentId,
      String campaignId,
      FirmwareImage image,
      Constraints constraints,
      Duration timeLimit,
      ActorRef<StatusReply<Done>> replyTo)
      implements Command {

    /**
     * A first attempt without a time limit, for assigning without a Campaign (tests, tools):
     * assignment id {@code campaignId/1}, which names no target group, so a Campaign of that id
     * acknowledges its outcome and counts nothing.
     */
    public Assign(
        String campaignId,
        FirmwareImage image,
        Constraints constraints,
        ActorRef<StatusReply<Done>> replyTo) {
      this(campaignId + "/1", campaignId, image, constraints, null, replyTo);
    }
  }

  /** The campaign has recorded this outcome; it need not be sent again. */
  public record OutcomeAck(String assignmentId) implements Command {}

  record TimeLimitReached(String assignmentId) implements Command {}

  record RedeliverOutcomes() implements Command {}

  /** Sent by the timers once an instant the record worked in has settled. */
  enum IdleCheck implements Command {
    INSTANCE
  }

  /**
   * Director metadata by file name: {@code N.root.json}, {@code root.json} (latest), {@code
   * timestamp.json}, {@code snapshot.json}, {@code targets.json}.
   */
  public record GetMetadata(String fileName, ActorRef<StatusReply<byte[]>> replyTo)
      implements Command {}

  public record ReportManifest(byte[] manifest, ActorRef<StatusReply<ManifestResult>> replyTo)
      implements Command {}

  public record GetVehicle(ActorRef<StatusReply<VehicleView>> replyTo) implements Command {}

  /** The accepted manifest's counter and the assignments it closed. */
  public record ManifestResult(long counter, List<Outcome> closed) implements CborSerializable {}

  public record VehicleView(
      String vin,
      String region,
      String environment,
      Set<String> tags,
      List<EcuInfo> ecus,
      List<Assignment> assignments,
      int metadataVersion,
      long lastManifestCounter,
      int refusedManifests,
      List<Outcome> undelivered)
      implements CborSerializable {}

  // ---- events -----------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {
    String vin();
  }

  public record Registered(
      String vin,
      String region,
      String environment,
      Set<String> tags,
      String primarySerial,
      String primaryKeyHex,
      List<EcuInfo> ecus,
      Instant at)
      implements Event {}

  public record AssignmentMade(
      String vin,
      String campaignId,
      List<Assignment> assignments,
      SignedMetadata metadata,
      Instant at)
      implements Event {}

  public record AssignmentFetched(String vin, List<String> ecuSerials, Instant at)
      implements Event {}

  /** One ECU as a verified manifest reported it. */
  public record EcuOutcome(String serial, String installedVersion, long releaseCounter)
      implements CborSerializable {}

  /**
   * A verified manifest: what each ECU runs now, the assignments it closed ({@code closed}, also
   * queued for the campaigns), and the re-signed metadata without them (null when none closed).
   */
  public record ManifestAccepted(
      String vin,
      long counter,
      List<EcuOutcome> ecus,
      List<Outcome> closed,
      SignedMetadata metadata,
      Instant at)
      implements Event {

    /** The read model's one-word update state after this manifest. */
    public String summaryState(String before) {
      UpdateOutcome o = UpdateOutcome.combine(closed.stream().map(Outcome::outcome).toList());
      return o == null ? before : summary(o);
    }
  }

  /** The time limit passed before the vehicle reported: the assignment ends TIMED_OUT. */
  public record AssignmentTimedOut(String vin, Outcome outcome, SignedMetadata metadata)
      implements Event {}

  /**
   * The assignment needed no update: every ECU it covers already runs its image (a later campaign
   * to vehicles an earlier one updated). It ends SUCCEEDED at once, as a manifest showing the image
   * would close it, and is never offered to the vehicle.
   */
  public record AssignmentAlreadyMet(String vin, Outcome outcome) implements Event {}

  /** The campaign acknowledged the outcome. */
  public record OutcomeDelivered(String vin, String assignmentId) implements Event {}

  /** The read model's one-word state for an outcome. */
  public static String summary(UpdateOutcome o) {
    return o.succeeded() ? "UPDATED" : o.name();
  }

  public record MetadataRefreshed(String vin, SignedMetadata metadata) implements Event {}

  // ---- state ------------------------------------------------------------------------------

  /** Where the vehicle is and who its primary is, as it registered. */
  public record Registration(
      String region,
      String environment,
      Set<String> tags,
      String primarySerial,
      String primaryKeyHex)
      implements CborSerializable {}

  /**
   * @param registration null until the vehicle registered
   * @param assignments the open assignments, by ECU serial
   */
  public record State(
      String vin,
      Registration registration,
      Map<String, EcuInfo> ecus,
      Map<String, Assignment> assignments,
      SignedMetadata metadata,
      long lastManifestCounter,
      Instant lastReport,
      OutcomeOutbox reports)
      implements CborSerializable {

    static State empty(String vin) {
      return new State(vin, null, Map.of(), Map.of(), null, -1, null, OutcomeOutbox.EMPTY);
    }

    boolean registered() {
      return registration != null;
    }

    State with(
        Map<String, EcuInfo> newEcus,
        Map<String, Assignment> newAssignments,
        SignedMetadata newMetadata,
        long counter,
        Instant report) {
      return new State(
          vin, registration, newEcus, newAssignments, newMetadata, counter, report, reports);
    }

    State with(
        Map<String, Assignment> newAssignments, SignedMetadata newMetadata, OutcomeOutbox r) {
      return new State(
          vin, registration, ecus, newAssignments, newMetadata, lastManifestCounter, lastReport, r);
    }

    /** The open assignments without the ones with this id. */
    Map<String, Assignment> without(String assignmentId) {
      Map<String, Assignment> next = new TreeMap<>(assignments);
      next.values().removeIf(a -> a.assignmentId().equals(assignmentId));
      return next;
    }

    VehicleView view(int refused) {
      return new VehicleView(
          vin,
          registration.region(),
          registration.environment(),
          registration.tags(),
          List.copyOf(ecus.values()),
          List.copyOf(assignments.values()),
          metadata == null ? 0 : metadata.version(),
          lastManifestCounter,
          refused,
          List.copyOf(reports.outbox().values()));
    }
  }

  // ---- behaviour --------------------------------------------------------------------------

  public static Behavior<Command> create(
      String vin,
      DirectorKeys keys,
      VehicleNotifier notifier,
      Function<String, RecipientRef<Campaign.Command>> campaigns) {
    return create(vin, keys, notifier, campaigns, null);
  }

  /**
   * As above, as a sharded entity living in {@code home} (null outside sharding): its timers are
   * kept by the node and it passivates when it holds no assignment and no outcome to deliver.
   */
  public static Behavior<Command> create(
      String vin,
      DirectorKeys keys,
      VehicleNotifier notifier,
      Function<String, RecipientRef<Campaign.Command>> campaigns,
      EntityHome home) {
    return Behaviors.setup(
        ctx ->
            SimTimers.forEntity(
                home,
                IdleCheck.INSTANCE,
                timers -> new Director(vin, keys, notifier, campaigns, ctx, timers)));
  }

  private final String vin;
  private final DirectorKeys keys;
  private final VehicleNotifier notifier;
  private final Function<String, RecipientRef<Campaign.Command>> campaigns;
  private final ActorContext<Command> ctx;
  private final SimTimers<Command> timers;
  private final SimClock clock;
  private final Duration outcomeRetry;
  private final FaultedSigning signing;

  /**
   * Refused manifests leave the journal untouched (a replayed or forged manifest must not grow the
   * vehicle's history), so they are counted per incarnation and logged.
   */
  private int refusedManifests;

  private Director(
      String vin,
      DirectorKeys keys,
      VehicleNotifier notifier,
      Function<String, RecipientRef<Campaign.Command>> campaigns,
      ActorContext<Command> ctx,
      SimTimers<Command> timers) {
    super(
        PersistenceId.of(TYPE_KEY.name(), vin),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.vin = vin;
    this.keys = keys;
    this.notifier = notifier;
    this.campaigns = campaigns;
    this.ctx = ctx;
    this.timers = timers;
    this.clock = SimClock.get(ctx.getSystem());
    this.signing = new FaultedSigning(ctx.getSystem(), vin, keys, clock);
    this.outcomeRetry =
        ctx.getSystem().settings().config().getDuration("fleetsim.cloud.outcome-retry");
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .build();
  }

  /** Timers are not persisted: time limits are armed again, unacknowledged outcomes sent again. */
  private void onRecovered(State s) {
    s.assignments().values().stream()
        .map(Assignment::assignmentId)
        .distinct()
        .forEach(id -> armTimeLimit(s, id));
    if (!s.reports().outbox().isEmpty()) {
      ctx.getSelf().tell(new RedeliverOutcomes());
    }
  }

  @Override
  public State emptyState() {
    return State.empty(vin);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return PersistenceSetup.retention(ctx.getSystem());
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    CommandHandlerBuilder<Command, Event, State> b = newCommandHandlerBuilder();
    b.forState(s -> !s.registered())
        .onCommand(Register.class, this::onRegister)
        .onCommand(Assign.class, (s, c) -> Effect().reply(c.replyTo(), unknown()))
        .onCommand(GetMetadata.class, (s, c) -> Effect().reply(c.replyTo(), unknown()))
        .onCommand(ReportManifest.class, (s, c) -> Effect().reply(c.replyTo(), unknown()))
        .onCommand(GetVehicle.class, (s, c) -> Effect().reply(c.replyTo(), unknown()))
        .onCommand(IdleCheck.class, this::passivateIfIdle)
        .onAnyCommand(c -> Effect().none());
    b.forState(State::registered)
        .onCommand(Register.class, this::onReRegister)
        .onCommand(Assign.class, this::onAssign)
        .onCommand(GetMetadata.class, this::onGetMetadata)
        .onCommand(ReportManifest.class, this::onManifest)
        .onCommand(
            GetVehicle.class,
            (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.view(refusedManifests))))
        .onCommand(TimeLimitReached.class, this::onTimeLimit)
        .onCommand(OutcomeAck.class, this::onOutcomeAck)
        .onCommand(RedeliverOutcomes.class, (s, c) -> redeliver(s))
        .onCommand(IdleCheck.class, this::passivateIfIdle);
    return b.build();
  }

  /**
   * Passivates with no assignment open and no outcome waiting for the campaign's acknowledgement:
   * the record then holds nothing its journal does not (a record that refused manifests keeps their
   * count, which is not journaled, and stays). The time limit of an assignment that ended may still
   * be pending: the node keeps it, and it wakes the record, which finds nothing to limit.
   */
  private Effect<Event, State> passivateIfIdle(State s, IdleCheck c) {
    if (s.assignments().isEmpty()
        && s.reports().outbox().isEmpty()
        && refusedManifests == 0
        && !timers.anyPendingOtherThan(k -> k instanceof String key && key.startsWith("limit-"))) {
      timers.passivate();
    }
    return Effect().none();
  }

  private <T> StatusReply<T> unknown() {
    return StatusReply.error("vin: unknown vehicle " + vin + " (not registered)");
  }

  private Effect<Event, State> onRegister(State s, Register c) {
    List<String> problems = DirectorRequests.registrationProblems(c);
    if (!problems.isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.error(String.join("; ", problems)));
    }
    return Effect()
        .persist(registered(vin, c, clock.now()))
        .thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  /**
   * The event that registers {@code vin} as {@code c} asks, at {@code at}: what the record persists
   * on {@link Register}, and what bulk provisioning writes for it.
   *
   * @throws IllegalArgumentException naming each field at fault
   */
  public static Registered registered(String vin, Register c, Instant at) {
    return DirectorRequests.registered(vin, c, at);
  }

  private Effect<Event, State> onReRegister(State s, Register c) {
    // A vehicle re-sends its registration after a crash; only a different story is an error.
    boolean same =
        s.registration().primaryKeyHex().equals(c.primaryKeyHex())
            && s.registration().region().equals(c.region())
            && s.ecus().size() == (c.ecus() == null ? -1 : c.ecus().size());
    return Effect()
        .reply(
            c.replyTo(),
            same
                ? StatusReply.ack()
                : StatusReply.error("vin: " + vin + " is already registered with other facts"));
  }

  private Effect<Event, State> onAssign(State s, Assign c) {
    FirmwareImage image = c.image();
    if (image == null
        || c.campaignId() == null
        || c.campaignId().isBlank()
        || c.assignmentId() == null
        || c.assignmentId().isBlank()) {
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error("assign: assignmentId, campaignId and image are required"));
    }
    if (s.reports().endedLately(c.assignmentId())
        || s.assignments().values().stream()
            .anyMatch(a -> a.assignmentId().equals(c.assignmentId()))) {
      // The campaign asks again (it restarted before it saw the reply): the same assignment.
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    List<EcuInfo> fits = DirectorRequests.fitting(s, image);
    String refused = DirectorRequests.assignRefusal(vin, s, c, fits);
    if (refused != null) {
      return Effect().reply(c.replyTo(), StatusReply.error(refused));
    }
    if (fits.stream().allMatch(e -> image.version().equals(e.installedVersion()))) {
      Outcome met =
          new Outcome(
              c.assignmentId(),
              c.campaignId(),
              vin,
              UpdateOutcome.SUCCEEDED,
              "already runs " + image.targetName(),
              image.version(),
              clock.now());
      return Effect()
          .persist(new AssignmentAlreadyMet(vin, met))
          .thenRun(x -> deliver(met))
          .thenReply(c.replyTo(), x -> StatusReply.ack());
    }
    Constraints constraints =
        c.constraints() == null ? new Constraints(true, false) : c.constraints();
    Map<String, Assignment> next = new TreeMap<>(s.assignments());
    List<Assignment> made = new ArrayList<>();
    Instant now = clock.now();
    Instant deadline = c.timeLimit() == null ? null : now.plus(c.timeLimit());
    for (EcuInfo e : fits) {
      Assignment a =
          new Assignment(
              e.serial(), c.assignmentId(), c.campaignId(), image, constraints, false, deadline);
      next.put(e.serial(), a);
      made.add(a);
    }
    SignedMetadata md = sign(s, next);
    return Effect()
        .persist(new AssignmentMade(vin, c.campaignId(), made, md, md.signedAt()))
        .thenRun(x -> armTimeLimit(x, c.assignmentId()))
        .thenRun(x -> notifier.notifyUpdate(vin, c.campaignId()))
        .thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  private SignedMetadata sign(State s, Map<String, Assignment> assignments) {
    int version = s.metadata() == null ? 1 : s.metadata().version() + 1;
    Instant now = clock.now();
    List<TargetFile> targets = new ArrayList<>();
    for (Assignment a : assignments.values()) {
      EcuInfo ecu = s.ecus().get(a.ecuSerial());
      targets.add(DirectorRequests.targetFor(a, ecu));
    }
    return keys.signFor(vin, version, targets, now);
  }

  private Effect<Event, State> onGetMetadata(State s, GetMetadata c) {
    String name = c.fileName() == null ? "" : c.fileName();
    StatusReply<byte[]> root = DirectorRequests.rootFile(keys, name, clock.now());
    if (root != null) {
      return Effect().reply(c.replyTo(), root);
    }
    if (!DirectorRequests.isRoleFile(name)) {
      return Effect()
          .reply(c.replyTo(), StatusReply.error("fileName: unknown director file " + name));
    }
    if (s.metadata() == null) {
      // Nothing assigned yet: sign the empty targets once so the vehicle can verify "nothing to
      // do".
      SignedMetadata md = sign(s, s.assignments());
      return Effect()
          .persist(new MetadataRefreshed(vin, md))
          .thenReply(c.replyTo(), x -> StatusReply.success(signing.file(x, x.metadata(), name)));
    }
    if (name.equals("timestamp.json")
        && (s.metadata().signedAt().plus(TIMESTAMP_REFRESH).isBefore(clock.now())
            || keys.rotatedSince(s.metadata().signedAt(), clock.now()))) {
      // Due for a fresh timestamp, or signed with a key the Director has rotated since.
      SignedMetadata md = sign(s, s.assignments());
      return Effect()
          .persist(new MetadataRefreshed(vin, md))
          .thenReply(c.replyTo(), x -> StatusReply.success(signing.file(x, x.metadata(), name)));
    }
    if (name.equals("targets.json")) {
      List<String> unfetched =
          s.assignments().values().stream()
              .filter(a -> !a.fetched())
              .map(Assignment::ecuSerial)
              .toList();
      if (!unfetched.isEmpty()) {
        Map<String, String> campaignOf = new LinkedHashMap<>();
        unfetched.forEach(
            serial -> {
              Assignment a = s.assignments().get(serial);
              campaignOf.put(a.assignmentId(), a.campaignId());
            });
        return Effect()
            .persist(new AssignmentFetched(vin, unfetched, clock.now()))
            .thenRun(
                x ->
                    campaignOf.forEach(
                        (id, campaign) ->
                            campaigns.apply(campaign).tell(new Campaign.RecordInProgress(vin, id))))
            .thenReply(c.replyTo(), x -> StatusReply.success(signing.file(x, x.metadata(), name)));
      }
    }
    return Effect().reply(c.replyTo(), StatusReply.success(signing.file(s, s.metadata(), name)));
  }

  private Effect<Event, State> onManifest(State s, ReportManifest c) {
    Map<String, PublicKey> ecuKeys = new HashMap<>();
    s.ecus().values().forEach(e -> ecuKeys.put(e.serial(), PublicKey.fromHex(e.publicKeyHex())));
    ManifestReading reading;
    try {
      reading =
          keys.verifyManifest(
              c.manifest(),
              vin,
              s.registration().primarySerial(),
              PublicKey.fromHex(s.registration().primaryKeyHex()),
              ecuKeys,
              s.lastManifestCounter());
    } catch (VerificationException e) {
      refusedManifests++;
      ctx.getLog().warn("director {}: refused manifest ({}): {}", vin, e.attack(), e.getMessage());
      Faults.get(ctx.getSystem()).ledger().detected(vin, e.attack().name());
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error("manifest: refused as " + e.attack() + ": " + e.getMessage()));
    }
    Instant now = clock.now();
    List<EcuOutcome> ecus = new ArrayList<>();
    for (ManifestReading.EcuReport r : reading.reports()) {
      EcuInfo ecu = s.ecus().get(r.ecuSerial());
      long counter = r.releaseCounter() >= 0 ? r.releaseCounter() : ecu.releaseCounter();
      ecus.add(
          new EcuOutcome(r.ecuSerial(), ImageName.versionOf(r.installedTargetName()), counter));
    }
    List<Outcome> closed = AssignmentClosing.close(vin, s.assignments(), reading, now);
    Map<String, Assignment> open = s.assignments();
    for (Outcome o : closed) {
      open = s.with(open, s.metadata(), s.reports()).without(o.assignmentId());
    }
    // Closed assignments leave the director targets, so the vehicle stops acting on them.
    SignedMetadata md = closed.isEmpty() ? null : sign(s, open);
    ManifestAccepted event = new ManifestAccepted(vin, reading.counter(), ecus, closed, md, now);
    return Effect()
        .persist(event)
        .thenRun(x -> closed.forEach(this::deliver))
        .thenReply(
            c.replyTo(), x -> StatusReply.success(new ManifestResult(reading.counter(), closed)));
  }

  // ---- outcomes to the campaigns: at least once, until acknowledged

  /**
   * Sends the outcome and (re)arms the redelivery, {@code fleetsim.cloud.outcome-retry} of
   * simulated time. A campaign acknowledges within its flush delay (a second), so a redelivery goes
   * out only for a campaign that lost the outcome in a crash or could not be reached.
   */
  private void deliver(Outcome o) {
    campaigns.apply(o.campaignId()).tell(new Campaign.RecordOutcome(o, ctx.getSelf()));
    timers.startSingleTimer("redeliver", new RedeliverOutcomes(), outcomeRetry);
  }

  private Effect<Event, State> redeliver(State s) {
    s.reports().outbox().values().forEach(this::deliver);
    return Effect().none();
  }

  private Effect<Event, State> onOutcomeAck(State s, OutcomeAck c) {
    if (!s.reports().outbox().containsKey(c.assignmentId())) {
      return Effect().none();
    }
    return Effect()
        .persist(new OutcomeDelivered(vin, c.assignmentId()))
        .thenRun(
            x -> {
              if (x.reports().outbox().isEmpty()) {
                timers.cancel("redeliver");
              }
            });
  }

  // ---- the campaign's time limit per vehicle

  private void armTimeLimit(State s, String assignmentId) {
    s.assignments().values().stream()
        .filter(a -> a.assignmentId().equals(assignmentId) && a.deadline() != null)
        .findFirst()
        .ifPresent(
            a -> {
              Duration left = Duration.between(clock.now(), a.deadline());
              timers.startSingleTimer(
                  "limit-" + assignmentId,
                  new TimeLimitReached(assignmentId),
                  left.isNegative() ? Duration.ZERO : left);
            });
  }

  private Effect<Event, State> onTimeLimit(State s, TimeLimitReached c) {
    Assignment a =
        s.assignments().values().stream()
            .filter(x -> x.assignmentId().equals(c.assignmentId()))
            .findFirst()
            .orElse(null);
    if (a == null) {
      return Effect().none();
    }
    // The timer is simulated and rounded up to the millisecond, so it never fires before the
    // deadline, after a recovery as well (armed again with the time left).
    Instant now = clock.now();
    EcuInfo ecu = s.ecus().get(a.ecuSerial());
    Outcome o =
        new Outcome(
            a.assignmentId(),
            a.campaignId(),
            vin,
            UpdateOutcome.TIMED_OUT,
            "no terminal report within the campaign's time limit (deadline " + a.deadline() + ")",
            ecu.installedVersion(),
            now);
    SignedMetadata md = sign(s, s.without(a.assignmentId()));
    return Effect().persist(new AssignmentTimedOut(vin, o, md)).thenRun(x -> deliver(o));
  }

  /**
   * Every change of the record's metadata is published to the node's {@link CheckHorizon}, during
   * recovery too, so a vehicle's poll that would find the same metadata need not be made.
   */
  @Override
  public EventHandler<State, Event> eventHandler() {
    EventHandler<State, Event> apply = events();
    CheckHorizon horizon = CheckHorizon.get(ctx.getSystem());
    return (s, e) -> {
      State next = apply.apply(s, e);
      if (next.metadata() != null && next.metadata() != s.metadata()) {
        horizon.director(vin, keys, next.metadata(), clock.epoch());
      }
      return next;
    };
  }

  private EventHandler<State, Event> events() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            Registered.class,
            (s, e) -> {
              Map<String, EcuInfo> ecus = new TreeMap<>();
              e.ecus().forEach(x -> ecus.put(x.serial(), x));
              return new State(
                  vin,
                  new Registration(
                      e.region(), e.environment(), e.tags(), e.primarySerial(), e.primaryKeyHex()),
                  ecus,
                  Map.of(),
                  null,
                  -1,
                  e.at(),
                  OutcomeOutbox.EMPTY);
            })
        .onEvent(
            AssignmentMade.class,
            (s, e) -> {
              Map<String, Assignment> next = new TreeMap<>(s.assignments());
              e.assignments().forEach(a -> next.put(a.ecuSerial(), a));
              return s.with(s.ecus(), next, e.metadata(), s.lastManifestCounter(), s.lastReport());
            })
        .onEvent(
            AssignmentFetched.class,
            (s, e) -> {
              Map<String, Assignment> next = new TreeMap<>(s.assignments());
              e.ecuSerials()
                  .forEach(serial -> next.computeIfPresent(serial, (k, a) -> a.markFetched()));
              return s.with(s.ecus(), next, s.metadata(), s.lastManifestCounter(), s.lastReport());
            })
        .onEvent(
            ManifestAccepted.class,
            (s, e) -> {
              Map<String, EcuInfo> ecus = new TreeMap<>(s.ecus());
              for (EcuOutcome o : e.ecus()) {
                ecus.computeIfPresent(
                    o.serial(),
                    (k, ecu) -> ecu.installed(o.installedVersion(), o.releaseCounter()));
              }
              State next = s.with(ecus, s.assignments(), s.metadata(), e.counter(), e.at());
              for (Outcome o : e.closed()) {
                next =
                    next.with(
                        next.without(o.assignmentId()), next.metadata(), next.reports().closed(o));
              }
              return e.metadata() == null
                  ? next
                  : next.with(next.assignments(), e.metadata(), next.reports());
            })
        .onEvent(
            AssignmentTimedOut.class,
            (s, e) ->
                s.with(
                    s.without(e.outcome().assignmentId()),
                    e.metadata(),
                    s.reports().closed(e.outcome())))
        .onEvent(
            AssignmentAlreadyMet.class,
            (s, e) -> s.with(s.assignments(), s.metadata(), s.reports().closed(e.outcome())))
        .onEvent(
            OutcomeDelivered.class,
            (s, e) ->
                s.with(s.assignments(), s.metadata(), s.reports().delivered(e.assignmentId())))
        .onEvent(
            MetadataRefreshed.class,
            (s, e) ->
                s.with(
                    s.ecus(),
                    s.assignments(),
                    e.metadata(),
                    s.lastManifestCounter(),
                    s.lastReport()))
        .build();
  }
}
