package io.fleetsim.ecu;

import com.typesafe.config.Config;
import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.SimClock;
import io.fleetsim.persistence.PersistenceSetup;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
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
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.bouncycastle.crypto.digests.SHA256Digest;

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
 */
public final class Ecu extends EventSourcedBehavior<Ecu.Command, Ecu.Event, Ecu.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Ecu");

  private static final HexFormat HEX = HexFormat.of();

  public static String entityId(String vin, String ecuId) {
    return vin + "/" + ecuId;
  }

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  /** What an ECU is and holds when it leaves the factory (or joins the simulated fleet). */
  public record Profile(
      EcuType type,
      String hardwareId,
      String ecuSerial,
      Transport transport,
      long flashBytesPerSecond,
      List<String> directorTargetsKeys,
      int directorThreshold,
      Bank installed)
      implements CborSerializable {
    public Profile {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(transport, "transport");
      if (hardwareId == null || hardwareId.isBlank() || ecuSerial == null || ecuSerial.isBlank()) {
        throw new IllegalArgumentException("hardware id and ECU serial are required");
      }
      if (flashBytesPerSecond <= 0) {
        throw new IllegalArgumentException("flash speed must be positive");
      }
      directorTargetsKeys = List.copyOf(directorTargetsKeys);
      if (directorThreshold < 1 || directorThreshold > directorTargetsKeys.size()) {
        throw new IllegalArgumentException("director threshold must be within 1..number of keys");
      }
      if (installed == null || !installed.valid()) {
        throw new IllegalArgumentException("an ECU is provisioned with a valid installed image");
      }
    }
  }

  /** Idempotent: the same profile again is acknowledged, a different one refused. */
  public record Provision(Profile profile, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** What anyone may know of an ECU: never its key seed, which stays inside this entity. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** The ECU as it can be shown: banks, phase, its public key, how the last install ended. */
  public record Status(
      Phase phase,
      Profile profile,
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

  public record DiagnosticSessionControl(
      String transferId, Session session, ActorRef<UdsResponse> replyTo) implements Command {}

  public record RequestDownload(
      String transferId,
      long address,
      long length,
      byte[] directorTargets,
      ActorRef<UdsResponse> replyTo)
      implements Command {}

  /**
   * One block group: {@code data} is the concatenation of the UDS blocks acknowledged together,
   * {@code blockSequenceCounter} counts groups from 1.
   */
  public record TransferData(
      String transferId, int blockSequenceCounter, byte[] data, ActorRef<UdsResponse> replyTo)
      implements Command {}

  public record RequestTransferExit(String transferId, ActorRef<UdsResponse> replyTo)
      implements Command {}

  // internal: timers, the boot child and recovery
  record FlashComplete(String transferId) implements Command {}

  record BootConfirmed(int attempt) implements Command {}

  record BootSelfTestFailed(int attempt, String reason) implements Command {}

  record BootCrashed(int attempt, String reason) implements Command {}

  record BootStoppedSilently(int attempt) implements Command {}

  record WatchdogExpired(int attempt) implements Command {}

  record RecoverPhase(Phase phase) implements Command {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {}

  public record Provisioned(Profile profile, String keySeedHex) implements Event {}

  public record SessionOpened(String transferId) implements Event {}

  /** Leaving the programming session drops any open download. */
  public record SessionClosed(String transferId, String reason) implements Event {}

  public record DownloadStarted(Download download) implements Event {}

  public record BlockGroupReceived(
      String transferId, int blockSequenceCounter, long bytesReceived, String digestStateHex)
      implements Event {}

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

  /** An open download: what the director vouched for and how far the bytes have come. */
  public record Download(
      String transferId,
      String targetName,
      String expectedSha256,
      long expectedLength,
      long releaseCounter,
      int nextBlockSequenceCounter,
      long bytesReceived,
      String digestStateHex)
      implements CborSerializable {}

  /** How the last install ended, for the bus and for the version report. */
  public record LastInstall(String transferId, UpdateOutcome outcome, String reason, String version)
      implements CborSerializable {}

  public record State(
      Phase phase,
      Profile profile,
      String keySeedHex,
      Bank bankA,
      Bank bankB,
      Bank.Slot active,
      String sessionTransferId,
      Download download,
      int bootAttempt,
      LastInstall lastInstall)
      implements CborSerializable {

    static final State EMPTY =
        new State(
            Phase.UNPROVISIONED,
            null,
            null,
            Bank.ERASED,
            Bank.ERASED,
            Bank.Slot.A,
            null,
            null,
            0,
            null);

    public Bank bank(Bank.Slot slot) {
      return slot == Bank.Slot.A ? bankA : bankB;
    }

    public Bank activeBank() {
      return bank(active);
    }

    public Bank.Slot inactive() {
      return active.other();
    }

    /** The ECU's Ed25519 public key, which the director registers to check version reports. */
    public String publicKeyHex() {
      return keySeedHex == null ? null : EcuCrypto.publicKeyHex(keySeedHex);
    }

    public Status status() {
      return new Status(phase, profile, bankA, bankB, active, publicKeyHex(), lastInstall);
    }

    /** The invariant every phase keeps: the active bank is valid, so the ECU can always boot. */
    public boolean isSafe() {
      return phase == Phase.UNPROVISIONED || activeBank().valid();
    }

    State with(Phase p) {
      return new State(
          p,
          profile,
          keySeedHex,
          bankA,
          bankB,
          active,
          sessionTransferId,
          download,
          bootAttempt,
          lastInstall);
    }

    State withBank(Bank.Slot slot, Bank bank) {
      return new State(
          phase,
          profile,
          keySeedHex,
          slot == Bank.Slot.A ? bank : bankA,
          slot == Bank.Slot.B ? bank : bankB,
          active,
          sessionTransferId,
          download,
          bootAttempt,
          lastInstall);
    }

    State withSession(String transferId, Download d) {
      return new State(
          phase,
          profile,
          keySeedHex,
          bankA,
          bankB,
          active,
          transferId,
          d,
          bootAttempt,
          lastInstall);
    }

    State withActive(Bank.Slot slot) {
      return new State(
          phase,
          profile,
          keySeedHex,
          bankA,
          bankB,
          slot,
          sessionTransferId,
          download,
          bootAttempt,
          lastInstall);
    }

    State withBootAttempt(int attempt) {
      return new State(
          phase,
          profile,
          keySeedHex,
          bankA,
          bankB,
          active,
          sessionTransferId,
          download,
          attempt,
          lastInstall);
    }

    State finished(LastInstall last) {
      return new State(
          Phase.RUNNING, profile, keySeedHex, bankA, bankB, active, null, null, 0, last);
    }
  }

  // ---------------------------------------------------------------- settings

  /** The {@code fleetsim.ecu} section. */
  public record Settings(
      double bootFailureRate,
      Duration bootTime,
      Duration watchdogTimeout,
      int maxBootAttempts,
      Duration watchdogWallMargin) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("fleetsim.ecu");
      return new Settings(
          c.getDouble("boot-failure-rate"),
          c.getDuration("boot-time"),
          c.getDuration("watchdog-timeout"),
          c.getInt("max-boot-attempts"),
          c.getDuration("watchdog-wall-margin"));
    }

    /**
     * When the watchdog fires, in wall time: the simulated timeout, but never sooner than the boot
     * time plus a wall-clock margin. At a high time scale on a busy machine a healthy boot's
     * confirmation can arrive tens of wall milliseconds late, which would otherwise look like
     * minutes of simulated hang; a real hang never confirms and is still caught.
     */
    Duration watchdogWall(SimClock clock) {
      Duration simulated = clock.toWall(watchdogTimeout);
      Duration floor = clock.toWall(bootTime).plus(watchdogWallMargin);
      return simulated.compareTo(floor) >= 0 ? simulated : floor;
    }
  }

  // ---------------------------------------------------------------- behaviour

  private final String vin;
  private final String ecuId;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Settings settings;
  private final SimClock clock;
  private final BootModel bootModel;
  private final Random rng;
  private final Function<String, RecipientRef<CanBus.Command>> busFor;

  /**
   * @param bootModel decides each boot's fate; {@code null} draws from {@code
   *     fleetsim.ecu.boot-failure-rate} with the entity's seeded generator
   * @param busFor the CanBus entity of a VIN, told how each install ended
   */
  public static Behavior<Command> create(
      String entityId, BootModel bootModel, Function<String, RecipientRef<CanBus.Command>> busFor) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new Ecu(entityId, ctx, timers, bootModel, busFor)));
  }

  private Ecu(
      String entityId,
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
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
    this.timers = timers;
    this.settings = Settings.fromConfig(context.getSystem().settings().config());
    this.clock = SimClock.get(context.getSystem());
    this.rng = Seeds.forEntity(context.getSystem(), entityId);
    this.bootModel =
        bootModel != null ? bootModel : BootModel.failureRate(settings.bootFailureRate(), rng);
    this.busFor = busFor;
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
                attemptOf(terminated.getRef().path().name())
                    .ifPresent(
                        a -> {
                          if (terminated instanceof ChildFailed failed) {
                            context
                                .getSelf()
                                .tell(new BootCrashed(a, "CRASH: " + failed.cause().getMessage()));
                          } else {
                            context.getSelf().tell(new BootStoppedSilently(a));
                          }
                        }))
        .build();
  }

  private static java.util.Optional<Integer> attemptOf(String childName) {
    if (!childName.startsWith("boot-")) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(Integer.parseInt(childName.substring(5)));
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
        .onCommand(RequestDownload.class, this::requestDownload);

    b.forState(s -> s.phase() == Phase.RECEIVING)
        .onCommand(DiagnosticSessionControl.class, this::sessionWhileProgramming)
        .onCommand(RequestDownload.class, this::requestDownloadWhileOpen)
        .onCommand(TransferData.class, this::transferData)
        .onCommand(RequestTransferExit.class, this::transferExit);

    b.forState(s -> s.phase() == Phase.FLASHING)
        .onCommand(FlashComplete.class, this::flashComplete)
        .onCommand(RecoverPhase.class, this::recoverFlashing)
        .onCommand(RequestTransferExit.class, this::repeatedExit);

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
        .onCommand(RecoverPhase.class, this::recoverRebooting)
        .onCommand(RequestTransferExit.class, this::repeatedExit);

    b.forAnyState()
        .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), s.status()))
        .onCommand(SignVersionReport.class, this::signVersionReport)
        .onCommand(Provision.class, this::refuseProvision)
        .onCommand(DiagnosticSessionControl.class, this::refuseSession)
        .onCommand(RequestDownload.class, this::refuseDownload)
        .onCommand(TransferData.class, this::refuseTransferData)
        .onCommand(RequestTransferExit.class, this::refuseExit)
        // late timer, boot or recovery messages of a phase already left
        .onAnyCommand(c -> Effect().none());

    return b.build();
  }

  // ---- provisioning and reports

  private ReplyEffect<Event, State> provision(State state, Provision cmd) {
    if (state.profile() != null) {
      if (state.profile().equals(cmd.profile())) {
        return Effect().reply(cmd.replyTo(), StatusReply.ack());
      }
      return Effect()
          .reply(cmd.replyTo(), StatusReply.error("already provisioned with a different profile"));
    }
    String seed =
        EcuCrypto.newKeySeedHex(Seeds.forEntity(context.getSystem(), "key:" + vin + "/" + ecuId));
    return Effect()
        .persist(new Provisioned(cmd.profile(), seed))
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> refuseProvision(State state, Provision cmd) {
    if (state.profile() != null && state.profile().equals(cmd.profile())) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    return Effect()
        .reply(
            cmd.replyTo(),
            StatusReply.error("cannot provision while " + state.phase().name().toLowerCase()));
  }

  private ReplyEffect<Event, State> signVersionReport(State state, SignVersionReport cmd) {
    if (state.profile() == null) {
      return Effect().reply(cmd.replyTo(), StatusReply.error("ECU not provisioned"));
    }
    LastInstall last = state.lastInstall();
    // Uptane's attack_detected field: the last refusal of bytes or metadata, if any
    String attack = last != null && last.outcome() == UpdateOutcome.REJECTED ? last.reason() : "";
    byte[] bytes =
        EcuCrypto.signVersionReport(
            state.keySeedHex(),
            state.profile().ecuSerial(),
            state.profile().hardwareId(),
            state.activeBank(),
            last,
            cmd.nonce(),
            clock.now(),
            attack);
    return Effect()
        .reply(
            cmd.replyTo(),
            StatusReply.success(new SignedVersionReport(state.profile().ecuSerial(), bytes)));
  }

  // ---- UDS session

  private ReplyEffect<Event, State> openSession(State state, DiagnosticSessionControl cmd) {
    if (cmd.session() == Session.DEFAULT) {
      return Effect().reply(cmd.replyTo(), positive(cmd.transferId(), cmd, state));
    }
    return Effect()
        .persist(new SessionOpened(cmd.transferId()))
        .thenReply(cmd.replyTo(), s -> positive(cmd.transferId(), cmd, s));
  }

  private ReplyEffect<Event, State> sessionWhileProgramming(
      State state, DiagnosticSessionControl cmd) {
    if (cmd.session() == Session.PROGRAMMING) {
      return Effect().reply(cmd.replyTo(), positive(cmd.transferId(), cmd, state));
    }
    return Effect()
        .persist(new SessionClosed(state.sessionTransferId(), "default session requested"))
        .thenReply(cmd.replyTo(), s -> positive(cmd.transferId(), cmd, s));
  }

  private ReplyEffect<Event, State> requestDownload(State state, RequestDownload cmd) {
    Profile p = state.profile();
    EcuCrypto.DirectedImage image;
    try {
      image =
          EcuCrypto.verifyDirectorTargets(
              cmd.directorTargets(),
              p.directorTargetsKeys(),
              p.directorThreshold(),
              p.ecuSerial(),
              p.hardwareId(),
              state.activeBank().releaseCounter(),
              clock.now());
    } catch (VerificationException | RuntimeException e) {
      return refuse(
          state,
          cmd.transferId(),
          UdsService.REQUEST_DOWNLOAD,
          NegativeResponseCode.UPLOAD_DOWNLOAD_NOT_ACCEPTED,
          "director targets rejected: " + e.getMessage(),
          cmd.replyTo());
    }
    if (image.length() != cmd.length()) {
      return refuse(
          state,
          cmd.transferId(),
          UdsService.REQUEST_DOWNLOAD,
          NegativeResponseCode.REQUEST_OUT_OF_RANGE,
          "announced length " + cmd.length() + " differs from the director's " + image.length(),
          cmd.replyTo());
    }
    Download download =
        new Download(
            cmd.transferId(),
            image.targetName(),
            image.sha256(),
            image.length(),
            image.releaseCounter(),
            1,
            0,
            HEX.formatHex(new SHA256Digest().getEncodedState()));
    return Effect()
        .persist(new DownloadStarted(download))
        .thenReply(cmd.replyTo(), s -> positive(cmd.transferId(), cmd, s));
  }

  private ReplyEffect<Event, State> requestDownloadWhileOpen(State state, RequestDownload cmd) {
    if (state.download().transferId().equals(cmd.transferId())) {
      // the sender lost track (restart): tell it where to resume
      return Effect().reply(cmd.replyTo(), positive(cmd.transferId(), cmd, state));
    }
    return refuse(
        state,
        cmd.transferId(),
        UdsService.REQUEST_DOWNLOAD,
        NegativeResponseCode.CONDITIONS_NOT_CORRECT,
        "download " + state.download().transferId() + " is still open",
        cmd.replyTo());
  }

  private ReplyEffect<Event, State> transferData(State state, TransferData cmd) {
    Download d = state.download();
    if (!d.transferId().equals(cmd.transferId())) {
      return refuse(
          state,
          cmd.transferId(),
          UdsService.TRANSFER_DATA,
          NegativeResponseCode.REQUEST_SEQUENCE_ERROR,
          "no download open for this transfer (open: " + d.transferId() + ")",
          cmd.replyTo());
    }
    if (cmd.blockSequenceCounter() == d.nextBlockSequenceCounter() - 1
        && cmd.blockSequenceCounter() > 0) {
      // ISO 14229: a repeated block is acknowledged again without being written twice
      return Effect().reply(cmd.replyTo(), positive(cmd.transferId(), cmd, state));
    }
    if (cmd.blockSequenceCounter() != d.nextBlockSequenceCounter()) {
      return refuse(
          state,
          cmd.transferId(),
          UdsService.TRANSFER_DATA,
          NegativeResponseCode.WRONG_BLOCK_SEQUENCE_COUNTER,
          "expected block " + d.nextBlockSequenceCounter() + ", got " + cmd.blockSequenceCounter(),
          cmd.replyTo());
    }
    if (cmd.data() == null || cmd.data().length == 0) {
      return refuse(
          state,
          cmd.transferId(),
          UdsService.TRANSFER_DATA,
          NegativeResponseCode.INCORRECT_MESSAGE_LENGTH,
          "empty block",
          cmd.replyTo());
    }
    if (d.bytesReceived() + cmd.data().length > d.expectedLength()) {
      return refuse(
          state,
          cmd.transferId(),
          UdsService.TRANSFER_DATA,
          NegativeResponseCode.TRANSFER_DATA_SUSPENDED,
          "block "
              + cmd.blockSequenceCounter()
              + " goes beyond the announced length "
              + d.expectedLength(),
          cmd.replyTo());
    }
    SHA256Digest digest = new SHA256Digest(HEX.parseHex(d.digestStateHex()));
    digest.update(cmd.data(), 0, cmd.data().length);
    return Effect()
        .persist(
            new BlockGroupReceived(
                d.transferId(),
                cmd.blockSequenceCounter(),
                d.bytesReceived() + cmd.data().length,
                HEX.formatHex(digest.getEncodedState())))
        .thenReply(cmd.replyTo(), s -> positive(cmd.transferId(), cmd, s));
  }

  private ReplyEffect<Event, State> transferExit(State state, RequestTransferExit cmd) {
    Download d = state.download();
    if (!d.transferId().equals(cmd.transferId())) {
      return refuse(
          state,
          cmd.transferId(),
          UdsService.REQUEST_TRANSFER_EXIT,
          NegativeResponseCode.REQUEST_SEQUENCE_ERROR,
          "no download open for this transfer (open: " + d.transferId() + ")",
          cmd.replyTo());
    }
    if (d.bytesReceived() < d.expectedLength()) {
      return refuse(
          state,
          cmd.transferId(),
          UdsService.REQUEST_TRANSFER_EXIT,
          NegativeResponseCode.REQUEST_SEQUENCE_ERROR,
          d.bytesReceived() + " of " + d.expectedLength() + " bytes received",
          cmd.replyTo());
    }
    SHA256Digest digest = new SHA256Digest(HEX.parseHex(d.digestStateHex()));
    byte[] hash = new byte[32];
    digest.doFinal(hash, 0);
    String actual = HEX.formatHex(hash);
    if (!actual.equals(d.expectedSha256())) {
      NegativeResponse nr =
          new NegativeResponse(
              cmd.transferId(),
              UdsService.REQUEST_TRANSFER_EXIT,
              NegativeResponseCode.GENERAL_PROGRAMMING_FAILURE,
              "image hash " + actual + " does not match the director's " + d.expectedSha256());
      context.getLog().warn("{} refused {}: {}", ecuId, cmd.transferId(), nr.reason());
      return Effect()
          .persist(new DownloadRefused(cmd.transferId(), nr.nrc(), nr.reason()))
          .thenReply(cmd.replyTo(), s -> nr);
    }
    Bank.Slot target = state.inactive();
    return Effect()
        .persist(new ImageVerified(cmd.transferId(), target))
        .thenRun(s -> startFlashTimer(s))
        .thenReply(cmd.replyTo(), s -> positive(cmd.transferId(), cmd, s));
  }

  /** A repeated exit after the image was accepted: acknowledge again. */
  private ReplyEffect<Event, State> repeatedExit(State state, RequestTransferExit cmd) {
    if (state.download() != null && state.download().transferId().equals(cmd.transferId())) {
      return Effect().reply(cmd.replyTo(), positive(cmd.transferId(), cmd, state));
    }
    return refuseExit(state, cmd);
  }

  // ---- flash and boot

  private void startFlashTimer(State state) {
    long length = state.download().expectedLength();
    double seconds = length / (double) state.profile().flashBytesPerSecond();
    Duration flash = BusTimingModel.toDuration(Math.max(seconds, 0.001));
    timers.startSingleTimer(
        "flash", new FlashComplete(state.download().transferId()), clock.toWall(flash));
  }

  private ReplyEffect<Event, State> flashComplete(State state, FlashComplete cmd) {
    Download d = state.download();
    if (!d.transferId().equals(cmd.transferId())) {
      return Effect().noReply();
    }
    Bank written =
        new Bank(d.targetName(), d.expectedSha256(), d.expectedLength(), d.releaseCounter(), true);
    return Effect()
        .persist(
            List.of(
                new FlashWritten(d.transferId(), state.inactive(), written),
                new BootStarted(d.transferId(), state.bootAttempt() + 1)))
        .thenRun(this::startBoot)
        .thenNoReply();
  }

  private void startBoot(State state) {
    int attempt = state.bootAttempt();
    Bank bank = state.bank(state.inactive());
    BootModel.Outcome outcome = bootModel.boot(ecuId, bank.sha256(), attempt);
    ActorRef<Object> child =
        context.spawn(
            BootProcess.create(
                outcome, clock.toWall(settings.bootTime()), attempt, context.getSelf()),
            BootProcess.childName(attempt));
    context.watch(child);
    timers.startSingleTimer("watchdog", new WatchdogExpired(attempt), settings.watchdogWall(clock));
  }

  private ReplyEffect<Event, State> bootConfirmed(State state, BootConfirmed cmd) {
    if (cmd.attempt() != state.bootAttempt()) {
      return Effect().noReply();
    }
    Bank.Slot slot = state.inactive();
    Bank bank = state.bank(slot);
    String transferId = state.download().transferId();
    return Effect()
        .persist(new Activated(transferId, slot, bank.version(), bank.releaseCounter()))
        .thenRun(s -> endBoot(cmd.attempt()))
        .thenRun(s -> notifyBus(s.lastInstall()))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> bootFailed(State state, int attempt, String reason) {
    if (attempt != state.bootAttempt()) {
      return Effect().noReply();
    }
    context
        .getLog()
        .warn("{} boot of {} failed: {}", ecuId, state.bank(state.inactive()).version(), reason);
    return Effect()
        .persist(new RolledBack(state.download().transferId(), state.active(), reason))
        .thenRun(s -> endBoot(attempt))
        .thenRun(s -> notifyBus(s.lastInstall()))
        .thenNoReply();
  }

  private void endBoot(int attempt) {
    timers.cancel("watchdog");
    context
        .getChild(BootProcess.childName(attempt))
        .ifPresent(
            child -> {
              context.unwatch(child);
              context.stop(child);
            });
  }

  // ---- recovery after a restart

  /**
   * The bytes of an interrupted flash are gone (only their hash was kept), so the half-written bank
   * is marked invalid and the install reported as failed; the vehicle sends the image again.
   */
  private ReplyEffect<Event, State> recoverFlashing(State state, RecoverPhase cmd) {
    Bank.Slot slot = state.inactive();
    return Effect()
        .persist(
            new FlashInterrupted(
                state.download().transferId(), slot, "restart while flashing bank " + slot))
        .thenRun(s -> notifyBus(s.lastInstall()))
        .thenNoReply();
  }

  /**
   * The new bank was fully written and verified, so a restart during its boot is treated as a power
   * cut: the bootloader tries it again, up to {@code max-boot-attempts}, then falls back.
   */
  private ReplyEffect<Event, State> recoverRebooting(State state, RecoverPhase cmd) {
    String transferId = state.download().transferId();
    if (state.bootAttempt() >= settings.maxBootAttempts()) {
      return Effect()
          .persist(
              new RolledBack(
                  transferId,
                  state.active(),
                  "restart during boot attempt "
                      + state.bootAttempt()
                      + " of "
                      + settings.maxBootAttempts()))
          .thenRun(s -> notifyBus(s.lastInstall()))
          .thenNoReply();
    }
    return Effect()
        .persist(new BootStarted(transferId, state.bootAttempt() + 1))
        .thenRun(this::startBoot)
        .thenNoReply();
  }

  private void notifyBus(LastInstall last) {
    if (last == null) {
      return;
    }
    busFor
        .apply(vin)
        .tell(
            new CanBus.EcuInstallFinished(
                last.transferId(), ecuId, last.outcome(), last.reason(), last.version()));
  }

  // ---- refusals

  private ReplyEffect<Event, State> refuseSession(State state, DiagnosticSessionControl cmd) {
    return refuse(
        state,
        cmd.transferId(),
        UdsService.DIAGNOSTIC_SESSION_CONTROL,
        NegativeResponseCode.CONDITIONS_NOT_CORRECT,
        "ECU is " + state.phase(),
        cmd.replyTo());
  }

  private ReplyEffect<Event, State> refuseDownload(State state, RequestDownload cmd) {
    NegativeResponseCode nrc =
        state.phase() == Phase.RUNNING
            ? NegativeResponseCode.SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION
            : NegativeResponseCode.CONDITIONS_NOT_CORRECT;
    return refuse(
        state,
        cmd.transferId(),
        UdsService.REQUEST_DOWNLOAD,
        nrc,
        "ECU is " + state.phase(),
        cmd.replyTo());
  }

  private ReplyEffect<Event, State> refuseTransferData(State state, TransferData cmd) {
    return refuse(
        state,
        cmd.transferId(),
        UdsService.TRANSFER_DATA,
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR,
        "no download open (ECU is " + state.phase() + ")",
        cmd.replyTo());
  }

  private ReplyEffect<Event, State> refuseExit(State state, RequestTransferExit cmd) {
    return refuse(
        state,
        cmd.transferId(),
        UdsService.REQUEST_TRANSFER_EXIT,
        NegativeResponseCode.REQUEST_SEQUENCE_ERROR,
        "no download open (ECU is " + state.phase() + ")",
        cmd.replyTo());
  }

  private ReplyEffect<Event, State> refuse(
      State state,
      String transferId,
      UdsService service,
      NegativeResponseCode nrc,
      String reason,
      ActorRef<UdsResponse> replyTo) {
    context.getLog().warn("{} {} refused {}: {} ({})", vin, ecuId, service, nrc.describe(), reason);
    return Effect().reply(replyTo, new NegativeResponse(transferId, service, nrc, reason));
  }

  private PositiveResponse positive(String transferId, Command cmd, State state) {
    UdsService service =
        cmd instanceof DiagnosticSessionControl
            ? UdsService.DIAGNOSTIC_SESSION_CONTROL
            : cmd instanceof RequestDownload
                ? UdsService.REQUEST_DOWNLOAD
                : cmd instanceof TransferData
                    ? UdsService.TRANSFER_DATA
                    : UdsService.REQUEST_TRANSFER_EXIT;
    Download d = state.download();
    boolean same = d != null && d.transferId().equals(transferId);
    return new PositiveResponse(
        transferId, service, same ? d.nextBlockSequenceCounter() : 1, same ? d.bytesReceived() : 0);
  }

  // ---------------------------------------------------------------- events

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            Provisioned.class,
            (s, e) ->
                new State(
                    Phase.RUNNING,
                    e.profile(),
                    e.keySeedHex(),
                    e.profile().installed(),
                    Bank.ERASED,
                    Bank.Slot.A,
                    null,
                    null,
                    0,
                    null))
        .onEvent(
            SessionOpened.class,
            (s, e) -> s.with(Phase.PROGRAMMING).withSession(e.transferId(), null))
        .onEvent(SessionClosed.class, (s, e) -> s.with(Phase.RUNNING).withSession(null, null))
        .onEvent(
            DownloadStarted.class,
            (s, e) -> s.with(Phase.RECEIVING).withSession(s.sessionTransferId(), e.download()))
        .onEvent(
            BlockGroupReceived.class,
            (s, e) -> {
              Download d = s.download();
              return s.withSession(
                  s.sessionTransferId(),
                  new Download(
                      d.transferId(),
                      d.targetName(),
                      d.expectedSha256(),
                      d.expectedLength(),
                      d.releaseCounter(),
                      e.blockSequenceCounter() + 1,
                      e.bytesReceived(),
                      e.digestStateHex()));
            })
        .onEvent(
            DownloadRefused.class,
            (s, e) ->
                s.finished(
                    new LastInstall(
                        e.transferId(),
                        UpdateOutcome.REJECTED,
                        e.nrc().describe() + ": " + e.reason(),
                        null)))
        .onEvent(
            ImageVerified.class,
            (s, e) ->
                s.with(Phase.FLASHING)
                    .withBank(e.targetSlot(), s.bank(e.targetSlot()).invalidated()))
        .onEvent(
            FlashWritten.class,
            (s, e) -> s.with(Phase.REBOOTING).withBank(e.slot(), e.bank()).withBootAttempt(0))
        .onEvent(
            FlashInterrupted.class,
            (s, e) ->
                s.withBank(e.slot(), s.bank(e.slot()).invalidated())
                    .finished(
                        new LastInstall(e.transferId(), UpdateOutcome.FAILED, e.reason(), null)))
        .onEvent(BootStarted.class, (s, e) -> s.withBootAttempt(e.attempt()))
        .onEvent(
            Activated.class,
            (s, e) ->
                s.withActive(e.slot())
                    .finished(
                        new LastInstall(e.transferId(), UpdateOutcome.SUCCEEDED, "", e.version())))
        .onEvent(
            RolledBack.class,
            (s, e) -> {
              Bank.Slot failed = e.activeSlot().other();
              return s.withBank(failed, s.bank(failed).invalidated())
                  .withActive(e.activeSlot())
                  .finished(
                      new LastInstall(
                          e.transferId(),
                          UpdateOutcome.ROLLED_BACK,
                          e.reason(),
                          s.bank(e.activeSlot()).version()));
            })
        .build();
  }
}
