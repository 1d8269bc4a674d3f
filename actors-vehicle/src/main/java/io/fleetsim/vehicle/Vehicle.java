package io.fleetsim.vehicle;

import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.DirectorKeys;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cluster.BlobStore;
import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.SimClock;
import io.fleetsim.ecu.Bank;
import io.fleetsim.ecu.CanBus;
import io.fleetsim.ecu.Ecu;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.persistence.PersistenceSetup;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.ImageVerifier;
import io.fleetsim.uptane.client.TrustedState;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.manifest.VehicleVersionManifest;
import io.fleetsim.uptane.metadata.TargetFile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
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
 * A vehicle's primary ECU: the OTA agent. Entity id = VIN.
 *
 * <p>IDLE → CHECKING (director and image-repository metadata fetched over the vehicle's {@link
 * NetworkLink} and fully verified) → AWAITING_CONSENT (when the campaign asks for consent, or for
 * PARKED while the vehicle drives) → DOWNLOADING → VERIFYING (length and SHA-256 against the
 * verified targets) → DISTRIBUTING (each target ECU over the {@link CanBus}) → INSTALLING (ECUs
 * flash and reboot; each reports installed or rolled back) → REPORTING (ECU reports signed by the
 * ECUs, the vehicle version manifest signed by this primary, sent to the Director) → IDLE.
 *
 * <p>Every phase boundary is an event. CHECKING is the one phase that persists nothing: a check
 * that finds nothing is not a fact worth replaying, and a restart during a check simply checks
 * again. A restart in any later phase resumes from the last event: a download starts again, a
 * distribution re-sends only the transfers that have no result (the bus resumes them from their
 * last acknowledged block), a report is signed again with a new counter. An ECU with a result is
 * never sent the image again, so nothing installs twice.
 */
public final class Vehicle
    extends EventSourcedBehavior<Vehicle.Command, Vehicle.Event, Vehicle.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Vehicle");

  /** How many finished updates the state keeps for status queries. */
  static final int HISTORY_LIMIT = 10;

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

  /** One finished update, in simulated time. */
  /**
   * @param downloadedBytes what crossed the cellular link for the images (a delta, when the
   *     repository had one from the running version, is much smaller than the image)
   */
  public record UpdateRecord(
      String campaignId,
      Instant startedAt,
      Instant finishedAt,
      String outcome,
      String detail,
      long downloadedBytes)
      implements CborSerializable {

    public Duration duration() {
      return Duration.between(startedAt, finishedAt);
    }
  }

  // internal messages: timers and results of asynchronous work
  record Poll() implements Command {}

  record Provisioned(ProvisionFacts facts, String failure, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  record CheckDone(CheckResult result, String failure) implements Command {}

  record CheckArrived(CheckResult result) implements Command {}

  record ConsentTimer() implements Command {}

  record Downloaded(Map<String, byte[]> images, long networkBytes, String failure)
      implements Command {}

  record DownloadArrived(Map<String, byte[]> images, long bytes) implements Command {}

  record Transferred(CanBus.TransferResult result) implements Command {}

  record TransferProgressed(CanBus.TransferProgress progress) implements Command {}

  record Reported(long counter, byte[] manifest, String failure) implements Command {}

  record SendManifest(long counter, byte[] manifest) implements Command {}

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

  public record ConsentGiven(Instant at) implements Event {}

  public record DownloadStarted(Instant at) implements Event {}

  public record DownloadCompleted(long bytes, Instant at) implements Event {}

  public record ImagesVerified(Instant at) implements Event {}

  public record EcuTransferred(String ecuId) implements Event {}

  public record EcuInstallReported(
      String ecuId, UpdateOutcome outcome, String reason, String version) implements Event {}

  public record ManifestSigned(long counter) implements Event {}

  public record UpdateFinished(UpdateRecord record, Map<String, Installed> installed)
      implements Event {}

  public record AttackDetected(String attack, String detail, Instant at) implements Event {}

  // ---------------------------------------------------------------- state

  /** One ECU's part of an update, from the verified director target. */
  public record PlannedInstall(
      String ecuId,
      String ecuSerial,
      String targetName,
      long length,
      String sha256,
      long releaseCounter)
      implements CborSerializable {}

  public record InstallResult(UpdateOutcome outcome, String reason, String version)
      implements CborSerializable {}

  /**
   * The metadata of both repositories this primary trusts, and until when all of it is valid (null
   * until a first full verification).
   */
  public record Trust(TrustedState director, TrustedState images, Instant until)
      implements CborSerializable {}

  /** What one ECU runs, as far as the primary knows. */
  public record Installed(String version, String sha256, long releaseCounter)
      implements CborSerializable {}

  /** What an update is to do, fixed when the check that found it verified its targets. */
  public record UpdatePlan(
      String updateId,
      String campaignId,
      Instant startedAt,
      boolean requireConsent,
      boolean requireParked,
      List<PlannedInstall> installs,
      byte[] directorTargets)
      implements CborSerializable {

    public UpdatePlan {
      installs = List.copyOf(installs);
    }
  }

  /** An update under way: its plan and how far it got. */
  public record Update(
      UpdatePlan plan,
      boolean consentGiven,
      Set<String> transferred,
      Map<String, InstallResult> results,
      long manifestCounter,
      long downloadedBytes)
      implements CborSerializable {

    public Update {
      transferred = Set.copyOf(transferred);
      results = Map.copyOf(results);
    }

    static Update of(UpdatePlan plan) {
      return new Update(plan, false, Set.of(), Map.of(), 0, 0);
    }

    String updateId() {
      return plan.updateId();
    }

    String campaignId() {
      return plan.campaignId();
    }

    Instant startedAt() {
      return plan.startedAt();
    }

    boolean requireConsent() {
      return plan.requireConsent();
    }

    boolean requireParked() {
      return plan.requireParked();
    }

    List<PlannedInstall> installs() {
      return plan.installs();
    }

    byte[] directorTargets() {
      return plan.directorTargets();
    }

    Update withConsent() {
      return new Update(plan, true, transferred, results, manifestCounter, downloadedBytes);
    }

    Update withTransferred(String ecuId) {
      Set<String> t = new java.util.HashSet<>(transferred);
      t.add(ecuId);
      return new Update(plan, consentGiven, t, results, manifestCounter, downloadedBytes);
    }

    Update withResult(String ecuId, InstallResult r) {
      Map<String, InstallResult> m = new TreeMap<>(results);
      m.put(ecuId, r);
      return new Update(plan, consentGiven, transferred, m, manifestCounter, downloadedBytes);
    }

    Update withDownloaded(long bytes) {
      return new Update(plan, consentGiven, transferred, results, manifestCounter, bytes);
    }

    Update withCounter(long counter) {
      return new Update(plan, consentGiven, transferred, results, counter, downloadedBytes);
    }

    boolean allResults() {
      return results.size() == installs().size();
    }

    boolean allTransferred() {
      return installs().stream()
          .allMatch(i -> transferred.contains(i.ecuId()) || results.containsKey(i.ecuId()));
    }

    String outcome() {
      if (results.values().stream().allMatch(r -> r.outcome() == UpdateOutcome.SUCCEEDED)) {
        return "SUCCEEDED";
      }
      if (results.values().stream().anyMatch(r -> r.outcome() == UpdateOutcome.ROLLED_BACK)) {
        return "ROLLED_BACK";
      }
      return "FAILED";
    }
  }

  public record State(
      Spec spec,
      Lifecycle lifecycle,
      DriveState drive,
      Phase phase,
      String primaryKeySeedHex,
      Trust trust,
      Map<String, Installed> installed,
      Update update,
      long manifestCounter,
      long updatesStarted,
      List<UpdateRecord> history,
      int attacksDetected)
      implements CborSerializable {

    static State empty() {
      return new State(
          null,
          Lifecycle.NEW,
          DriveState.PARKED,
          Phase.IDLE,
          null,
          null,
          Map.of(),
          null,
          0,
          0,
          List.of(),
          0);
    }

    State with(Phase p) {
      return new State(
          spec,
          lifecycle,
          drive,
          p,
          primaryKeySeedHex,
          trust,
          installed,
          update,
          manifestCounter,
          updatesStarted,
          history,
          attacksDetected);
    }

    State with(Update u) {
      return new State(
          spec,
          lifecycle,
          drive,
          phase,
          primaryKeySeedHex,
          trust,
          installed,
          u,
          manifestCounter,
          updatesStarted,
          history,
          attacksDetected);
    }

    State with(Lifecycle l) {
      return new State(
          spec,
          l,
          drive,
          phase,
          primaryKeySeedHex,
          trust,
          installed,
          update,
          manifestCounter,
          updatesStarted,
          history,
          attacksDetected);
    }

    State with(DriveState d) {
      return new State(
          spec,
          lifecycle,
          d,
          phase,
          primaryKeySeedHex,
          trust,
          installed,
          update,
          manifestCounter,
          updatesStarted,
          history,
          attacksDetected);
    }

    State with(Trust t) {
      return new State(
          spec,
          lifecycle,
          drive,
          phase,
          primaryKeySeedHex,
          t,
          installed,
          update,
          manifestCounter,
          updatesStarted,
          history,
          attacksDetected);
    }

    public Status status() {
      Map<String, String> versions = new TreeMap<>();
      installed.forEach((ecuId, i) -> versions.put(ecuId, i.version()));
      return new Status(
          spec == null ? null : spec.vin(),
          lifecycle,
          drive,
          phase,
          versions,
          history,
          attacksDetected);
    }

    EcuSpec ecuBySerial(String serial) {
      return spec.ecus().stream().filter(e -> e.serial().equals(serial)).findFirst().orElse(null);
    }
  }

  // ---------------------------------------------------------------- wiring

  /** How a vehicle reaches the rest of the system; sharding in a node, probes in tests. */
  public record Deps(
      java.util.function.Function<String, RecipientRef<Director.Command>> director,
      RecipientRef<ImageRepository.Command> imageRepository,
      java.util.function.Function<String, RecipientRef<Ecu.Command>> ecu,
      java.util.function.Function<String, RecipientRef<CanBus.Command>> bus,
      BlobStore blobs,
      DirectorKeys directorKeys) {}

  /** Settings under {@code fleetsim.vehicle}. */
  public record Settings(
      Duration pollInterval,
      Duration pollJitter,
      Duration consentDelay,
      Duration askTimeout,
      Duration phaseTimeout,
      Map<String, NetworkProfile> profiles) {

    public static Settings fromConfig(com.typesafe.config.Config root) {
      com.typesafe.config.Config c = root.getConfig("fleetsim.vehicle");
      return new Settings(
          c.getDuration("poll-interval"),
          c.getDuration("poll-jitter"),
          c.getDuration("consent-delay"),
          c.getDuration("ask-timeout"),
          c.getDuration("phase-timeout"),
          NetworkProfile.allFromConfig(root));
    }
  }

  public static Behavior<Command> create(String vin, Deps deps) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new Vehicle(vin, deps, ctx, timers)));
  }

  private final String vin;
  private final Deps deps;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final SimClock clock;
  private final Settings settings;
  private final Random rng;
  private final ActorRef<CanBus.TransferResult> transferAdapter;
  private final ActorRef<CanBus.TransferProgress> progressAdapter;
  private final java.util.concurrent.Executor dispatcher;
  private NetworkLink link;

  /** A check is in flight (not persisted: a restart simply checks again). */
  private boolean checking;

  /** A wake-up arrived while busy (not persisted: a restarted vehicle checks anyway). */
  private boolean wakeAgain;

  private Vehicle(
      String vin, Deps deps, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    super(
        PersistenceId.of(TYPE_KEY.name(), vin),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.vin = vin;
    this.deps = deps;
    this.ctx = ctx;
    this.timers = timers;
    this.clock = SimClock.get(ctx.getSystem());
    this.settings = Settings.fromConfig(ctx.getSystem().settings().config());
    this.rng = Seeds.forEntity(ctx.getSystem(), "vehicle:" + vin);
    this.dispatcher = ctx.getExecutionContext();
    this.transferAdapter = ctx.messageAdapter(CanBus.TransferResult.class, Transferred::new);
    this.progressAdapter =
        ctx.messageAdapter(CanBus.TransferProgress.class, TransferProgressed::new);
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
        .onCommand(GetStatus.class, (s, c) -> reply(c.replyTo(), s.status()))
        .onCommand(Decommission.class, this::onDecommission)
        .onAnyCommand(c -> Effect().unhandled());
    b.forState(s -> s.lifecycle() == Lifecycle.DECOMMISSIONED)
        .onCommand(GetStatus.class, (s, c) -> reply(c.replyTo(), s.status()))
        .onCommand(
            Provision.class,
            (s, c) -> replyError(c.replyTo(), "vehicle " + vin + " is decommissioned"))
        .onCommand(Decommission.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.ack()))
        .onAnyCommand(c -> Effect().none());
    b.forState(s -> s.lifecycle() == Lifecycle.ACTIVE)
        .onCommand(Provision.class, this::onProvisionAgain)
        .onCommand(GetStatus.class, (s, c) -> reply(c.replyTo(), s.status()))
        .onCommand(Decommission.class, this::onDecommission)
        .onCommand(SetDriveState.class, this::onDrive)
        .onCommand(Notify.class, (s, c) -> onNotify(s))
        .onCommand(Poll.class, (s, c) -> startCheck(s))
        .onCommand(CheckDone.class, this::onCheckDone)
        .onCommand(CheckArrived.class, this::onCheckArrived)
        .onCommand(GrantConsent.class, (s, c) -> onConsent(s))
        .onCommand(ConsentTimer.class, (s, c) -> onConsent(s))
        .onCommand(Downloaded.class, this::onDownloaded)
        .onCommand(DownloadArrived.class, this::onDownloadArrived)
        .onCommand(TransferProgressed.class, this::onProgress)
        .onCommand(Transferred.class, this::onTransferred)
        .onCommand(Reported.class, this::onReported)
        .onCommand(SendManifest.class, this::onSendManifest)
        .onCommand(ReportAcked.class, this::onReportAcked)
        .onCommand(PhaseTimeout.class, this::onPhaseTimeout)
        .onCommand(Provisioned.class, (s, c) -> Effect().none());
    return b.build();
  }

  private <T> Effect<Event, State> reply(ActorRef<T> to, T value) {
    return Effect().reply(to, value);
  }

  private Effect<Event, State> replyError(ActorRef<StatusReply<Done>> to, String message) {
    return Effect().reply(to, StatusReply.error(message));
  }

  // ---- provisioning

  /** What provisioning learned from the ECUs and the two repositories. */
  record ProvisionFacts(byte[] directorRoot, byte[] imageRoot) implements CborSerializable {}

  private Effect<Event, State> onProvision(State s, Provision c) {
    String problem = specProblem(c.spec());
    if (problem != null) {
      return replyError(c.replyTo(), problem);
    }
    if (s.spec() != null && !s.spec().equals(c.spec())) {
      return replyError(
          c.replyTo(), "vehicle " + vin + " is being provisioned with a different spec");
    }
    if (s.spec() != null) {
      provision(s.spec(), s.primaryKeySeedHex(), c.replyTo());
      return Effect().none();
    }
    String seed = Hex.encode(SigningKey.generate(rng).seed());
    return Effect()
        .persist(new ProvisionRequested(c.spec(), seed))
        .thenRun(ns -> provision(ns.spec(), seed, c.replyTo()));
  }

  private Effect<Event, State> onProvisionAgain(State s, Provision c) {
    if (s.spec().equals(c.spec())) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return replyError(c.replyTo(), "vehicle " + vin + " is already provisioned with another spec");
  }

  private String specProblem(Spec spec) {
    if (spec == null) {
      return "spec: required";
    }
    if (!vin.equals(spec.vin())) {
      return "spec.vin: " + spec.vin() + " does not match entity " + vin;
    }
    if (spec.ecus().isEmpty()) {
      return "spec.ecus: a vehicle needs at least one ECU";
    }
    if (!settings.profiles().containsKey(spec.networkProfile())) {
      return "spec.networkProfile: unknown profile '"
          + spec.networkProfile()
          + "', known: "
          + settings.profiles().keySet();
    }
    if (spec.ecus().stream().map(EcuSpec::ecuId).distinct().count() != spec.ecus().size()) {
      return "spec.ecus: ECU ids must be unique";
    }
    return null;
  }

  /** Provisions the ECUs, registers the inventory with the Director, fetches the two roots. */
  private void provision(Spec spec, String primarySeed, ActorRef<StatusReply<Done>> replyTo) {
    String targetsKey = deps.directorKeys().targetsKey().hex();
    List<CompletionStage<Director.EcuInfo>> ecus = new ArrayList<>();
    for (EcuSpec e : spec.ecus()) {
      RecipientRef<Ecu.Command> ecu = deps.ecu().apply(Ecu.entityId(vin, e.ecuId()));
      Ecu.Profile profile =
          new Ecu.Profile(
              e.type(),
              e.hardwareId(),
              e.serial(),
              e.transport(),
              e.flashBytesPerSecond(),
              List.of(targetsKey),
              1,
              e.installed());
      ecus.add(
          askStatus(ecu, (ActorRef<StatusReply<Done>> r) -> new Ecu.Provision(profile, r))
              .thenCompose(done -> ask(ecu, Ecu.GetStatus::new))
              .thenApply(
                  st ->
                      new Director.EcuInfo(
                          e.serial(),
                          e.ecuId(),
                          e.type().name(),
                          e.hardwareId(),
                          st.publicKeyHex(),
                          versionOf(e.type(), e.installed().version()),
                          e.installed().releaseCounter())));
    }
    String primaryKey = SigningKey.fromHex(primarySeed).publicKey().hex();
    RecipientRef<Director.Command> director = deps.director().apply(vin);
    CompletionStage<ProvisionFacts> facts =
        allOf(ecus)
            .thenCompose(
                infos ->
                    askStatus(
                        director,
                        (ActorRef<StatusReply<Done>> r) ->
                            new Director.Register(
                                spec.region(),
                                spec.environment(),
                                spec.tags(),
                                spec.primarySerial(),
                                primaryKey,
                                infos,
                                r)))
            .thenCompose(
                done ->
                    askStatus(
                        director,
                        (ActorRef<StatusReply<byte[]>> r) ->
                            new Director.GetMetadata("1.root.json", r)))
            .thenCombine(
                askStatus(
                    deps.imageRepository(),
                    (ActorRef<StatusReply<byte[]>> r) ->
                        new ImageRepository.GetMetadata("1.root.json", r)),
                ProvisionFacts::new);
    ctx.pipeToSelf(
        facts, (f, err) -> new Provisioned(f, err == null ? null : rootCause(err), replyTo));
  }

  private Effect<Event, State> onProvisioned(State s, Provisioned c) {
    if (c.failure() != null) {
      ctx.getLog().warn("vehicle {}: provisioning failed: {}", vin, c.failure());
      return Effect().reply(c.replyTo(), StatusReply.error("provisioning failed: " + c.failure()));
    }
    return Effect()
        .persist(
            new Activated(
                TrustedState.ofRoot(c.facts().directorRoot()),
                TrustedState.ofRoot(c.facts().imageRoot()),
                clock.now()))
        .thenRun(ns -> schedulePoll(true))
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  private Effect<Event, State> onDecommission(State s, Decommission c) {
    if (s.update() != null) {
      return replyError(
          c.replyTo(), "vehicle " + vin + " is updating (" + s.phase() + "); try again later");
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
    return Effect().persist(new DriveStateChanged(c.state())).thenRun(this::proceedIfReady);
  }

  // ---- check

  /**
   * What a check concluded: the newly trusted metadata of both repositories and the targets to
   * install, or the attack that made it refuse; plus how many bytes crossed the link.
   */
  record CheckResult(
      Trust trust,
      List<VerifiedTarget> targets,
      byte[] directorTargets,
      long networkBytes,
      String attack,
      String detail)
      implements CborSerializable {

    static CheckResult nothingNew(Trust trust, long networkBytes) {
      return new CheckResult(trust, List.of(), null, networkBytes, null, null);
    }
  }

  /**
   * A wake-up while a check or an update is under way may announce something that check or update
   * does not cover (a second assignment made a moment later): it is kept, and the vehicle checks
   * again as soon as it is idle instead of waiting for its next poll.
   */
  private Effect<Event, State> onNotify(State s) {
    if (s.update() != null || checking) {
      wakeAgain = true;
      return Effect().none();
    }
    return startCheck(s);
  }

  /** Back to idle: check again at once if a wake-up came meanwhile, else at the next poll. */
  private void idle() {
    if (wakeAgain) {
      wakeAgain = false;
      ctx.getSelf().tell(new Poll());
    } else {
      schedulePoll(false);
    }
  }

  private Effect<Event, State> startCheck(State s) {
    if (s.update() != null || checking) {
      return Effect().none();
    }
    checking = true;
    timers.cancel(Poll.class);
    Instant now = clock.now();
    Map<String, String> inventory = new LinkedHashMap<>();
    Map<String, Long> counters = new LinkedHashMap<>();
    for (EcuSpec e : s.spec().ecus()) {
      inventory.put(e.serial(), e.hardwareId());
      Installed i = s.installed().get(e.ecuId());
      counters.put(e.serial(), i == null ? e.installed().releaseCounter() : i.releaseCounter());
    }
    Trust trust = s.trust();
    // The TUF order: newer roots and the timestamp first. When both repositories serve the very
    // timestamps this vehicle verified last time, nothing is new and the poll ends there.
    CompletionStage<CheckResult> result =
        fetchHead(trust.director(), this::directorFile)
            .thenCombine(fetchHead(trust.images(), this::imageFile), Heads::new)
            .thenCompose(
                heads -> {
                  if (UptaneCheck.unchanged(trust, heads.director(), heads.images(), now)) {
                    return CompletableFuture.completedFuture(
                        CheckResult.nothingNew(trust, heads.bytes()));
                  }
                  return fetchRest(heads.director(), this::directorFile)
                      .thenCombine(
                          fetchRest(heads.images(), this::imageFile),
                          (d, i) -> UptaneCheck.run(trust, d, i, inventory, counters, now));
                });
    ctx.pipeToSelf(result, (r, err) -> new CheckDone(r, err == null ? null : rootCause(err)));
    return Effect().none();
  }

  /** Newer roots and the timestamp of both repositories. */
  record Heads(Map<String, byte[]> director, Map<String, byte[]> images) {
    long bytes() {
      return UptaneCheck.size(director) + UptaneCheck.size(images);
    }
  }

  private CompletionStage<byte[]> directorFile(String name) {
    return askStatus(
        deps.director().apply(vin),
        (ActorRef<StatusReply<byte[]>> r) -> new Director.GetMetadata(name, r));
  }

  private CompletionStage<byte[]> imageFile(String name) {
    return askStatus(
        deps.imageRepository(),
        (ActorRef<StatusReply<byte[]>> r) -> new ImageRepository.GetMetadata(name, r));
  }

  /** Every root after the trusted one (until the repository has no more), then the timestamp. */
  private CompletionStage<Map<String, byte[]>> fetchHead(
      TrustedState trusted, java.util.function.Function<String, CompletionStage<byte[]>> fetch) {
    Map<String, byte[]> files = new java.util.concurrent.ConcurrentHashMap<>();
    return fetchRoots(UptaneCheck.rootVersion(trusted) + 1, files, fetch)
        .thenCompose(x -> fetch.apply("timestamp.json"))
        .thenApply(
            t -> {
              files.put("timestamp.json", t);
              return files;
            });
  }

  /** What the workflow reads after the timestamp: snapshot and targets. */
  private CompletionStage<Map<String, byte[]>> fetchRest(
      Map<String, byte[]> head,
      java.util.function.Function<String, CompletionStage<byte[]>> fetch) {
    return fetch
        .apply("snapshot.json")
        .thenCombine(
            fetch.apply("targets.json"),
            (snapshot, targets) -> {
              Map<String, byte[]> files = new LinkedHashMap<>(head);
              files.put("snapshot.json", snapshot);
              files.put("targets.json", targets);
              return files;
            });
  }

  private CompletionStage<Done> fetchRoots(
      int version,
      Map<String, byte[]> files,
      java.util.function.Function<String, CompletionStage<byte[]>> fetch) {
    if (version > UptaneCheck.MAX_ROOT_FETCH + 1) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    String name = version + ".root.json";
    return fetch
        .apply(name)
        .handle((bytes, err) -> err == null ? bytes : null)
        .thenCompose(
            bytes -> {
              if (bytes == null) {
                return CompletableFuture.completedFuture(Done.getInstance());
              }
              files.put(name, bytes);
              return fetchRoots(version + 1, files, fetch);
            });
  }

  private Effect<Event, State> onCheckDone(State s, CheckDone c) {
    if (c.failure() != null) {
      checking = false;
      ctx.getLog().debug("vehicle {}: check failed: {}", vin, c.failure());
      idle();
      return Effect().none();
    }
    // The fetches above happened instantly; the link decides how long they took.
    NetworkLink.Exchange e = link(s).exchange(c.result().networkBytes(), clock.now());
    if (!e.delivered()) {
      checking = false;
      idle();
      return Effect().none();
    }
    timers.startSingleTimer(new CheckArrived(c.result()), clock.toWall(e.duration()));
    return Effect().none();
  }

  private Effect<Event, State> onCheckArrived(State s, CheckArrived c) {
    checking = false;
    CheckResult r = c.result();
    List<Event> events = new ArrayList<>();
    if (r.attack() != null) {
      ctx.getLog()
          .warn("vehicle {}: refused update metadata ({}): {}", vin, r.attack(), r.detail());
      events.add(new AttackDetected(r.attack(), r.detail(), clock.now()));
      idle();
      return Effect().persist(events);
    }
    if (!sameTrust(s.trust(), r.trust())) {
      events.add(new TrustUpdated(r.trust()));
    }
    List<PlannedInstall> installs = new ArrayList<>();
    String campaignId = null;
    boolean consent = false;
    boolean parked = false;
    for (VerifiedTarget t : r.targets()) {
      EcuSpec ecu = s.ecuBySerial(t.ecuSerial());
      installs.add(
          new PlannedInstall(
              ecu.ecuId(),
              t.ecuSerial(),
              t.target().name(),
              t.target().length(),
              t.target().sha256(),
              t.releaseCounter()));
      campaignId = campaignId == null ? UptaneCheck.custom(t, "campaign") : campaignId;
      consent |= "true".equals(UptaneCheck.custom(t, "require_consent"));
      parked |= !"false".equals(UptaneCheck.custom(t, "require_parked"));
    }
    if (installs.isEmpty()) {
      idle();
      return Effect().persist(events);
    }
    UpdatePlan plan =
        new UpdatePlan(
            vin + "-u" + (s.updatesStarted() + 1),
            campaignId,
            clock.now(),
            consent,
            parked,
            installs,
            r.directorTargets());
    events.add(new UpdateFound(plan));
    return Effect().persist(events).thenRun(this::proceed);
  }

  /** Same bytes trusted for both repositories, and the same validity. */
  private static boolean sameTrust(Trust a, Trust b) {
    return a != null
        && b != null
        && Objects.equals(a.until(), b.until())
        && sameState(a.director(), b.director())
        && sameState(a.images(), b.images());
  }

  private static boolean sameState(TrustedState a, TrustedState b) {
    return java.util.Arrays.equals(a.root(), b.root())
        && java.util.Arrays.equals(a.timestamp(), b.timestamp())
        && java.util.Arrays.equals(a.snapshot(), b.snapshot())
        && java.util.Arrays.equals(a.targets(), b.targets());
  }

  // ---- the update, phase by phase

  /** Moves the update on from the phase the state is in; used after every event and on recovery. */
  private void proceed(State s) {
    Update u = s.update();
    if (u == null) {
      return;
    }
    switch (s.phase()) {
      case AWAITING_CONSENT -> awaitConsent(s);
      case DOWNLOADING -> download(s);
      case DISTRIBUTING, INSTALLING -> distribute(s);
      case REPORTING -> report(s);
      default -> {}
    }
    armTimeout(s);
  }

  private void proceedIfReady(State s) {
    if (s.phase() == Phase.AWAITING_CONSENT && ready(s)) {
      ctx.getSelf().tell(new ConsentTimer());
    }
  }

  private static boolean ready(State s) {
    Update u = s.update();
    return (!u.requireConsent() || u.consentGiven())
        && (!u.requireParked() || s.drive() == DriveState.PARKED);
  }

  private void awaitConsent(State s) {
    Update u = s.update();
    if (u.requireConsent() && !u.consentGiven()) {
      timers.startSingleTimer(
          ConsentTimer.class, new ConsentTimer(), clock.toWall(settings.consentDelay()));
    } else if (ready(s)) {
      ctx.getSelf().tell(new ConsentTimer());
    }
  }

  private Effect<Event, State> onConsent(State s) {
    Update u = s.update();
    if (u == null || s.phase() != Phase.AWAITING_CONSENT) {
      return Effect().none();
    }
    List<Event> events = new ArrayList<>();
    if (!u.consentGiven()) {
      events.add(new ConsentGiven(clock.now()));
    }
    boolean parkedOk = !u.requireParked() || s.drive() == DriveState.PARKED;
    if (parkedOk) {
      events.add(new DownloadStarted(clock.now()));
    }
    return Effect().persist(events).thenRun(this::proceed);
  }

  private void download(State s) {
    Map<String, CompletionStage<Fetched>> fetches = new LinkedHashMap<>();
    for (PlannedInstall i : s.update().installs()) {
      Installed running = s.installed().get(i.ecuId());
      fetches.computeIfAbsent(i.sha256(), sha -> fetchImage(i, running));
    }
    CompletionStage<Downloaded> all =
        CompletableFuture.completedFuture(new Downloaded(new LinkedHashMap<>(), 0, null));
    for (Map.Entry<String, CompletionStage<Fetched>> f : fetches.entrySet()) {
      all =
          all.thenCombine(
              f.getValue(),
              (d, fetched) -> {
                d.images().put(f.getKey(), fetched.image());
                return new Downloaded(d.images(), d.networkBytes() + fetched.networkBytes(), null);
              });
    }
    ctx.pipeToSelf(all, (d, err) -> err == null ? d : new Downloaded(Map.of(), 0, rootCause(err)));
  }

  /** An image as the vehicle rebuilt it, and how many bytes crossed the link for it. */
  record Fetched(byte[] image, long networkBytes) {}

  /**
   * The image for one install: as a binary delta from what the ECU runs when the repository has one
   * (only the delta crosses the link; the base is what the ECU already holds), else whole.
   */
  private CompletionStage<Fetched> fetchImage(PlannedInstall i, Installed running) {
    RecipientRef<ImageRepository.Command> repo = deps.imageRepository();
    String[] typeAndVersion = typeAndVersion(i.targetName());
    CompletionStage<FirmwareImage> info =
        typeAndVersion == null || running == null
            ? CompletableFuture.completedFuture(null)
            : this.<ImageRepository.Command, FirmwareImage>askStatus(
                    repo,
                    r -> new ImageRepository.GetImage(typeAndVersion[0], typeAndVersion[1], r))
                .exceptionally(err -> null);
    return info.thenCompose(
        image -> {
          if (image != null
              && image.hasDelta()
              && image.sha256().equals(i.sha256())
              && image.deltaFromVersion().equals(running.version())) {
            // The base is the image the ECU runs: on the vehicle already, it does not cross the
            // link.
            CompletionStage<byte[]> baseImage =
                deps.blobs()
                    .shared(running.sha256())
                    .<CompletionStage<byte[]>>map(CompletableFuture::completedFuture)
                    .orElseGet(() -> blob(running.sha256()));
            return blob(image.deltaSha256())
                .thenCombine(
                    baseImage,
                    (delta, base) ->
                        new Fetched(Delta.apply(base, delta, i.length()), delta.length));
          }
          return blob(i.sha256()).thenApply(bytes -> new Fetched(bytes, bytes.length));
        });
  }

  private CompletionStage<byte[]> blob(String sha256) {
    return askStatus(
        deps.imageRepository(),
        (ActorRef<StatusReply<byte[]>> r) -> new ImageRepository.GetBlob(sha256, r));
  }

  /** {@code ENGINE/2.0.0.img} → {@code [ENGINE, 2.0.0]}; null for names of another form. */
  static String[] typeAndVersion(String targetName) {
    int slash = targetName.indexOf('/');
    if (slash <= 0 || !targetName.endsWith(".img")) {
      return null;
    }
    return new String[] {
      targetName.substring(0, slash), targetName.substring(slash + 1, targetName.length() - 4)
    };
  }

  private Effect<Event, State> onDownloaded(State s, Downloaded c) {
    if (s.phase() != Phase.DOWNLOADING) {
      return Effect().none();
    }
    if (c.failure() != null) {
      return fail(s, "download failed: " + c.failure());
    }
    long bytes = c.networkBytes();
    NetworkLink.Exchange e = link(s).exchange(bytes, clock.now());
    if (!e.delivered()) {
      return fail(s, "download failed: the link lost every attempt");
    }
    timers.startSingleTimer(new DownloadArrived(c.images(), bytes), clock.toWall(e.duration()));
    return Effect().none();
  }

  private Effect<Event, State> onDownloadArrived(State s, DownloadArrived c) {
    if (s.phase() != Phase.DOWNLOADING) {
      return Effect().none();
    }
    // VERIFYING: every image must match the length and hash its verified target signs.
    for (PlannedInstall i : s.update().installs()) {
      byte[] image = c.images().get(i.sha256());
      try {
        ImageVerifier.verify(
            new TargetFile(i.targetName(), i.length(), Map.of("sha256", i.sha256()), null), image);
      } catch (VerificationException e) {
        // Refused before any ECU sees it; the manifest then tells the Director the update failed.
        return fail(
            s,
            "image refused (" + e.attack() + "): " + e.getMessage(),
            List.of(
                new DownloadCompleted(c.bytes(), clock.now()),
                new AttackDetected(e.attack().name(), e.getMessage(), clock.now())));
      }
    }
    // Kept for the bus to stream from; on a node that holds the image already, nothing is stored.
    c.images()
        .forEach(
            (sha, bytes) -> {
              if (!deps.blobs().contains(sha)) {
                deps.blobs().put(bytes);
              }
            });
    return Effect()
        .persist(
            List.of(new DownloadCompleted(c.bytes(), clock.now()), new ImagesVerified(clock.now())))
        .thenRun(this::proceed);
  }

  private void distribute(State s) {
    Update u = s.update();
    RecipientRef<CanBus.Command> bus = deps.bus().apply(vin);
    for (PlannedInstall i : u.installs()) {
      if (u.results().containsKey(i.ecuId())) {
        continue;
      }
      EcuSpec ecu =
          s.spec().ecus().stream()
              .filter(e -> e.ecuId().equals(i.ecuId()))
              .findFirst()
              .orElseThrow();
      bus.tell(
          new CanBus.StartTransfer(
              u.updateId() + "-" + i.ecuId(),
              vin,
              i.ecuId(),
              ecu.transport(),
              i.sha256(),
              i.length(),
              u.directorTargets(),
              transferAdapter,
              progressAdapter));
    }
  }

  private Effect<Event, State> onProgress(State s, TransferProgressed c) {
    Update u = s.update();
    CanBus.TransferProgress p = c.progress();
    if (u == null
        || p.bytesAcknowledged() < p.length()
        || u.transferred().contains(p.ecuId())
        || !p.transferId().startsWith(u.updateId() + "-")) {
      return Effect().none();
    }
    return Effect().persist(new EcuTransferred(p.ecuId()));
  }

  private Effect<Event, State> onTransferred(State s, Transferred c) {
    Update u = s.update();
    CanBus.TransferResult r = c.result();
    if (u == null
        || !r.transferId().equals(u.updateId() + "-" + r.ecuId())
        || u.results().containsKey(r.ecuId())) {
      return Effect().none();
    }
    if (r.outcome() == UpdateOutcome.REJECTED) {
      ctx.getLog().warn("vehicle {}: ECU {} refused the image: {}", vin, r.ecuId(), r.reason());
    }
    return Effect()
        .persist(new EcuInstallReported(r.ecuId(), r.outcome(), r.reason(), r.newVersion()))
        .thenRun(this::proceed);
  }

  private void report(State s) {
    Update u = s.update();
    long counter = u.manifestCounter();
    List<CompletionStage<byte[]>> reports = new ArrayList<>();
    for (EcuSpec e : s.spec().ecus()) {
      RecipientRef<Ecu.Command> ecu = deps.ecu().apply(Ecu.entityId(vin, e.ecuId()));
      reports.add(
          askStatus(
                  ecu,
                  (ActorRef<StatusReply<Ecu.SignedVersionReport>> r) ->
                      new Ecu.SignVersionReport(counter, r))
              .thenApply(Ecu.SignedVersionReport::bytes));
    }
    SigningKey primary = SigningKey.fromHex(s.primaryKeySeedHex());
    String serial = s.spec().primarySerial();
    Instant now = clock.now();
    CompletionStage<byte[]> manifest =
        allOf(reports)
            .thenApply(
                list -> VehicleVersionManifest.sign(primary, vin, serial, list, counter, now));
    ctx.pipeToSelf(
        manifest, (m, err) -> new Reported(counter, m, err == null ? null : rootCause(err)));
  }

  private Effect<Event, State> onReported(State s, Reported c) {
    Update u = s.update();
    if (u == null || s.phase() != Phase.REPORTING || c.counter() != u.manifestCounter()) {
      return Effect().none();
    }
    if (c.failure() != null) {
      ctx.getLog().warn("vehicle {}: could not collect ECU reports: {}", vin, c.failure());
      return Effect().none(); // the phase timeout retries with a new counter
    }
    // The Director sees the manifest when the link has carried it there.
    NetworkLink.Exchange e = link(s).exchange(c.manifest().length, clock.now());
    if (e.delivered()) {
      timers.startSingleTimer(
          SendManifest.class,
          new SendManifest(c.counter(), c.manifest()),
          clock.toWall(e.duration()));
    }
    return Effect().none(); // an undelivered manifest is signed and sent again at the phase timeout
  }

  private Effect<Event, State> onSendManifest(State s, SendManifest c) {
    Update u = s.update();
    if (u == null || s.phase() != Phase.REPORTING || c.counter() != u.manifestCounter()) {
      return Effect().none();
    }
    CompletionStage<Director.ManifestResult> sent =
        askStatus(
            deps.director().apply(vin),
            (ActorRef<StatusReply<Director.ManifestResult>> r) ->
                new Director.ReportManifest(c.manifest(), r));
    ctx.pipeToSelf(
        sent, (r, err) -> new ReportAcked(c.counter(), err == null ? null : rootCause(err)));
    return Effect().none();
  }

  private Effect<Event, State> onReportAcked(State s, ReportAcked c) {
    Update u = s.update();
    if (u == null || s.phase() != Phase.REPORTING || c.counter() != u.manifestCounter()) {
      return Effect().none();
    }
    if (c.failure() != null) {
      ctx.getLog().warn("vehicle {}: the Director refused the manifest: {}", vin, c.failure());
      return Effect().none(); // retried with a new counter at the phase timeout
    }
    Map<String, Installed> installed = new TreeMap<>(s.installed());
    for (PlannedInstall i : u.installs()) {
      InstallResult r = u.results().get(i.ecuId());
      if (r != null && r.outcome() == UpdateOutcome.SUCCEEDED) {
        EcuSpec ecu = s.ecuBySerial(i.ecuSerial());
        installed.put(
            i.ecuId(),
            new Installed(versionOf(ecu.type(), i.targetName()), i.sha256(), i.releaseCounter()));
      }
    }
    UpdateRecord record =
        new UpdateRecord(
            u.campaignId(),
            u.startedAt(),
            clock.now(),
            u.outcome(),
            detail(u),
            u.downloadedBytes());
    return Effect().persist(new UpdateFinished(record, installed)).thenRun(ns -> idle());
  }

  private static String detail(Update u) {
    StringBuilder b = new StringBuilder();
    u.results()
        .forEach(
            (ecuId, r) -> {
              if (r.outcome() != UpdateOutcome.SUCCEEDED) {
                b.append(b.length() == 0 ? "" : "; ")
                    .append(ecuId)
                    .append(": ")
                    .append(r.outcome())
                    .append(r.reason() == null ? "" : " (" + r.reason() + ")");
              }
            });
    return b.toString();
  }

  /** Ends the update at every ECU that has no result yet as FAILED, and goes on to report. */
  private Effect<Event, State> fail(State s, String reason) {
    return fail(s, reason, List.of());
  }

  private Effect<Event, State> fail(State s, String reason, List<Event> before) {
    Update u = s.update();
    List<Event> events = new ArrayList<>(before);
    for (PlannedInstall i : u.installs()) {
      if (!u.results().containsKey(i.ecuId())) {
        events.add(new EcuInstallReported(i.ecuId(), UpdateOutcome.FAILED, reason, null));
      }
    }
    ctx.getLog().info("vehicle {}: update {} failed: {}", vin, u.updateId(), reason);
    return Effect().persist(events).thenRun(this::proceed);
  }

  private void armTimeout(State s) {
    Update u = s.update();
    if (u == null || s.phase() == Phase.AWAITING_CONSENT) {
      timers.cancel(PhaseTimeout.class);
      return;
    }
    timers.startSingleTimer(
        PhaseTimeout.class,
        new PhaseTimeout(s.phase(), u.updateId()),
        clock.toWall(settings.phaseTimeout()));
  }

  private Effect<Event, State> onPhaseTimeout(State s, PhaseTimeout c) {
    Update u = s.update();
    if (u == null || !u.updateId().equals(c.updateId())) {
      return Effect().none();
    }
    if (s.phase() != c.phase()) {
      return Effect().none();
    }
    return switch (s.phase()) {
      case REPORTING ->
          Effect().persist(new ManifestSigned(s.manifestCounter() + 1)).thenRun(this::proceed);
      case DOWNLOADING -> fail(s, "download timed out");
      case DISTRIBUTING, INSTALLING -> fail(s, "no result from the ECUs in time");
      default -> Effect().none();
    };
  }

  // ---- recovery and polling

  private void resume(State s) {
    if (s.lifecycle() != Lifecycle.ACTIVE) {
      return;
    }
    if (s.update() == null) {
      schedulePoll(true);
      return;
    }
    if (s.phase() == Phase.REPORTING) {
      // The Director may have accepted the last manifest already: sign again with a new counter.
      ctx.getSelf().tell(new PhaseTimeout(Phase.REPORTING, s.update().updateId()));
      return;
    }
    if ((s.phase() == Phase.DISTRIBUTING || s.phase() == Phase.INSTALLING) && !imagesStored(s)) {
      // The node that held the downloaded image is gone: fetch it again before resuming.
      ctx.getSelf().tell(new PhaseTimeout(Phase.DISTRIBUTING, s.update().updateId()));
      return;
    }
    proceed(s);
  }

  private boolean imagesStored(State s) {
    return s.update().installs().stream()
        .filter(i -> !s.update().results().containsKey(i.ecuId()))
        .allMatch(i -> deps.blobs().contains(i.sha256()));
  }

  private void schedulePoll(boolean first) {
    Duration interval = settings.pollInterval();
    double jitter = (rng.nextDouble() * 2 - 1) * settings.pollJitter().toMillis();
    Duration next =
        first
            ? Duration.ofMillis((long) (rng.nextDouble() * interval.toMillis()))
            : interval.plusMillis((long) jitter);
    timers.startSingleTimer(Poll.class, new Poll(), clock.toWall(next));
  }

  private NetworkLink link(State s) {
    if (link == null) {
      link = new NetworkLink(settings.profiles().get(s.spec().networkProfile()), rng);
    }
    return link;
  }

  // ---------------------------------------------------------------- events

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            ProvisionRequested.class,
            (s, e) ->
                new State(
                    e.spec(),
                    Lifecycle.NEW,
                    DriveState.PARKED,
                    Phase.IDLE,
                    e.primaryKeySeedHex(),
                    null,
                    installedAtFactory(e.spec()),
                    null,
                    0,
                    0,
                    List.of(),
                    0))
        .onEvent(
            Activated.class,
            (s, e) -> s.with(new Trust(e.director(), e.images(), null)).with(Lifecycle.ACTIVE))
        .onEvent(Decommissioned.class, (s, e) -> s.with(Lifecycle.DECOMMISSIONED))
        .onEvent(DriveStateChanged.class, (s, e) -> s.with(e.drive()))
        .onEvent(TrustUpdated.class, (s, e) -> s.with(e.trust()))
        .onEvent(
            UpdateFound.class,
            (s, e) ->
                new State(
                    s.spec(),
                    s.lifecycle(),
                    s.drive(),
                    Phase.AWAITING_CONSENT,
                    s.primaryKeySeedHex(),
                    s.trust(),
                    s.installed(),
                    Update.of(e.plan()),
                    s.manifestCounter(),
                    s.updatesStarted() + 1,
                    s.history(),
                    s.attacksDetected()))
        .onEvent(ConsentGiven.class, (s, e) -> s.with(s.update().withConsent()))
        .onEvent(DownloadStarted.class, (s, e) -> s.with(Phase.DOWNLOADING))
        .onEvent(
            DownloadCompleted.class,
            (s, e) -> s.with(s.update().withDownloaded(e.bytes())).with(Phase.VERIFYING))
        .onEvent(ImagesVerified.class, (s, e) -> s.with(Phase.DISTRIBUTING))
        .onEvent(
            EcuTransferred.class,
            (s, e) -> {
              Update u = s.update().withTransferred(e.ecuId());
              return s.with(u).with(u.allTransferred() ? Phase.INSTALLING : s.phase());
            })
        .onEvent(
            EcuInstallReported.class,
            (s, e) -> {
              Update u =
                  s.update()
                      .withResult(
                          e.ecuId(), new InstallResult(e.outcome(), e.reason(), e.version()));
              if (!u.allResults()) {
                return s.with(u);
              }
              long counter = s.manifestCounter() + 1;
              return withCounter(s.with(u.withCounter(counter)).with(Phase.REPORTING), counter);
            })
        .onEvent(
            ManifestSigned.class,
            (s, e) -> withCounter(s.with(s.update().withCounter(e.counter())), e.counter()))
        .onEvent(
            UpdateFinished.class,
            (s, e) -> {
              List<UpdateRecord> h = new ArrayList<>(s.history());
              h.add(e.record());
              while (h.size() > HISTORY_LIMIT) {
                h.remove(0);
              }
              return new State(
                  s.spec(),
                  s.lifecycle(),
                  s.drive(),
                  Phase.IDLE,
                  s.primaryKeySeedHex(),
                  s.trust(),
                  Map.copyOf(e.installed()),
                  null,
                  s.manifestCounter(),
                  s.updatesStarted(),
                  List.copyOf(h),
                  s.attacksDetected());
            })
        .onEvent(
            AttackDetected.class,
            (s, e) ->
                new State(
                    s.spec(),
                    s.lifecycle(),
                    s.drive(),
                    s.phase(),
                    s.primaryKeySeedHex(),
                    s.trust(),
                    s.installed(),
                    s.update(),
                    s.manifestCounter(),
                    s.updatesStarted(),
                    s.history(),
                    s.attacksDetected() + 1))
        .build();
  }

  private static State withCounter(State s, long counter) {
    return new State(
        s.spec(),
        s.lifecycle(),
        s.drive(),
        s.phase(),
        s.primaryKeySeedHex(),
        s.trust(),
        s.installed(),
        s.update(),
        Math.max(counter, s.manifestCounter()),
        s.updatesStarted(),
        s.history(),
        s.attacksDetected());
  }

  private static Map<String, Installed> installedAtFactory(Spec spec) {
    Map<String, Installed> m = new TreeMap<>();
    spec.ecus()
        .forEach(
            e ->
                m.put(
                    e.ecuId(),
                    new Installed(
                        versionOf(e.type(), e.installed().version()),
                        e.installed().sha256(),
                        e.installed().releaseCounter())));
    return Map.copyOf(m);
  }

  /** {@code ADAS/1.1.0.img} → {@code 1.1.0}; anything else is shown as it is. */
  static String versionOf(EcuType type, String targetName) {
    String prefix = type.name() + "/";
    if (targetName != null && targetName.startsWith(prefix) && targetName.endsWith(".img")) {
      return targetName.substring(prefix.length(), targetName.length() - ".img".length());
    }
    return targetName;
  }

  // ---------------------------------------------------------------- asks

  private <Req, Res> CompletionStage<Res> ask(
      RecipientRef<Req> target, java.util.function.Function<ActorRef<Res>, Req> message) {
    return onDispatcher(
        AskPattern.ask(target, message::apply, settings.askTimeout(), ctx.getSystem().scheduler()));
  }

  private <Req, Res> CompletionStage<Res> askStatus(
      RecipientRef<Req> target,
      java.util.function.Function<ActorRef<StatusReply<Res>>, Req> message) {
    return onDispatcher(
        AskPattern.askWithStatus(
            target, message::apply, settings.askTimeout(), ctx.getSystem().scheduler()));
  }

  /**
   * The stages Pekko's ask returns run every dependent stage asynchronously on the common fork-join
   * pool, and on a machine with fewer than three cores the JDK then starts a new thread per stage.
   * Continuing from a plain future completed on this actor's dispatcher keeps a check's dozen small
   * continuations on threads that already exist.
   */
  private <T> CompletionStage<T> onDispatcher(CompletionStage<T> stage) {
    CompletableFuture<T> f = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, err) -> {
          if (err != null) {
            f.completeExceptionally(err);
          } else {
            f.complete(value);
          }
        },
        dispatcher);
    return f;
  }

  private static <T> CompletionStage<List<T>> allOf(List<CompletionStage<T>> stages) {
    CompletableFuture<?>[] fs =
        stages.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(fs)
        .thenApply(x -> stages.stream().map(st -> st.toCompletableFuture().join()).toList());
  }

  private static String rootCause(Throwable t) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException
            || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
