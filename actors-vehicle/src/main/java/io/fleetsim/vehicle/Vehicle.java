package io.fleetsim.vehicle;

import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.DirectorKeys;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cluster.BlobStore;
import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.EntityHome;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.ecu.Bank;
import io.fleetsim.ecu.CanBus;
import io.fleetsim.ecu.Ecu;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.persistence.PersistenceSetup;
import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.client.TrustedState;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.manifest.UpdateReport;
import io.fleetsim.vehicle.VehicleState.History;
import io.fleetsim.vehicle.VehicleState.Installed;
import io.fleetsim.vehicle.VehicleState.Refusal;
import io.fleetsim.vehicle.VehicleState.Trust;
import io.fleetsim.vehicle.VehicleState.Update;
import io.fleetsim.vehicle.VehicleState.UpdatePlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * A vehicle's primary ECU: the OTA agent. Entity id = VIN.
 *
 * <p>IDLE → CHECKING ({@link MetadataCheck}: both repositories' metadata fetched over the vehicle's
 * {@link NetworkLink} and fully verified by {@link UptaneCheck}) → AWAITING_CONSENT (when the
 * campaign asks for consent, or for PARKED while the vehicle drives: {@link ParkingWait}) →
 * DOWNLOADING ({@link ImageDownload}) → VERIFYING (length and SHA-256 against the verified targets)
 * → DISTRIBUTING (each target ECU over the {@link CanBus}) → INSTALLING (ECUs flash and reboot;
 * each reports its result) → REPORTING (the vehicle version manifest, signed by this primary over
 * the ECUs' signed reports, carries one {@link UpdateReport} per assignment and is sent until the
 * Director accepts it) → IDLE.
 *
 * <p>Every way an update ends goes through REPORTING: an ECU's result, an image or metadata the
 * vehicle refused, a download that failed, a phase that timed out. Every phase boundary is an
 * event. A check that finds nothing persists nothing and a restart during it simply checks again; a
 * restart in any later phase resumes from the last event (see {@link Resumption}).
 */
public final class Vehicle
    extends EventSourcedBehavior<Vehicle.Command, Vehicle.Event, Vehicle.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Vehicle");

  // ---------------------------------------------------------------- protocol

  public enum Lifecycle {
    NEW,
    ACTIVE,
    DECOMMISSIONED
  }

  public enum DriveState {
    PARKED,
    DRIVING
  }

  public enum Phase {
    IDLE,
    CHECKING,
    AWAITING_CONSENT,
    DOWNLOADING,
    VERIFYING,
    DISTRIBUTING,
    INSTALLING,
    REPORTING
  }

  public record EcuSpec(
      String ecuId,
      EcuType type,
      String hardwareId,
      String serial,
      Transport transport,
      long flashBytesPerSecond,
      Bank installed)
      implements CborSerializable {
    public EcuSpec {
      Objects.requireNonNull(ecuId, "ecuId");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(installed, "installed");
    }
  }

  public record Spec(
      String vin,
      String region,
      String environment,
      Set<String> tags,
      String networkProfile,
      List<EcuSpec> ecus)
      implements CborSerializable {
    public Spec {
      tags = tags == null ? Set.of() : Set.copyOf(tags);
      ecus = List.copyOf(ecus);
    }

    public String primarySerial() {
      return vin + "-primary";
    }

    /** The ECU ids by serial, as the Director's targets name the ECUs. */
    Map<String, String> ecuIdsBySerial() {
      Map<String, String> ids = new LinkedHashMap<>();
      ecus.forEach(e -> ids.put(e.serial(), e.ecuId()));
      return ids;
    }
  }

  public sealed interface Command extends CborSerializable {}

  /** Provisions the ECUs, registers with the Director and activates; idempotent. */
  public record Provision(Spec spec, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** The cloud's wake-up: check for updates now. */
  public record Notify(String campaignId) implements Command {}

  public record SetDriveState(DriveState state) implements Command {}

  /** The driver accepted the update on the HMI. */
  public record GrantConsent() implements Command {}

  public record Decommission(ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  public record Status(
      String vin,
      Lifecycle lifecycle,
      DriveState drive,
      Phase phase,
      Map<String, String> installedVersions,
      List<UpdateRecord> history,
      int attacksDetected)
      implements CborSerializable {}

  /**
   * One finished update, in simulated time.
   *
   * @param campaignId the campaign of its first assignment; empty when the director's metadata was
   *     refused and no assignment could be trusted
   * @param attack the {@code Attack} name when the vehicle or an ECU refused it, else empty
   * @param downloadedBytes what crossed the cellular link for the images (a delta, when the
   *     repository had one from the running version, is much smaller than the image)
   */
  public record UpdateRecord(
      String campaignId,
      Instant startedAt,
      Instant finishedAt,
      UpdateOutcome outcome,
      String attack,
      String detail,
      long downloadedBytes)
      implements CborSerializable {

    public Duration duration() {
      return Duration.between(startedAt, finishedAt);
    }
  }

  // internal messages: timers and results of asynchronous work
  record Poll() implements Command {}

  /** A foreseen check ({@link ForeseenPoll}) would have had its answer now. */
  record ForeseenCheckEnded() implements Command {}

  /** Sent by the timers once an instant the vehicle worked in has settled. */
  enum IdleCheck implements Command {
    INSTANCE
  }

  record Provisioned(
      VehicleProvisioning.Roots roots, String failure, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** Finished work whose bytes the link now carries ({@link OverTheLink}). */
  record Carried(Command arrival, Command loss, long bytes) implements Command {}

  /** The answer of check number {@code check} ({@link Polling#startCheck}). */
  record CheckArrived(long check, UptaneCheck.Result result) implements Command {}

  record CheckFailed(String reason) implements Command {}

  record ConsentTimer() implements Command {}

  /** The drive profile's next parked instant, for update {@code updateId} ({@link ParkingWait}). */
  record ParkedTimer(String updateId) implements Command {}

  /** The images of update {@code updateId}. */
  record DownloadArrived(String updateId, ImageDownload.Result result) implements Command {}

  record DownloadFailed(String reason) implements Command {}

  /** Time to try a download that failed on the way once more. */
  record RetryDownload(String updateId) implements Command {}

  record Transferred(CanBus.TransferResult result) implements Command {}

  record TransferProgressed(CanBus.TransferProgress progress) implements Command {}

  record SendManifest(long counter, byte[] manifest) implements Command {}

  /** A manifest the link held back has crossed it: it goes on to the Director in any phase. */
  record HeldManifest(SendManifest manifest) implements Command {}

  record ReportNotSent(long counter, String reason) implements Command {}

  record ReportAcked(long counter, String failure) implements Command {}

  record PhaseTimeout(Phase phase, String updateId) implements Command {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {}

  public record ProvisionRequested(Spec spec, String primaryKeySeedHex) implements Event {}

  public record Activated(TrustedState director, TrustedState images, Instant at)
      implements Event {}

  public record Decommissioned(Instant at) implements Event {}

  public record DriveStateChanged(DriveState drive) implements Event {}

  /** Newly trusted metadata, persisted so a restart keeps its rollback protection. */
  public record TrustUpdated(Trust trust) implements Event {}

  public record UpdateFound(UpdatePlan plan) implements Event {}

  /**
   * A check refused the metadata: the refusal itself is the update, reported at once, and counts as
   * a detected attack. {@code key} names what was refused, so the same refusal on a later poll is
   * not reported again.
   */
  public record CheckRefused(UpdatePlan plan, Refusal refusal, String key, Instant at)
      implements Event {}

  public record ConsentGiven(Instant at) implements Event {}

  public record DownloadStarted(Instant at) implements Event {}

  public record DownloadCompleted(long bytes, Instant at) implements Event {}

  public record ImagesVerified(Instant at) implements Event {}

  public record EcuTransferred(String ecuId) implements Event {}

  /** An ECU's own result, through the bus. */
  public record EcuInstallReported(
      String ecuId, UpdateOutcome outcome, String reason, String version) implements Event {}

  /** The vehicle ended every install that has no result yet, in {@code phase}. */
  public record UpdateEnded(UpdateOutcome outcome, Phase phase, String attack, String reason)
      implements Event {}

  /** A manifest is signed again with a new counter (the last one may be lost). */
  public record ManifestSigned(long counter) implements Event {}

  public record UpdateFinished(UpdateRecord record, Map<String, Installed> installed)
      implements Event {}

  /** An image the vehicle refused in VERIFYING (refused metadata is {@link CheckRefused}). */
  public record AttackDetected(String attack, String detail, Instant at) implements Event {}

  // ---------------------------------------------------------------- state

  /**
   * The vehicle. {@code manifestCounter} is the counter of the last manifest signed: an update in
   * REPORTING sends it, and each new signature takes the next one.
   */
  public record State(
      Spec spec,
      String primaryKeySeedHex,
      Lifecycle lifecycle,
      DriveState drive,
      Trust trust,
      Map<String, Installed> installed,
      Update update,
      long manifestCounter,
      History history)
      implements CborSerializable {

    static State empty() {
      return new State(
          null, null, Lifecycle.NEW, DriveState.PARKED, null, Map.of(), null, 0, History.none());
    }

    /** A vehicle being provisioned: what it keeps from before is its history. */
    State provisioning(Spec s, String seedHex) {
      return new State(
          s,
          seedHex,
          Lifecycle.NEW,
          DriveState.PARKED,
          null,
          Installed.atFactory(s),
          null,
          0,
          history);
    }

    State with(Lifecycle l) {
      return copy(l, drive, trust, installed, update, manifestCounter, history);
    }

    State with(DriveState d) {
      return copy(lifecycle, d, trust, installed, update, manifestCounter, history);
    }

    State with(Trust t) {
      return copy(lifecycle, drive, t, installed, update, manifestCounter, history);
    }

    State with(History h) {
      return copy(lifecycle, drive, trust, installed, update, manifestCounter, h);
    }

    /** The update moved on; entering REPORTING takes the next manifest counter. */
    State with(Update u) {
      boolean reporting =
          u != null
              && u.phase() == Phase.REPORTING
              && (update == null || update.phase() != Phase.REPORTING);
      long counter = reporting ? manifestCounter + 1 : manifestCounter;
      return copy(lifecycle, drive, trust, installed, u, counter, history);
    }

    State withCounter(long counter) {
      return copy(lifecycle, drive, trust, installed, update, counter, history);
    }

    State finished(UpdateRecord r, Map<String, Installed> now) {
      return copy(
          lifecycle, drive, trust, Map.copyOf(now), null, manifestCounter, history.finished(r));
    }

    /** The same vehicle (spec and primary key) with what changes over its life replaced. */
    private State copy(
        Lifecycle l, DriveState d, Trust t, Map<String, Installed> i, Update u, long n, History h) {
      return new State(spec, primaryKeySeedHex, l, d, t, i, u, n, h);
    }

    Phase phase() {
      return update == null ? Phase.IDLE : update.phase();
    }

    /** The update may start its download: consented and parked where its campaign asks. */
    boolean ready() {
      return (!update.plan().requireConsent() || update.consentGiven()) && parkedAsRequired();
    }

    boolean parkedAsRequired() {
      return !update.plan().requireParked() || drive == DriveState.PARKED;
    }

    boolean in(Phase... phases) {
      return lifecycle == Lifecycle.ACTIVE && List.of(phases).contains(phase());
    }

    public Status status() {
      Map<String, String> versions = new TreeMap<>();
      installed.forEach((ecuId, i) -> versions.put(ecuId, i.version()));
      return new Status(
          spec == null ? null : spec.vin(),
          lifecycle,
          drive,
          phase(),
          versions,
          history.finished(),
          history.attacksDetected());
    }

    /** The id of the update a check finds next; the update ids count the updates started. */
    String nextUpdateId() {
      return spec.vin() + "-u" + (history.updatesStarted() + 1);
    }
  }

  // ---------------------------------------------------------------- wiring

  /** How a vehicle reaches the rest of the system; sharding in a node, probes in tests. */
  public record Deps(
      Function<String, RecipientRef<Director.Command>> director,
      RecipientRef<ImageRepository.Command> imageRepository,
      Function<String, RecipientRef<Ecu.Command>> ecu,
      Function<String, RecipientRef<CanBus.Command>> bus,
      BlobStore blobs,
      DirectorKeys directorKeys) {}

  public static Behavior<Command> create(String vin, Deps deps) {
    return create(vin, deps, null);
  }

  /**
   * As above, as a sharded entity living in {@code home} (null outside sharding): its timers are
   * kept by the node, and it passivates between checks ({@link #passivateIfIdle}), to be started
   * again by its next poll or the cloud's wake-up.
   */
  public static Behavior<Command> create(String vin, Deps deps, EntityHome home) {
    return Behaviors.setup(
        ctx ->
            SimTimers.forEntity(
                home, IdleCheck.INSTANCE, timers -> new Vehicle(vin, deps, ctx, timers)));
  }

  private final String vin;
  private final ActorContext<Command> ctx;
  private final SimTimers<Command> timers;
  private final SimClock clock;
  private final VehicleSettings settings;
  private final Outbound outbound;
  private final Polling polling;
  private final UpdateTimers updateTimers;
  private final DownloadRetries downloadRetries;
  private final ParkingWait parking;
  private final Reporting reporting;

  /** Whether a refusal is reported (not persisted: a restarted vehicle checks twice again). */
  private final RefusalGate refusals = new RefusalGate();

  private final FaultReports faults;

  private Vehicle(String vin, Deps deps, ActorContext<Command> ctx, SimTimers<Command> timers) {
    super(
        PersistenceId.of(TYPE_KEY.name(), vin),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.vin = vin;
    this.ctx = ctx;
    this.timers = timers;
    this.clock = SimClock.get(ctx.getSystem());
    this.settings = VehicleSettings.fromConfig(ctx.getSystem().settings().config());
    this.outbound = new Outbound(vin, deps, ctx, timers, clock, settings);
    this.faults = new FaultReports(ctx.getSystem(), vin);
    this.polling =
        Polling.forVehicle(vin, ctx, timers, clock, settings, outbound, faults.registry());
    this.updateTimers = new UpdateTimers(timers, clock, settings);
    this.downloadRetries = new DownloadRetries(settings.downloadAttempts());
    long seed = Seeds.scenarioSeed(ctx.getSystem());
    this.parking =
        new ParkingWait(vin, seed, settings.drive(), timers, updateTimers, ctx.getSelf());
    this.reporting =
        new Reporting(vin, ctx.getLog(), Effect(), clock, outbound, faults, updateTimers, polling);
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return PersistenceSetup.retention(ctx.getSystem());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::resume).build();
  }

  // ---------------------------------------------------------------- commands

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    CommandHandlerBuilder<Command, Event, State> b = newCommandHandlerBuilder();
    b.forState(s -> s.lifecycle() == Lifecycle.NEW)
        .onCommand(Provision.class, this::onProvision)
        .onCommand(Provisioned.class, this::onProvisioned)
        .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), s.status()))
        .onCommand(Decommission.class, this::onDecommission)
        .onAnyCommand(c -> Effect().unhandled());
    b.forState(s -> s.lifecycle() == Lifecycle.DECOMMISSIONED)
        .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), s.status()))
        .onCommand(Provision.class, (s, c) -> replyError(c.replyTo(), "is decommissioned"))
        .onCommand(Decommission.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.ack()))
        .onAnyCommand(c -> Effect().none());
    b.forState(s -> s.in(Phase.IDLE))
        .onCommand(Poll.class, (s, c) -> startCheck(s))
        .onCommand(Notify.class, (s, c) -> polling.checking() ? wakeLater() : startCheck(s))
        .onCommand(ForeseenCheckEnded.class, (s, c) -> idle(s))
        .onCommand(
            CheckArrived.class,
            // A copy of an answer, or the answer of a check made before a restart: the vehicle
            // acts on the answer of the check in flight, once.
            (s, c) -> polling.awaits(c.check()) ? onCheckArrived(s, c) : Effect().none())
        .onCommand(CheckFailed.class, this::onCheckFailed);
    b.forState(s -> s.in(Phase.AWAITING_CONSENT))
        .onCommand(GrantConsent.class, (s, c) -> onConsent(s))
        .onCommand(ConsentTimer.class, (s, c) -> onConsent(s))
        .onCommand(ParkedTimer.class, this::onParkedTimer);
    b.forState(s -> s.in(Phase.DOWNLOADING))
        .onCommand(DownloadArrived.class, this::onDownloadArrived)
        .onCommand(DownloadFailed.class, this::onDownloadFailed)
        .onCommand(RetryDownload.class, this::onRetryDownload)
        .onCommand(PhaseTimeout.class, this::onPhaseTimeout);
    b.forState(s -> s.in(Phase.DISTRIBUTING, Phase.INSTALLING))
        .onCommand(TransferProgressed.class, this::onProgress)
        .onCommand(Transferred.class, this::onTransferred)
        .onCommand(PhaseTimeout.class, this::onPhaseTimeout);
    b.forState(s -> s.in(Phase.REPORTING))
        .onCommand(SendManifest.class, reporting::onSendManifest)
        .onCommand(ReportNotSent.class, reporting::onReportNotSent)
        .onCommand(ReportAcked.class, reporting::onReportAcked)
        .onCommand(PhaseTimeout.class, this::onPhaseTimeout);
    // In every phase of an active vehicle; a result meant for another phase is stale.
    b.forState(s -> s.lifecycle() == Lifecycle.ACTIVE)
        .onCommand(Provision.class, this::onProvisionAgain)
        .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), s.status()))
        .onCommand(Decommission.class, this::onDecommission)
        .onCommand(SetDriveState.class, this::onDrive)
        .onCommand(Notify.class, (s, c) -> wakeLater())
        .onCommand(Carried.class, this::carry)
        .onCommand(HeldManifest.class, reporting::deliverHeld)
        .onCommand(IdleCheck.class, this::passivateIfIdle)
        .onAnyCommand(c -> Effect().none());
    return b.build();
  }

  /**
   * Passivates between checks: active, no update, no check in flight or waiting, and no timer
   * pending but the next poll (which the node keeps, and which starts the vehicle again). Whatever
   * the vehicle knows is then in its journal, its poll schedule and link draws are functions of its
   * seed, so it goes on exactly as if it had stayed in memory.
   */
  private Effect<Event, State> passivateIfIdle(State s, IdleCheck c) {
    if (s.update() == null && polling.quiet() && !timers.anyPendingBut(Poll.class)) {
      timers.passivate();
    }
    return Effect().none();
  }

  private Effect<Event, State> replyError(ActorRef<StatusReply<Done>> to, String problem) {
    return Effect().reply(to, StatusReply.error("vehicle " + vin + " " + problem));
  }

  private Effect<Event, State> carry(State s, Carried c) {
    outbound.carry(s, c);
    return Effect().none();
  }

  // ---- provisioning (VehicleProvisioning)

  private Effect<Event, State> onProvision(State s, Provision c) {
    String problem = VehicleProvisioning.problem(vin, c.spec(), settings.profiles().keySet());
    if (problem != null) {
      return Effect().reply(c.replyTo(), StatusReply.error(problem));
    }
    if (s.spec() != null && !s.spec().equals(c.spec())) {
      return replyError(c.replyTo(), "is being provisioned with a different spec");
    }
    if (s.spec() != null) {
      outbound.provision(s.spec(), s.primaryKeySeedHex(), c.replyTo());
      return Effect().none();
    }
    String seed = VehicleProvisioning.primaryKeySeedHex(Seeds.scenarioSeed(ctx.getSystem()), vin);
    return Effect()
        .persist(new ProvisionRequested(c.spec(), seed))
        .thenRun(ns -> outbound.provision(ns.spec(), seed, c.replyTo()));
  }

  private Effect<Event, State> onProvisionAgain(State s, Provision c) {
    if (s.spec().equals(c.spec())) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return replyError(c.replyTo(), "is already provisioned with another spec");
  }

  private Effect<Event, State> onProvisioned(State s, Provisioned c) {
    if (c.failure() != null) {
      ctx.getLog().warn("vehicle {}: provisioning failed: {}", vin, c.failure());
      return Effect().reply(c.replyTo(), StatusReply.error("provisioning failed: " + c.failure()));
    }
    return Effect()
        .persist(c.roots().activated(clock.now()))
        .thenRun(polling::schedule)
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  private Effect<Event, State> onDecommission(State s, Decommission c) {
    if (s.update() != null) {
      return replyError(c.replyTo(), "is updating (" + s.phase() + "); try again later");
    }
    timers.cancelAll();
    return Effect()
        .persist(new Decommissioned(clock.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  private Effect<Event, State> onDrive(State s, SetDriveState c) {
    if (c.state() == null || c.state() == s.drive()) {
      return Effect().none();
    }
    return Effect()
        .persist(new DriveStateChanged(c.state()))
        .thenRun(
            ns -> {
              if (ParkingWait.startsNow(ns)) {
                ctx.getSelf().tell(new ConsentTimer());
              }
            });
  }

  /** The drive profile's next parked instant: the vehicle parks as by {@code SetDriveState}. */
  private Effect<Event, State> onParkedTimer(State s, ParkedTimer c) {
    return ParkingWait.parks(s, c)
        ? onDrive(s, new SetDriveState(DriveState.PARKED))
        : Effect().none();
  }

  // ---- IDLE: the check (MetadataCheck)

  /** A wake-up while busy: the vehicle checks again once it is idle ({@link Polling}). */
  private Effect<Event, State> wakeLater() {
    polling.wakeLater();
    return Effect().none();
  }

  private Effect<Event, State> startCheck(State s) {
    if (polling.startCheck()) {
      outbound.check(s, polling.current());
    }
    return Effect().none();
  }

  private Effect<Event, State> onCheckFailed(State s, CheckFailed c) {
    polling.checkEnded();
    ctx.getLog().debug("vehicle {}: check failed: {}", vin, c.reason());
    faults.requestFailed();
    return idle(s);
  }

  private Effect<Event, State> onCheckArrived(State s, CheckArrived c) {
    polling.checkEnded();
    UptaneCheck.Result r = UptaneCheck.withoutRunning(c.result(), s.spec(), s.installed());
    List<Event> events = new ArrayList<>();
    if (!UptaneCheck.sameTrust(s.trust(), r.trust())) {
      // Also after a refusal: what verified before it stays trusted, across restarts too.
      events.add(new TrustUpdated(r.trust()));
    }
    events.addAll(r.securityEvents(clock.now()));
    r.fastForwardsUndone().forEach(d -> faults.refused(Attack.FAST_FORWARD.name()));
    if (r.refusal() != null) {
      return onRefused(s, r.refusal(), events);
    }
    refusals.verified();
    if (r.targets().isEmpty()) {
      return idle(s, events);
    }
    UpdatePlan plan = UptaneCheck.plan(s.nextUpdateId(), clock.now(), r, s.spec().ecuIdsBySerial());
    events.add(new UpdateFound(plan));
    return Effect().persist(events).thenRun(this::proceed);
  }

  /**
   * Refused metadata is reported once a second check confirms it, and once ({@link RefusalGate}).
   */
  private Effect<Event, State> onRefused(State s, UptaneCheck.Refusal r, List<Event> trustUpdates) {
    RefusalGate.Step step = refusals.refused(r.key(), s.history().refusalKey());
    return switch (step) {
      case REPORTED_ALREADY, WAIT -> {
        // reported already, or refused otherwise at each check made at once: the next poll
        ctx.getLog().debug("vehicle {}: refused again ({}), {}", vin, r.attack(), step);
        faults.refused(r.attack());
        yield idle(s, trustUpdates);
      }
      case CHECK_AGAIN -> {
        ctx.getLog()
            .info("vehicle {}: refused update metadata ({}); checking again", vin, r.attack());
        polling.checkNow();
        yield Effect().persist(trustUpdates);
      }
      case REPORT -> {
        ctx.getLog()
            .warn("vehicle {}: refused update metadata ({}): {}", vin, r.attack(), r.detail());
        UpdatePlan plan = UpdatePlan.ofRefusal(s.nextUpdateId(), clock.now());
        List<Event> events = new ArrayList<>(trustUpdates);
        events.add(new CheckRefused(plan, Refusal.of(r), r.key(), clock.now()));
        yield Effect().persist(events).thenRun(this::proceed);
      }
    };
  }

  // ---- the update, phase by phase

  /** A download that failed on the way is tried again ({@link DownloadRetries}), then FAILED. */
  private Effect<Event, State> onDownloadFailed(State s, DownloadFailed c) {
    faults.requestFailed();
    if (downloadRetries.tryAgain(s.update().updateId())) {
      updateTimers.retryDownload(s.update().updateId());
      return Effect().none();
    }
    return end(
        s, UpdateOutcome.FAILED, "", "download failed: " + c.reason() + downloadRetries.tried());
  }

  private Effect<Event, State> onRetryDownload(State s, RetryDownload c) {
    if (s.update().updateId().equals(c.updateId())) {
      proceed(s);
    }
    return Effect().none();
  }

  /** Moves the update on from the phase the state is in; used after every event and on recovery. */
  private void proceed(State s) {
    if (s.update() == null) {
      updateTimers.arm(s);
      return;
    }
    if (s.phase() != Phase.AWAITING_CONSENT) {
      parking.cancel();
    }
    switch (s.phase()) {
      case AWAITING_CONSENT -> parking.await(s);
      case DOWNLOADING -> outbound.download(s);
      case DISTRIBUTING, INSTALLING -> outbound.distribute(s);
      case REPORTING -> outbound.signManifest(s);
      default -> {}
    }
    updateTimers.arm(s);
  }

  /** Consent is there: the update starts, or waits to be parked ({@link ParkingWait}). */
  private Effect<Event, State> onConsent(State s) {
    return Effect().persist(parking.start(s)).thenRun(this::proceed);
  }

  private Effect<Event, State> onDownloadArrived(State s, DownloadArrived c) {
    if (!c.updateId().equals(s.update().updateId())) {
      return Effect().none(); // a copy of an earlier update's images, arriving late
    }
    ImageDownload.Result r = c.result();
    List<Event> verdict = ImageDownload.verdict(s.update().plan().installs(), r, clock.now());
    if (verdict.get(verdict.size() - 1) instanceof UpdateEnded refused) {
      // Refused before any ECU sees it.
      ctx.getLog()
          .warn("vehicle {}: refused an image ({}): {}", vin, refused.attack(), refused.reason());
    } else {
      outbound.store(r.images());
    }
    return Effect().persist(verdict).thenRun(this::proceed);
  }

  private Effect<Event, State> onProgress(State s, TransferProgressed c) {
    if (!EcuTransfers.completes(s.update(), c.progress())) {
      return Effect().none();
    }
    return Effect().persist(new EcuTransferred(c.progress().ecuId()));
  }

  private Effect<Event, State> onTransferred(State s, Transferred c) {
    CanBus.TransferResult r = c.result();
    if (!EcuTransfers.isNewResult(s.update(), r)) {
      return Effect().none();
    }
    if (r.outcome() == UpdateOutcome.REJECTED) {
      ctx.getLog().warn("vehicle {}: ECU {} refused the image: {}", vin, r.ecuId(), r.reason());
    }
    return Effect()
        .persist(new EcuInstallReported(r.ecuId(), r.outcome(), r.reason(), r.newVersion()))
        .thenRun(this::proceed);
  }

  /** The vehicle ends every install without a result in the current phase, and reports. */
  private Effect<Event, State> end(State s, UpdateOutcome outcome, String attack, String reason) {
    ctx.getLog().info("vehicle {}: update {} {}: {}", vin, s.update().updateId(), outcome, reason);
    return Effect()
        .persist(new UpdateEnded(outcome, s.phase(), attack, reason))
        .thenRun(this::proceed);
  }

  private Effect<Event, State> onPhaseTimeout(State s, PhaseTimeout c) {
    if (!s.update().updateId().equals(c.updateId()) || s.phase() != c.phase()) {
      return Effect().none();
    }
    return switch (s.phase()) {
      case REPORTING ->
          Effect().persist(new ManifestSigned(s.manifestCounter() + 1)).thenRun(this::proceed);
      case DOWNLOADING -> end(s, UpdateOutcome.FAILED, "", "download timed out");
      default -> end(s, UpdateOutcome.FAILED, "", "no result from the ECUs in time");
    };
  }

  // ---- recovery and polling

  /** Back to idle after a check; the next poll is foreseen from what the vehicle trusts then. */
  private Effect<Event, State> idle(State s) {
    polling.idle(s);
    return Effect().none();
  }

  private Effect<Event, State> idle(State s, List<Event> events) {
    return events.isEmpty() ? idle(s) : Effect().persist(events).thenRun(polling::idle);
  }

  /** After a restart, the vehicle resumes from its last event ({@link Resumption}). */
  private void resume(State s) {
    switch (Resumption.of(s)) {
      case POLL -> polling.scheduleIfNone(s);
      case SIGN_AGAIN ->
          ctx.getSelf().tell(new PhaseTimeout(Phase.REPORTING, s.update().updateId()));
      case CARRY_ON -> proceed(s);
      case NOTHING -> {}
    }
  }

  // ---------------------------------------------------------------- events

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            ProvisionRequested.class, (s, e) -> s.provisioning(e.spec(), e.primaryKeySeedHex()))
        .onEvent(
            Activated.class,
            (s, e) -> s.with(new Trust(e.director(), e.images(), null)).with(Lifecycle.ACTIVE))
        .onEvent(Decommissioned.class, (s, e) -> s.with(Lifecycle.DECOMMISSIONED))
        .onEvent(DriveStateChanged.class, (s, e) -> s.with(e.drive()))
        .onEvent(TrustUpdated.class, (s, e) -> s.with(e.trust()))
        .onEvent(
            UpdateFound.class, (s, e) -> s.with(s.history().started()).with(Update.start(e.plan())))
        .onEvent(
            CheckRefused.class,
            (s, e) ->
                s.with(s.history().refused(e.key())).with(Update.refused(e.plan(), e.refusal())))
        .onEvent(ConsentGiven.class, (s, e) -> s.with(s.update().consented()))
        .onEvent(DownloadStarted.class, (s, e) -> s.with(s.update().with(Phase.DOWNLOADING)))
        .onEvent(DownloadCompleted.class, (s, e) -> s.with(s.update().downloaded(e.bytes())))
        .onEvent(ImagesVerified.class, (s, e) -> s.with(s.update().with(Phase.DISTRIBUTING)))
        .onEvent(EcuTransferred.class, (s, e) -> s.with(s.update().withTransferred(e.ecuId())))
        .onEvent(
            EcuInstallReported.class,
            (s, e) -> s.with(s.update().reported(e.ecuId(), e.outcome(), e.reason(), e.version())))
        .onEvent(
            UpdateEnded.class,
            (s, e) -> s.with(s.update().ended(e.outcome(), e.phase(), e.attack(), e.reason())))
        .onEvent(ManifestSigned.class, (s, e) -> s.withCounter(e.counter()))
        .onEvent(UpdateFinished.class, (s, e) -> s.finished(e.record(), e.installed()))
        .onEvent(AttackDetected.class, (s, e) -> s.with(s.history().attack()))
        .build();
  }
}
