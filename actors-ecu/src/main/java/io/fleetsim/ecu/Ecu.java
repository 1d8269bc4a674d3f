package io.fleetsim.ecu;

import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.EntityHome;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.ecu.EcuState.Download;
import io.fleetsim.ecu.EcuState.LastInstall;
import io.fleetsim.faults.Faults;
import io.fleetsim.persistence.PersistenceSetup;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
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
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One ECU with two flash banks, reached over its vehicle's {@link CanBus}. Entity id {@code
 * VIN/ecuId}.
 *
 * <p>RUNNING → (DiagnosticSessionControl) PROGRAMMING → (RequestDownload, director targets
 * verified) RECEIVING → (TransferData per block group, digest state persisted) →
 * (RequestTransferExit, length and hash verified) FLASHING → (flash time elapsed) REBOOTING → boot
 * child confirms: RUNNING on the new bank, or fails: RUNNING on the old bank ({@code RolledBack}).
 *
 * <p>The active bank is only ever switched to a bank that was written from bytes whose length and
 * SHA-256 matched director-signed metadata, so whatever happens (bad input, restart, failed boot)
 * the active bank stays valid and verified.
 *
 * <p>The checks of RequestDownload (signature verification) and RequestTransferExit (image hash)
 * run for real when the request arrives, but cost the simulated time the {@link EcuComputeModel}
 * gives for this ECU's type: their events and answer wait for a timer of that duration, so an
 * update's simulated time includes them exactly. A restart while a check is computing drops it and
 * the bus asks again.
 *
 * <p>Beside it: {@link UdsDownload} (the checks of each download request), {@link ComputeGate}
 * (their answers held for the modelled compute time), {@link Bootloader} (flash timer, boot child,
 * watchdog), {@link RestartRecovery} (what a restart mid-install means), {@link EcuCrypto} (key,
 * partial verification, the signed version report) and {@link EcuSettings}. The fault rules act on
 * it through {@link FaultedEcu} (how a boot ends, a failed flash write, a power loss while writing,
 * bytes changed on the bus).
 */
public final class Ecu extends EventSourcedBehavior<Ecu.Command, Ecu.Event, Ecu.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Ecu");

  public static String entityId(String vin, String ecuId) {
    return vin + "/" + ecuId;
  }

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  /** Idempotent: the same profile again is acknowledged, a different one refused. */
  public record Provision(EcuProfile profile, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** What anyone may know of an ECU: never its key seed, which stays inside this entity. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** The ECU as it can be shown: banks, phase, its public key, how the last install ended. */
  public record Status(
      Phase phase,
      EcuProfile profile,
      Bank bankA,
      Bank bankB,
      Bank.Slot active,
      String publicKeyHex,
      LastInstall lastInstall)
      implements CborSerializable {

    public Bank bank(Bank.Slot slot) {
      return slot == Bank.Slot.A ? bankA : bankB;
    }

    public Bank activeBank() {
      return bank(active);
    }
  }

  /** The signed bytes of uptane's ECU version report. */
  public record SignedVersionReport(String ecuSerial, byte[] bytes) implements CborSerializable {}

  public record SignVersionReport(long nonce, ActorRef<StatusReply<SignedVersionReport>> replyTo)
      implements Command {}

  /** UDS services of the download session (ISO 14229-1 service ids). */
  public enum UdsService {
    DIAGNOSTIC_SESSION_CONTROL(0x10),
    REQUEST_DOWNLOAD(0x34),
    TRANSFER_DATA(0x36),
    REQUEST_TRANSFER_EXIT(0x37);

    public final int sid;

    UdsService(int sid) {
      this.sid = sid;
    }
  }

  public enum Session {
    DEFAULT,
    PROGRAMMING
  }

  public sealed interface UdsResponse extends CborSerializable {
    String transferId();

    UdsService service();
  }

  /**
   * @param nextBlockSequenceCounter the block the ECU expects next: after a RequestDownload for a
   *     transfer it already holds, this is where the sender resumes
   * @param bytesReceived bytes received and hashed so far
   */
  public record PositiveResponse(
      String transferId, UdsService service, int nextBlockSequenceCounter, long bytesReceived)
      implements UdsResponse {}

  public record NegativeResponse(
      String transferId, UdsService service, NegativeResponseCode nrc, String reason)
      implements UdsResponse {}

  /** A request of the download session: answered with a {@link UdsResponse} to {@code replyTo}. */
  public sealed interface UdsRequest extends Command {
    String transferId();

    ActorRef<UdsResponse> replyTo();

    UdsService service();
  }

  public record DiagnosticSessionControl(
      String transferId, Session session, ActorRef<UdsResponse> replyTo) implements UdsRequest {
    @Override
    public UdsService service() {
      return UdsService.DIAGNOSTIC_SESSION_CONTROL;
    }
  }

  public record RequestDownload(
      String transferId,
      long address,
      long length,
      byte[] directorTargets,
      ActorRef<UdsResponse> replyTo)
      implements UdsRequest {
    @Override
    public UdsService service() {
      return UdsService.REQUEST_DOWNLOAD;
    }
  }

  /**
   * One block group: {@code data} is the concatenation of the UDS blocks acknowledged together,
   * {@code blockSequenceCounter} counts groups from 1.
   */
  public record TransferData(
      String transferId, int blockSequenceCounter, byte[] data, ActorRef<UdsResponse> replyTo)
      implements UdsRequest {
    @Override
    public UdsService service() {
      return UdsService.TRANSFER_DATA;
    }
  }

  public record RequestTransferExit(String transferId, ActorRef<UdsResponse> replyTo)
      implements UdsRequest {
    @Override
    public UdsService service() {
      return UdsService.REQUEST_TRANSFER_EXIT;
    }
  }

  // internal: timers, the boot child and recovery
  record FlashComplete(String transferId) implements Command {}

  /**
   * Power failed after {@code written} bytes of the open download's image were written ({@link
   * io.fleetsim.faults.FaultKind#POWER_LOSS}).
   */
  record PowerLost(String transferId, long written) implements Command {}

  /** The ECU runs its active bank again after a power loss, its boot time later. */
  record PowerRestored(String transferId) implements Command {}

  record BootConfirmed(int attempt) implements Command {}

  record BootSelfTestFailed(int attempt, String reason) implements Command {}

  record BootCrashed(int attempt, String reason) implements Command {}

  record BootStoppedSilently(int attempt) implements Command {}

  record WatchdogExpired(int attempt) implements Command {}

  record RecoverPhase(Phase phase) implements Command {}

  /** The modelled compute time of check {@code seq} has passed: its answer goes out. */
  record ComputeDone(long seq) implements Command {}

  /** Sent by the timers once an instant the ECU worked in has settled. */
  enum IdleCheck implements Command {
    INSTANCE
  }

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {}

  /** The ECU's profile and the seed of the key its version reports are signed with. */
  public record Provisioned(EcuProfile profile, String keySeedHex) implements Event {}

  /** What the ECU persists on {@link Provision} (and bulk provisioning writes): key from seed. */
  public static Provisioned provisioned(long scenarioSeed, String entityId, EcuProfile profile) {
    return new Provisioned(profile, EcuCrypto.keySeedHex(scenarioSeed, entityId));
  }

  public record SessionOpened(String transferId) implements Event {}

  /** Leaving the programming session drops any open download. */
  public record SessionClosed(String transferId, String reason) implements Event {}

  public record DownloadStarted(Download download) implements Event {}

  public record BlockGroupReceived(String transferId, int blockSequenceCounter, long bytesReceived)
      implements Event {}

  /** The received bytes are not the director's image: the download ends, the install REJECTED. */
  public record DownloadRefused(String transferId, NegativeResponseCode nrc, String reason)
      implements Event {}

  /** Length and hash matched: the inactive bank is erased and written from here on. */
  public record ImageVerified(String transferId, Bank.Slot targetSlot) implements Event {}

  public record FlashWritten(String transferId, Bank.Slot slot, Bank bank) implements Event {}

  public record FlashInterrupted(String transferId, Bank.Slot slot, String reason)
      implements Event {}

  public record BootStarted(String transferId, int attempt) implements Event {}

  public record Activated(String transferId, Bank.Slot slot, String version, long releaseCounter)
      implements Event {}

  public record RolledBack(String transferId, Bank.Slot activeSlot, String reason)
      implements Event {}

  // ---------------------------------------------------------------- state

  public enum Phase {
    UNPROVISIONED,
    RUNNING,
    PROGRAMMING,
    RECEIVING,
    FLASHING,
    REBOOTING
  }

  /**
   * @param download the open download from RECEIVING to REBOOTING, {@code null} otherwise
   * @param bootAttempt the boot attempt of the written bank in REBOOTING, 0 otherwise
   */
  public record State(
      Phase phase,
      EcuProfile profile,
      String keySeedHex,
      Banks banks,
      Download download,
      int bootAttempt,
      LastInstall lastInstall)
      implements CborSerializable {

    static final State EMPTY =
        new State(Phase.UNPROVISIONED, null, null, Banks.of(Bank.ERASED), null, 0, null);

    /** RUNNING its factory image, as {@link Provisioned} leaves it. */
    static State provisioned(EcuProfile profile, String keySeedHex) {
      return new State(
          Phase.RUNNING, profile, keySeedHex, Banks.of(profile.installed()), null, 0, null);
    }

    public Bank activeBank() {
      return banks.activeBank();
    }

    /** The ECU's Ed25519 public key, which the director registers to check version reports. */
    public String publicKeyHex() {
      return keySeedHex == null ? null : EcuCrypto.publicKeyHex(keySeedHex);
    }

    public Status status() {
      return new Status(
          phase, profile, banks.a(), banks.b(), banks.active(), publicKeyHex(), lastInstall);
    }

    /** The invariant every phase keeps: the active bank is valid, so the ECU can always boot. */
    public boolean isSafe() {
      return phase == Phase.UNPROVISIONED || activeBank().valid();
    }

    State at(Phase p, Banks b, Download d, int attempt) {
      return new State(p, profile, keySeedHex, b, d, attempt, lastInstall);
    }

    State at(Phase p) {
      return at(p, banks, download, bootAttempt);
    }

    /** Back to RUNNING on {@code b}, with the install's end recorded (or the last one kept). */
    State finished(Banks b, LastInstall last) {
      return new State(Phase.RUNNING, profile, keySeedHex, b, null, 0, last);
    }

    LastInstall ended(UpdateOutcome outcome, String reason, String version) {
      return new LastInstall(
          download.transferId(), download.assignmentId(), outcome, reason, version);
    }
  }

  // ---------------------------------------------------------------- behaviour

  private final String vin;
  private final String ecuId;
  private final ActorContext<Command> context;
  private final EcuSettings settings;
  private final SimClock clock;
  private final Bootloader bootloader;
  private final Function<String, RecipientRef<CanBus.Command>> busFor;
  private final ComputeGate checks;
  private final SimTimers<Command> timers;
  private final FaultedEcu faulted;

  private final PowerOutage outage;

  /** The hash of the open download's bytes so far; in memory only, lost in a restart. */
  private ReceivedHash received;

  /**
   * @param bootModel decides each boot's fate; {@code null} draws from {@code
   *     fleetsim.ecu.boot-failure-rate} with the entity's seeded generator
   * @param busFor the CanBus entity of a VIN, told how each install ended
   */
  public static Behavior<Command> create(
      String entityId, BootModel bootModel, Function<String, RecipientRef<CanBus.Command>> busFor) {
    return create(entityId, bootModel, busFor, null);
  }

  /**
   * As above, as a sharded entity living in {@code home} (null outside sharding): its timers are
   * kept by the node and it passivates when idle ({@link #passivateIfIdle}).
   */
  public static Behavior<Command> create(
      String entityId,
      BootModel bootModel,
      Function<String, RecipientRef<CanBus.Command>> busFor,
      EntityHome home) {
    return Behaviors.setup(
        ctx ->
            SimTimers.forEntity(
                home,
                IdleCheck.INSTANCE,
                timers -> new Ecu(entityId, ctx, timers, bootModel, busFor)));
  }

  private Ecu(
      String entityId,
      ActorContext<Command> context,
      SimTimers<Command> timers,
      BootModel bootModel,
      Function<String, RecipientRef<CanBus.Command>> busFor) {
    super(
        PersistenceId.of(TYPE_KEY.name(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    int slash = entityId.indexOf('/');
    if (slash <= 0 || slash == entityId.length() - 1) {
      throw new IllegalArgumentException("Ecu entity id must be VIN/ecuId: " + entityId);
    }
    this.vin = entityId.substring(0, slash);
    this.ecuId = entityId.substring(slash + 1);
    this.context = context;
    this.settings = EcuSettings.fromConfig(context.getSystem().settings().config());
    this.clock = SimClock.get(context.getSystem());
    this.timers = timers;
    this.faulted = new FaultedEcu(Faults.get(context.getSystem()), vin, ecuId, clock);
    this.outage = new PowerOutage(ecuId, context.getLog());
    this.bootloader =
        new Bootloader(
            ecuId,
            context,
            timers,
            settings,
            clock,
            Bootloader.model(bootModel, settings, clock, context, entityId),
            faulted);
    this.busFor = busFor;
    this.checks =
        new ComputeGate(
            timers, EcuComputeModel.fromConfig(context.getSystem().settings().config()));
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return PersistenceSetup.retention(context.getSystem());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state.phase() == Phase.FLASHING || state.phase() == Phase.REBOOTING) {
                // signals cannot persist; the decision is taken as a command right after recovery
                context.getSelf().tell(new RecoverPhase(state.phase()));
              }
            })
        // one handler for both: ChildFailed is a Terminated, and the builder's match order is
        // not something to rely on
        .onSignal(
            Terminated.class,
            (state, terminated) ->
                Bootloader.onTerminated(terminated).ifPresent(context.getSelf()::tell))
        .build();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    CommandHandlerBuilder<Command, Event, State> b = newCommandHandlerBuilder();

    b.forState(s -> s.phase() == Phase.UNPROVISIONED).onCommand(Provision.class, this::provision);

    b.forState(s -> s.phase() == Phase.RUNNING)
        .onCommand(Provision.class, this::provision)
        .onCommand(DiagnosticSessionControl.class, this::openSession);

    b.forState(s -> s.phase() == Phase.PROGRAMMING)
        .onCommand(DiagnosticSessionControl.class, this::sessionWhileProgramming)
        .onCommand(RequestDownload.class, this::requestDownload)
        .onCommand(ComputeDone.class, this::requestDownloadComputed);

    b.forState(s -> s.phase() == Phase.RECEIVING)
        .onCommand(DiagnosticSessionControl.class, this::sessionWhileProgramming)
        .onCommand(RequestDownload.class, this::requestDownloadWhileOpen)
        .onCommand(TransferData.class, this::transferData)
        .onCommand(RequestTransferExit.class, this::transferExit)
        .onCommand(ComputeDone.class, this::transferExitComputed);

    b.forState(s -> s.phase() == Phase.FLASHING)
        .onCommand(FlashComplete.class, this::flashComplete)
        .onCommand(PowerLost.class, this::powerLost)
        .onCommand(PowerRestored.class, this::powerRestored)
        .onCommand(RecoverPhase.class, this::recover)
        .onCommand(RequestTransferExit.class, this::repeatedExitUnlessOff);

    b.forState(s -> s.phase() == Phase.REBOOTING)
        .onCommand(BootConfirmed.class, this::bootConfirmed)
        .onCommand(
            BootSelfTestFailed.class,
            (s, c) -> bootFailed(s, c.attempt(), "SELF_TEST_FAIL: " + c.reason()))
        .onCommand(BootCrashed.class, (s, c) -> bootFailed(s, c.attempt(), c.reason()))
        .onCommand(
            BootStoppedSilently.class,
            (s, c) -> bootFailed(s, c.attempt(), "boot process stopped without confirming"))
        .onCommand(
            WatchdogExpired.class,
            (s, c) ->
                bootFailed(
                    s,
                    c.attempt(),
                    "HANG: no boot confirmation within " + settings.watchdogTimeout()))
        .onCommand(RecoverPhase.class, this::recover)
        .onCommand(RequestTransferExit.class, this::repeatedExit);

    b.forAnyState()
        .onCommand(IdleCheck.class, this::passivateIfIdle)
        .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), s.status()))
        .onCommand(SignVersionReport.class, this::signVersionReport)
        .onCommand(Provision.class, this::refuseProvision)
        .onCommand(UdsRequest.class, this::outOfPhase)
        .onCommand(ComputeDone.class, this::computedOutOfPhase)
        // late timer, boot or recovery messages of a phase already left
        .onAnyCommand(c -> Effect().none());

    return b.build();
  }

  // ---- provisioning and reports

  private ReplyEffect<Event, State> provision(State state, Provision cmd) {
    if (state.profile() != null) {
      return refuseProvision(state, cmd);
    }
    return Effect()
        .persist(
            provisioned(
                Seeds.scenarioSeed(context.getSystem()), Ecu.entityId(vin, ecuId), cmd.profile()))
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> refuseProvision(State state, Provision cmd) {
    if (state.profile() != null && state.profile().equals(cmd.profile())) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    String why =
        state.profile() != null
            ? "already provisioned with a different profile"
            : "cannot provision while " + state.phase().name().toLowerCase(java.util.Locale.ROOT);
    return Effect().reply(cmd.replyTo(), StatusReply.error(why));
  }

  private ReplyEffect<Event, State> signVersionReport(State state, SignVersionReport cmd) {
    if (state.profile() == null) {
      return Effect().reply(cmd.replyTo(), StatusReply.error("ECU not provisioned"));
    }
    SignedVersionReport report = EcuCrypto.versionReport(state, cmd.nonce(), clock.now());
    return Effect().reply(cmd.replyTo(), StatusReply.success(report));
  }

  // ---- UDS session

  private ReplyEffect<Event, State> openSession(State state, DiagnosticSessionControl cmd) {
    if (cmd.session() == Session.DEFAULT) {
      return Effect().reply(cmd.replyTo(), positive(cmd.transferId(), cmd.service(), state));
    }
    return Effect()
        .persist(new SessionOpened(cmd.transferId()))
        .thenReply(cmd.replyTo(), s -> positive(cmd.transferId(), cmd.service(), s));
  }

  /**
   * In the programming session, with or without a download open: the default session closes it and
   * drops the download (the bus asks for it when it ends a transfer early, so the next can start).
   */
  private ReplyEffect<Event, State> sessionWhileProgramming(
      State state, DiagnosticSessionControl cmd) {
    if (cmd.session() == Session.PROGRAMMING) {
      return Effect().reply(cmd.replyTo(), positive(cmd.transferId(), cmd.service(), state));
    }
    checks.drop();
    String reason =
        state.download() == null
            ? "default session requested"
            : "default session requested, download " + state.download().transferId() + " dropped";
    return Effect()
        .persist(new SessionClosed(cmd.transferId(), reason))
        .thenReply(cmd.replyTo(), s -> positive(cmd.transferId(), cmd.service(), s));
  }

  /** The check runs at once; its answer waits for its compute time ({@link ComputeGate}). */
  private ReplyEffect<Event, State> requestDownload(State state, RequestDownload cmd) {
    if (checks.stillComputing(cmd)) {
      return Effect().noReply();
    }
    UdsDownload.Check check =
        UdsDownload.start(state.profile(), state.activeBank(), cmd, clock.now());
    if (checks.hold(checks.requestDownloadCost(state.profile()), cmd, check, null)) {
      return Effect().noReply();
    }
    return downloadChecked(state, cmd, check);
  }

  private ReplyEffect<Event, State> requestDownloadComputed(State state, ComputeDone done) {
    ComputeGate.Computing c = checks.take(done);
    if (c == null || !(c.request() instanceof RequestDownload cmd)) {
      return Effect().noReply();
    }
    return downloadChecked(state, cmd, c.check());
  }

  private ReplyEffect<Event, State> downloadChecked(
      State state, RequestDownload cmd, UdsDownload.Check check) {
    if (check instanceof UdsDownload.Accepted a) {
      return startDownload(a.download(), cmd);
    }
    return answer(state, check, cmd);
  }

  private ReplyEffect<Event, State> startDownload(Download d, RequestDownload cmd) {
    received = ReceivedHash.start(d.transferId());
    return Effect()
        .persist(new DownloadStarted(d))
        .thenReply(cmd.replyTo(), s -> positive(cmd.transferId(), cmd.service(), s));
  }

  private ReplyEffect<Event, State> requestDownloadWhileOpen(State state, RequestDownload cmd) {
    UdsDownload.Check check = UdsDownload.reopen(state.download(), cmd, received);
    if (check instanceof UdsDownload.Accepted a) {
      return startDownload(a.download(), cmd);
    }
    return answer(state, check, cmd);
  }

  private ReplyEffect<Event, State> transferData(State state, TransferData cmd) {
    UdsDownload.Check check = UdsDownload.receive(state.download(), cmd, received);
    if (check instanceof UdsDownload.Accepted a) {
      Download d = a.download();
      // the bytes as they left the bus: an attacker on it may have changed them (FaultedEcu)
      faulted.during(state.download());
      received.update(faulted.arriving(state.profile(), state.download(), cmd.data()));
      return Effect()
          .persist(
              new BlockGroupReceived(d.transferId(), cmd.blockSequenceCounter(), d.bytesReceived()))
          .thenReply(cmd.replyTo(), s -> positive(cmd.transferId(), cmd.service(), s));
    }
    return answer(state, check, cmd);
  }

  private ReplyEffect<Event, State> transferExit(State state, RequestTransferExit cmd) {
    if (checks.stillComputing(cmd)) {
      return Effect().noReply();
    }
    UdsDownload.Check check = UdsDownload.exit(state.download(), cmd, received);
    Download d = state.download();
    if (checks.hold(checks.transferExitCost(state.profile(), d, cmd), cmd, check, d)) {
      return Effect().noReply();
    }
    return exitChecked(state, cmd, check);
  }

  /** The exit's answer once the image check's compute time passed, if the download is unchanged. */
  private ReplyEffect<Event, State> transferExitComputed(State state, ComputeDone done) {
    ComputeGate.Computing c = checks.take(done);
    if (c == null
        || !(c.request() instanceof RequestTransferExit cmd)
        || !c.download().equals(state.download())) {
      return Effect().noReply();
    }
    return exitChecked(state, cmd, c.check());
  }

  private ReplyEffect<Event, State> exitChecked(
      State state, RequestTransferExit cmd, UdsDownload.Check check) {
    if (check instanceof UdsDownload.Accepted) {
      return Effect()
          .persist(new ImageVerified(cmd.transferId(), state.banks().inactive()))
          .thenRun(
              s ->
                  bootloader.startFlash(
                      s.download(), s.profile().flashBytesPerSecond(), s.profile()))
          .thenReply(cmd.replyTo(), s -> positive(cmd.transferId(), cmd.service(), s));
    }
    return answer(state, check, cmd);
  }

  /** A check finished after its phase was left (the session was closed): nobody is answered. */
  private ReplyEffect<Event, State> computedOutOfPhase(State state, ComputeDone done) {
    checks.take(done);
    return Effect().noReply();
  }

  /** A repeated exit after the image was accepted: acknowledge again. */
  private ReplyEffect<Event, State> repeatedExit(State state, RequestTransferExit cmd) {
    UdsDownload.Check check = UdsDownload.repeatedExit(state.download(), cmd, state.phase());
    return answer(state, check, cmd);
  }

  /** The reply to a check that changed nothing, or ended the download as REJECTED. */
  private ReplyEffect<Event, State> answer(State state, UdsDownload.Check check, UdsRequest cmd) {
    String transferId = cmd.transferId();
    UdsService service = cmd.service();
    ActorRef<UdsResponse> replyTo = cmd.replyTo();
    if (check instanceof UdsDownload.Refused r) {
      NegativeResponse nr = r.response();
      context
          .getLog()
          .warn("{} {} refused {}: {} ({})", vin, ecuId, service, nr.nrc().describe(), nr.reason());
      if (r.endsDownload()) {
        return Effect()
            .persist(new DownloadRefused(transferId, nr.nrc(), nr.reason()))
            .thenRun(s -> faulted.imageRefused(nr))
            .thenReply(replyTo, s -> nr);
      }
      return Effect().reply(replyTo, nr);
    }
    return Effect().reply(replyTo, positive(transferId, service, state));
  }

  private ReplyEffect<Event, State> outOfPhase(State state, UdsRequest cmd) {
    NegativeResponse nr = UdsDownload.outOfPhase(cmd.service(), cmd.transferId(), state.phase());
    return answer(state, new UdsDownload.Refused(nr, false), cmd);
  }

  private static PositiveResponse positive(String transferId, UdsService service, State state) {
    return UdsDownload.positive(transferId, service, state.download());
  }

  // ---- flash and boot

  private ReplyEffect<Event, State> flashComplete(State state, FlashComplete cmd) {
    Download d = state.download();
    if (!d.transferId().equals(cmd.transferId())) {
      return Effect().noReply();
    }
    faulted.during(d);
    if (faulted.flashFails(state.profile(), d.image().sha256())) {
      Bank.Slot slot = state.banks().inactive();
      return interrupted(
          d.transferId(), slot, "FLASH_WRITE_ERROR: writing bank " + slot + " failed");
    }
    return Effect()
        .persist(
            List.of(
                new FlashWritten(d.transferId(), state.banks().inactive(), d.image()),
                new BootStarted(d.transferId(), 1)))
        .thenRun(this::boot)
        .thenNoReply();
  }

  /**
   * Power failed in the middle of the write: the ECU is off, then its bootloader finds the bank
   * being written incomplete and boots the active one. Nothing is persisted yet: the old bank is
   * what the journal already says runs.
   */
  private ReplyEffect<Event, State> powerLost(State state, PowerLost cmd) {
    if (outage.failed(state, cmd)) {
      bootloader.powerBack(cmd.transferId());
    }
    return Effect().noReply();
  }

  /**
   * Back on the old bank after the boot time: the install FAILED, as a flash cut short by a
   * restart. The ECU holds no image bytes to write again; a new install is the primary's to start.
   */
  private ReplyEffect<Event, State> powerRestored(State state, PowerRestored cmd) {
    String reason = outage.restored(state, cmd);
    return reason == null
        ? Effect().noReply()
        : interrupted(cmd.transferId(), state.banks().inactive(), reason);
  }

  /** The flash cut short: the half-written bank invalid, the old one runs on, the bus told. */
  private ReplyEffect<Event, State> interrupted(String transferId, Bank.Slot slot, String reason) {
    return Effect()
        .persist(new FlashInterrupted(transferId, slot, reason))
        .thenRun(s -> notifyBus(s.lastInstall()))
        .thenNoReply();
  }

  /** An ECU without power answers nothing; otherwise a repeated exit is acknowledged again. */
  private ReplyEffect<Event, State> repeatedExitUnlessOff(State state, RequestTransferExit cmd) {
    return outage.off() ? Effect().noReply() : repeatedExit(state, cmd);
  }

  private void boot(State state) {
    faulted.during(state.download());
    bootloader.boot(
        state.banks().bank(state.banks().inactive()), state.bootAttempt(), state.profile());
  }

  private ReplyEffect<Event, State> bootConfirmed(State state, BootConfirmed cmd) {
    if (cmd.attempt() != state.bootAttempt()) {
      return Effect().noReply();
    }
    Bank.Slot slot = state.banks().inactive();
    Bank bank = state.banks().bank(slot);
    return Effect()
        .persist(
            new Activated(
                state.download().transferId(), slot, bank.version(), bank.releaseCounter()))
        .thenRun(s -> bootloader.end(cmd.attempt()))
        .thenRun(s -> notifyBus(s.lastInstall()))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> bootFailed(State state, int attempt, String reason) {
    if (attempt != state.bootAttempt()) {
      return Effect().noReply();
    }
    context
        .getLog()
        .warn("{} boot of {} failed: {}", ecuId, state.download().image().version(), reason);
    return Effect()
        .persist(new RolledBack(state.download().transferId(), state.banks().active(), reason))
        .thenRun(s -> bootloader.end(attempt))
        .thenRun(s -> notifyBus(s.lastInstall()))
        .thenNoReply();
  }

  /**
   * Passivates when no install is under way and no check computes: everything the ECU knows is then
   * in its journal. An ECU in the middle of an install stays, for its running image hash, its boot
   * child and its pending answers live in memory only.
   */
  private ReplyEffect<Event, State> passivateIfIdle(State state, IdleCheck cmd) {
    if ((state.phase() == Phase.RUNNING || state.phase() == Phase.UNPROVISIONED)
        && !timers.anyPending()) {
      timers.passivate();
    }
    return Effect().noReply();
  }

  // ---- recovery after a restart

  /**
   * A restart in FLASHING or REBOOTING: {@link RestartRecovery} decides how the install goes on.
   */
  private ReplyEffect<Event, State> recover(State state, RecoverPhase cmd) {
    Event event = RestartRecovery.after(state, settings.maxBootAttempts());
    if (event instanceof BootStarted) {
      return Effect().persist(event).thenRun(this::boot).thenNoReply();
    }
    return Effect().persist(event).thenRun(s -> notifyBus(s.lastInstall())).thenNoReply();
  }

  private void notifyBus(LastInstall last) {
    busFor
        .apply(vin)
        .tell(
            new CanBus.EcuInstallFinished(
                last.transferId(), ecuId, last.outcome(), last.reason(), last.version()));
  }

  // ---------------------------------------------------------------- events

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Provisioned.class, (s, e) -> State.provisioned(e.profile(), e.keySeedHex()))
        .onEvent(SessionOpened.class, (s, e) -> s.at(Phase.PROGRAMMING))
        .onEvent(SessionClosed.class, (s, e) -> s.finished(s.banks(), s.lastInstall()))
        .onEvent(DownloadStarted.class, (s, e) -> s.at(Phase.RECEIVING, s.banks(), e.download(), 0))
        .onEvent(
            BlockGroupReceived.class,
            (s, e) ->
                s.at(
                    Phase.RECEIVING,
                    s.banks(),
                    s.download().received(e.blockSequenceCounter() + 1, e.bytesReceived()),
                    0))
        .onEvent(
            DownloadRefused.class,
            (s, e) ->
                s.finished(
                    s.banks(),
                    s.ended(UpdateOutcome.REJECTED, e.nrc().describe() + ": " + e.reason(), null)))
        .onEvent(
            ImageVerified.class,
            (s, e) -> s.at(Phase.FLASHING, s.banks().invalidate(e.targetSlot()), s.download(), 0))
        .onEvent(
            FlashWritten.class,
            (s, e) -> s.at(Phase.REBOOTING, s.banks().write(e.slot(), e.bank()), s.download(), 0))
        .onEvent(
            FlashInterrupted.class,
            (s, e) ->
                s.finished(
                    s.banks().invalidate(e.slot()),
                    s.ended(UpdateOutcome.FAILED, e.reason(), null)))
        .onEvent(BootStarted.class, (s, e) -> s.at(s.phase(), s.banks(), s.download(), e.attempt()))
        .onEvent(
            Activated.class,
            (s, e) ->
                s.finished(
                    s.banks().activate(e.slot()),
                    s.ended(UpdateOutcome.SUCCEEDED, "", e.version())))
        .onEvent(
            RolledBack.class,
            (s, e) ->
                s.finished(
                    s.banks().invalidate(e.activeSlot().other()).activate(e.activeSlot()),
                    s.ended(
                        UpdateOutcome.ROLLED_BACK,
                        e.reason(),
                        s.banks().bank(e.activeSlot()).version())))
        .build();
  }
}
