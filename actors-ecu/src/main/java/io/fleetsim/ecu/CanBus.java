package io.fleetsim.ecu;

import com.typesafe.config.Config;
import io.fleetsim.cluster.BlobStore;
import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.EntityHome;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.faults.Faults;
import io.fleetsim.persistence.PersistenceSetup;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A vehicle's in-vehicle network, shared by its ECUs. Entity id: the VIN.
 *
 * <p>For each {@link StartTransfer} it drives the UDS download session with the target {@link Ecu}
 * (DiagnosticSessionControl, RequestDownload, TransferData per block group, RequestTransferExit),
 * taking the image bytes from the node-local {@link BlobStore}. Each block group is delivered after
 * the wire time the {@link BusTimingModel} gives for it, with sampled frame losses and the bus
 * shared evenly by the transfers sending at that instant (counted once the instant's work has
 * settled, so the order in which several ECUs' replies at one instant are handled changes nothing).
 * An ECU silent for {@code response-timeout} of simulated time is asked again, up to {@code
 * max-retries} times. Progress is persisted per acknowledged group, so after a crash a transfer
 * resumes where the ECU says it stands. When the ECU has installed, rolled back or rejected, the
 * requester gets a {@link TransferResult}; when the bus itself gives up (a negative response at any
 * step, an ECU silent through every retry, an image gone from the blob store) it also returns the
 * ECU to the default session, so no stale download blocks the next transfer.
 *
 * <p>Beside it: {@link UdsTester} (the requests it asks the ECU), {@link BlockGroups} (the image
 * cut into block groups and each group's wire time), {@link FaultedBus} (the fault rules on frame
 * loss and bus-off) and {@link BusSettings}.
 */
public final class CanBus extends EventSourcedBehavior<CanBus.Command, CanBus.Event, CanBus.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "CanBus");

  /**
   * Frame loss per bus; a test or scenario plugs in its own. The fault rules ({@link
   * io.fleetsim.faults.FaultKind#CAN_FRAME_LOSS}) are laid over whichever the bus has ({@link
   * FaultedBus}).
   */
  @FunctionalInterface
  public interface FrameLossModel {
    double lossRate(String vin, Transport transport);

    static FrameLossModel constant(double rate) {
      return (vin, transport) -> rate;
    }
  }

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  /**
   * @param transport {@code null} for the bus default
   * @param progressTo {@code null} if the requester does not want progress
   */
  /**
   * {@code region}: the vehicle's, and {@code campaignId}: the campaign of the update, for fault
   * rules that select by region or campaign (null when unknown).
   */
  public record StartTransfer(
      String transferId,
      String vin,
      String ecuId,
      Transport transport,
      String imageSha256,
      long length,
      byte[] directorTargets,
      ActorRef<TransferResult> replyTo,
      ActorRef<TransferProgress> progressTo,
      String region,
      String campaignId)
      implements Command {
    public StartTransfer(
        String transferId,
        String vin,
        String ecuId,
        Transport transport,
        String imageSha256,
        long length,
        byte[] directorTargets,
        ActorRef<TransferResult> replyTo,
        ActorRef<TransferProgress> progressTo) {
      this(
          transferId,
          vin,
          ecuId,
          transport,
          imageSha256,
          length,
          directorTargets,
          replyTo,
          progressTo,
          null,
          null);
    }
  }

  public record GetState(ActorRef<State> replyTo) implements Command {}

  /** From the Ecu, once its install of a transfer has ended either way. */
  public record EcuInstallFinished(
      String transferId, String ecuId, UpdateOutcome outcome, String reason, String newVersion)
      implements Command {}

  public record TransferResult(
      String transferId, String ecuId, UpdateOutcome outcome, String reason, String newVersion)
      implements CborSerializable {}

  public record TransferProgress(
      String transferId, String ecuId, long bytesAcknowledged, long length)
      implements CborSerializable {}

  enum Step {
    SESSION,
    DOWNLOAD,
    DATA,
    EXIT;

    static Step of(Ecu.UdsService service) {
      return switch (service) {
        case DIAGNOSTIC_SESSION_CONTROL -> SESSION;
        case REQUEST_DOWNLOAD -> DOWNLOAD;
        case TRANSFER_DATA -> DATA;
        case REQUEST_TRANSFER_EXIT -> EXIT;
      };
    }
  }

  /** An ECU's answer to the request of {@code step}. */
  record UdsReplied(String transferId, Step step, Ecu.UdsResponse response) implements Command {}

  /**
   * Request {@code seq} of a transfer got no answer within the simulated response timeout; {@code
   * settled} once the work of the deadline instant has settled.
   */
  record ResponseTimedOut(String transferId, long seq, boolean settled) implements Command {}

  /** The work of this instant has settled: the transfers ready for their next group send it. */
  enum SendReady implements Command {
    INSTANCE
  }

  record GroupOnWire(String transferId, int blockSequenceCounter) implements Command {}

  record ResumeTransfer(String transferId) implements Command {}

  /** Sent by the timers once an instant the bus worked in has settled. */
  enum IdleCheck implements Command {
    INSTANCE
  }

  /** The ECU's status, asked for after a restart. */
  record EcuStateSeen(Ecu.Status state) implements Command {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {}

  public record TransferStarted(Transfer transfer) implements Event {}

  /** The ECU accepted the download; it expects this block next (greater than 1 on a resume). */
  public record DownloadAccepted(String transferId, int nextBlock, long bytesAcknowledged)
      implements Event {}

  /**
   * No longer written: a group's acknowledgement is kept in memory (the ECU's answer to
   * RequestDownload says where to resume after a restart). Replayed from older journals.
   */
  public record BlockGroupAcknowledged(String transferId, int nextBlock, long bytesAcknowledged)
      implements Event {}

  public record TransferExited(String transferId) implements Event {}

  /**
   * The requester asked again for a transfer in progress (it restarted, and its old reference is
   * dead): results and progress go to the new one.
   */
  public record RequesterChanged(String transferId, Requester requester) implements Event {}

  public record TransferFinished(TransferResult result) implements Event {}

  // ---------------------------------------------------------------- state

  public enum Stage {
    OPENING,
    SENDING,
    INSTALLING
  }

  /** Who asked for a transfer: told its result, and its progress if {@code progressTo} is set. */
  public record Requester(ActorRef<TransferResult> replyTo, ActorRef<TransferProgress> progressTo)
      implements CborSerializable {}

  /** How far a transfer has come: its stage, the block group the ECU expects next, bytes acked. */
  public record Progress(Stage stage, int nextBlock, long bytesAcknowledged)
      implements CborSerializable {
    static final Progress OPENING = new Progress(Stage.OPENING, 1, 0);
  }

  /** A transfer in progress: what goes to which ECU, for whom, and how far it has come. */
  public record Transfer(
      String transferId,
      String ecuId,
      Transport transport,
      String imageSha256,
      long length,
      byte[] directorTargets,
      Requester requester,
      Progress progress)
      implements CborSerializable {

    Transfer with(Progress p) {
      return new Transfer(
          transferId, ecuId, transport, imageSha256, length, directorTargets, requester, p);
    }

    Transfer with(Requester r) {
      return new Transfer(
          transferId, ecuId, transport, imageSha256, length, directorTargets, r, progress);
    }
  }

  public record State(Map<String, Transfer> transfers, List<TransferResult> recent)
      implements CborSerializable {
    static final State EMPTY = new State(Map.of(), List.of());

    public Optional<Transfer> transfer(String transferId) {
      return Optional.ofNullable(transfers.get(transferId));
    }

    public Optional<TransferResult> result(String transferId) {
      return recent.stream().filter(r -> r.transferId().equals(transferId)).findFirst();
    }

    long sending() {
      return transfers.values().stream().filter(t -> t.progress().stage() == Stage.SENDING).count();
    }

    State put(Transfer t) {
      Map<String, Transfer> m = new LinkedHashMap<>(transfers);
      m.put(t.transferId(), t);
      return new State(Map.copyOf(m), recent);
    }

    State finish(TransferResult r, int remember) {
      Map<String, Transfer> m = new LinkedHashMap<>(transfers);
      m.remove(r.transferId());
      List<TransferResult> l = new ArrayList<>(recent);
      l.add(0, r);
      while (l.size() > remember) {
        l.remove(l.size() - 1);
      }
      return new State(Map.copyOf(m), List.copyOf(l));
    }
  }

  // ---------------------------------------------------------------- modelled times

  /**
   * What the clock waits for each block group of a download of {@code length} bytes that has the
   * bus to itself and loses no frame: each group's wire time rounded up to the millisecond. Pure;
   * the same arithmetic the bus schedules with ({@code fleetsim.can-bus}).
   */
  public static List<Duration> groupWaits(Config config, Transport transport, long length) {
    BlockGroups groups =
        new BlockGroups(
            BusTimingModel.fromConfig(config), BusSettings.fromConfig(config).blocksPerGroup());
    List<Duration> waits = new ArrayList<>();
    long acknowledged = 0;
    int counter = 1;
    for (Optional<BlockGroups.Group> g = groups.next(transport, counter, 0, length);
        g.isPresent();
        g = groups.next(transport, counter, acknowledged, length)) {
      waits.add(Duration.ofMillis(SimClock.delayMillis(g.get().wireTime(0, 1))));
      acknowledged += g.get().length();
      counter++;
    }
    return List.copyOf(waits);
  }

  /**
   * The exact simulated time from a {@link StartTransfer} to its {@link TransferResult} when the
   * ECU answers at once apart from its modelled checks, the bus carries only this transfer, no
   * frame is lost and the new image boots: the ECU's checks ({@link
   * EcuComputeModel#verificationTime}), every group's wait ({@link #groupWaits}), the flash at the
   * profile's speed and {@code fleetsim.ecu.boot-time}, each rounded up to the millisecond as the
   * clock waits it. Pure, from the configuration, so that a test can check an update's time
   * independently.
   */
  public static Duration modelledTransferTime(
      Config config, EcuProfile profile, Transport transport, long length) {
    Duration t = EcuComputeModel.fromConfig(config).verificationTime(profile, length);
    for (Duration wait : groupWaits(config, transport, length)) {
      t = t.plus(wait);
    }
    t =
        t.plusMillis(
            SimClock.delayMillis(Bootloader.flashTime(length, profile.flashBytesPerSecond())));
    return t.plusMillis(SimClock.delayMillis(EcuSettings.fromConfig(config).bootTime()));
  }

  // ---------------------------------------------------------------- behaviour

  private final String vin;
  private final ActorContext<Command> context;
  private final SimTimers<Command> timers;
  private final UdsTester tester;
  private final BlobStore blobs;
  private final BlockGroups groups;
  private final FrameLossModel loss;
  private final FaultedBus faulted;
  private final BusSettings settings;
  private final long scenarioSeed;
  // retries of the current step per transfer: transient like the timers, reset by a restart
  private final Map<String, Integer> retries = new HashMap<>();
  // transfers whose next group goes on the wire once this instant has settled, by transfer id
  private final Set<String> ready = new TreeSet<>();
  // block groups acknowledged in this incarnation, by transfer id (not journaled, see live)
  private final Map<String, Progress> acked = new HashMap<>();
  private static final String SEND_TIMER = "send-ready";

  /**
   * @param ecuFor the Ecu entity for an Ecu entity id ({@code VIN/ecuId}); sharding in production,
   *     a probe or a local actor in tests
   * @param loss {@code null} for {@code fleetsim.can-bus.frame-loss-rate}
   */
  public static Behavior<Command> create(
      String vin,
      Function<String, RecipientRef<Ecu.Command>> ecuFor,
      BlobStore blobs,
      FrameLossModel loss) {
    return create(vin, ecuFor, blobs, loss, null);
  }

  /**
   * As above, as a sharded entity living in {@code home} (null outside sharding): its timers are
   * kept by the node and it passivates when no transfer is open.
   */
  public static Behavior<Command> create(
      String vin,
      Function<String, RecipientRef<Ecu.Command>> ecuFor,
      BlobStore blobs,
      FrameLossModel loss,
      EntityHome home) {
    return Behaviors.setup(
        ctx ->
            SimTimers.forEntity(
                home,
                IdleCheck.INSTANCE,
                timers -> new CanBus(vin, ctx, timers, ecuFor, blobs, loss)));
  }

  private CanBus(
      String vin,
      ActorContext<Command> context,
      SimTimers<Command> timers,
      Function<String, RecipientRef<Ecu.Command>> ecuFor,
      BlobStore blobs,
      FrameLossModel loss) {
    super(
        PersistenceId.of(TYPE_KEY.name(), vin),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.vin = vin;
    this.context = context;
    this.timers = timers;
    this.blobs = blobs;
    Config config = context.getSystem().settings().config();
    this.settings = BusSettings.fromConfig(config);
    this.faulted = new FaultedBus(vin, Faults.get(context.getSystem()), timers.clock());
    this.tester = new UdsTester(vin, context, timers, ecuFor, settings.responseTimeout(), faulted);
    this.groups = new BlockGroups(BusTimingModel.fromConfig(config), settings.blocksPerGroup());
    this.loss =
        faulted.frameLoss(loss != null ? loss : FrameLossModel.constant(settings.frameLossRate()));
    this.scenarioSeed = Seeds.scenarioSeed(context.getSystem());
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
            state ->
                state
                    .transfers()
                    .keySet()
                    .forEach(id -> context.getSelf().tell(new ResumeTransfer(id))))
        .build();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(GetState.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .onCommand(StartTransfer.class, this::startTransfer)
        .onCommand(ResumeTransfer.class, this::resume)
        .onCommand(IdleCheck.class, this::passivateIfIdle)
        .onCommand(UdsReplied.class, this::udsReplied)
        .onCommand(ResponseTimedOut.class, this::responseTimedOut)
        .onCommand(SendReady.class, this::sendReady)
        .onCommand(GroupOnWire.class, this::groupOnWire)
        .onCommand(EcuInstallFinished.class, this::ecuInstallFinished)
        .onCommand(EcuStateSeen.class, this::ecuStateSeen)
        .build();
  }

  private Effect<Event, State> startTransfer(State state, StartTransfer cmd) {
    faulted.select(cmd.region(), cmd.campaignId());
    if (cmd.transferId() == null || cmd.transferId().isBlank()) {
      return rejectRequest(cmd, "transfer id is required");
    }
    Optional<Transfer> open = state.transfer(cmd.transferId());
    if (open.isPresent()) {
      Requester requester = new Requester(cmd.replyTo(), cmd.progressTo());
      if (open.get().requester().equals(requester)) {
        return Effect().none();
      }
      return Effect().persist(new RequesterChanged(cmd.transferId(), requester));
    }
    Optional<TransferResult> done = state.result(cmd.transferId());
    if (done.isPresent()) {
      cmd.replyTo().tell(done.get());
      return Effect().none();
    }
    String problem = requestProblem(cmd);
    if (problem != null) {
      return rejectRequest(cmd, problem);
    }
    long stored = blobs.size(cmd.imageSha256());
    if (stored < 0) {
      return finishEarly(
          cmd, "image " + cmd.imageSha256() + " is not in this node's blob store (node lost?)");
    }
    if (stored != cmd.length()) {
      return finishEarly(
          cmd, "stored image has " + stored + " bytes, the request announces " + cmd.length());
    }
    Transport transport = cmd.transport() != null ? cmd.transport() : settings.defaultTransport();
    Transfer t =
        new Transfer(
            cmd.transferId(),
            cmd.ecuId(),
            transport,
            cmd.imageSha256(),
            cmd.length(),
            cmd.directorTargets(),
            new Requester(cmd.replyTo(), cmd.progressTo()),
            Progress.OPENING);
    return Effect().persist(new TransferStarted(t)).thenRun(s -> tester.openSession(t));
  }

  private String requestProblem(StartTransfer cmd) {
    if (!vin.equals(cmd.vin())) {
      return "transfer for VIN " + cmd.vin() + " sent to the bus of " + vin;
    }
    if (cmd.ecuId() == null || cmd.ecuId().isBlank() || cmd.ecuId().contains("/")) {
      return "invalid ECU id: " + cmd.ecuId();
    }
    if (cmd.imageSha256() == null || !cmd.imageSha256().matches("[0-9a-fA-F]{64}")) {
      return "image hash must be 64 hex digits";
    }
    if (cmd.length() <= 0) {
      return "image length must be positive";
    }
    if (cmd.directorTargets() == null || cmd.directorTargets().length == 0) {
      return "director targets metadata is required";
    }
    return null;
  }

  private Effect<Event, State> rejectRequest(StartTransfer cmd, String reason) {
    context.getLog().warn("bus {} rejected transfer {}: {}", vin, cmd.transferId(), reason);
    cmd.replyTo()
        .tell(
            new TransferResult(cmd.transferId(), cmd.ecuId(), UpdateOutcome.FAILED, reason, null));
    return Effect().none();
  }

  private Effect<Event, State> finishEarly(StartTransfer cmd, String reason) {
    TransferResult r =
        new TransferResult(cmd.transferId(), cmd.ecuId(), UpdateOutcome.FAILED, reason, null);
    context.getLog().warn("bus {} transfer {} failed: {}", vin, cmd.transferId(), reason);
    return Effect().persist(new TransferFinished(r)).thenRun(s -> cmd.replyTo().tell(r));
  }

  // ---- the UDS session

  /**
   * The transfer as far as its groups were acknowledged in this incarnation. Acknowledgements are
   * kept in memory, not journaled: after a restart the bus asks the ECU where to resume (its
   * RequestDownload answer, {@link DownloadAccepted}), which is the only record that counts.
   */
  private Transfer live(Transfer t) {
    Progress p = acked.get(t.transferId());
    return p != null && t.progress().stage() == Stage.SENDING ? t.with(p) : t;
  }

  private Optional<BlockGroups.Group> nextGroup(Transfer t) {
    Progress p = live(t).progress();
    return groups.next(t.transport(), p.nextBlock(), p.bytesAcknowledged(), t.length());
  }

  /**
   * Puts the next block group on the wire, or ends the download. The group is scheduled once the
   * work of this instant has settled ({@link SendReady}, a zero-delay timer), so that its share of
   * the bus counts every transfer that starts or stops sending at this instant, whatever order
   * their messages (replies of several ECUs at one instant) are handled in.
   */
  private void sendNext(State state, Transfer t) {
    if (nextGroup(t).isEmpty()) {
      tester.requestExit(t);
      return;
    }
    ready.add(t.transferId());
    if (!timers.isTimerActive(SEND_TIMER)) {
      timers.startSingleTimer(SEND_TIMER, SendReady.INSTANCE, Duration.ZERO);
    }
  }

  /**
   * Schedules the arrival of each ready transfer's next group after its wire time: a shared bus
   * gives every transfer sending at this instant an equal part of the bandwidth. The frame losses
   * of a group are drawn from a generator of its own (scenario seed, bus, transfer, group,
   * attempt), so no transfer's draws depend on another's.
   */
  private Effect<Event, State> sendReady(State state, SendReady cmd) {
    long sharing = state.sending();
    for (String id : ready) {
      Transfer t = state.transfers().get(id);
      if (t == null || t.progress().stage() != Stage.SENDING) {
        continue;
      }
      Optional<BlockGroups.Group> next = nextGroup(t);
      if (next.isEmpty()) {
        continue;
      }
      BlockGroups.Group g = next.get();
      Random draws =
          Seeds.random(
              scenarioSeed,
              "canbus:" + vin + "/" + id + "/" + g.counter() + "/" + retries.getOrDefault(id, 0));
      long lost =
          BusTimingModel.sampleRetransmissions(
              g.exchange().frames(), loss.lossRate(vin, t.transport()), draws);
      Duration wire = g.wireTime(lost, sharing);
      timers.startSingleTimer(groupTimer(t), new GroupOnWire(id, g.counter()), wire);
    }
    ready.clear();
    return Effect().none();
  }

  private static String groupTimer(Transfer t) {
    return "group-" + t.transferId();
  }

  private Effect<Event, State> groupOnWire(State state, GroupOnWire cmd) {
    Optional<Transfer> found = state.transfer(cmd.transferId());
    if (found.isEmpty() || live(found.get()).progress().nextBlock() != cmd.blockSequenceCounter()) {
      return Effect().none();
    }
    Transfer t = found.get();
    Optional<ByteBuffer> image = blobs.view(t.imageSha256());
    Optional<BlockGroups.Group> g = nextGroup(t);
    if (image.isEmpty() || g.isEmpty()) {
      return fail(state, t, UpdateOutcome.FAILED, "image vanished from this node's blob store");
    }
    byte[] group = new byte[g.get().length()];
    image.get().position((int) g.get().offset());
    image.get().get(group);
    tester.transferData(t, cmd.blockSequenceCounter(), group);
    return Effect().none();
  }

  private Effect<Event, State> udsReplied(State state, UdsReplied cmd) {
    Optional<Transfer> found = state.transfer(cmd.transferId());
    if (found.isEmpty()) {
      return Effect().none();
    }
    Transfer t = found.get();
    if (faulted.off().isPresent()) {
      // a bus that is off carries no answer either: the request times out and is sent again
      return Effect().none();
    }
    if (!tester.answered(cmd)) {
      // an answer to a step already done, one at or after the deadline, or to closing the session
      return Effect().none();
    }
    retries.remove(t.transferId());
    if (cmd.response() instanceof Ecu.NegativeResponse nr) {
      return fail(
          state,
          t,
          UpdateOutcome.REJECTED,
          cmd.step() + " refused with " + nr.nrc().describe() + ": " + nr.reason());
    }
    Ecu.PositiveResponse pr = (Ecu.PositiveResponse) cmd.response();
    return switch (cmd.step()) {
      case SESSION -> {
        tester.requestDownload(t);
        yield Effect().none();
      }
      case DOWNLOAD -> {
        acked.remove(t.transferId());
        yield Effect()
            .persist(
                new DownloadAccepted(
                    t.transferId(), pr.nextBlockSequenceCounter(), pr.bytesReceived()))
            .thenRun(s -> sendNext(s, s.transfers().get(t.transferId())));
      }
      case DATA -> {
        if (pr.nextBlockSequenceCounter() <= live(t).progress().nextBlock()) {
          yield Effect().none();
        }
        acked.put(
            t.transferId(),
            new Progress(Stage.SENDING, pr.nextBlockSequenceCounter(), pr.bytesReceived()));
        Transfer now = live(t);
        sendNext(state, now);
        if (now.requester().progressTo() != null) {
          now.requester()
              .progressTo()
              .tell(
                  new TransferProgress(
                      now.transferId(),
                      now.ecuId(),
                      now.progress().bytesAcknowledged(),
                      now.length()));
        }
        yield Effect().none();
      }
      case EXIT -> {
        acked.remove(t.transferId());
        yield Effect().persist(new TransferExited(t.transferId()));
      }
    };
  }

  private Effect<Event, State> responseTimedOut(State state, ResponseTimedOut cmd) {
    Optional<Transfer> found = state.transfer(cmd.transferId());
    Optional<Step> step = tester.timedOut(cmd);
    if (found.isEmpty() || step.isEmpty()) {
      return Effect().none();
    }
    return retry(
        state,
        found.get(),
        step.get(),
        "no answer within " + tester.responseTimeout() + " of simulated time");
  }

  private Effect<Event, State> retry(State state, Transfer t, Step step, String failure) {
    int n = retries.merge(t.transferId(), 1, Integer::sum);
    if (n > settings.maxRetries()) {
      retries.remove(t.transferId());
      return fail(
          state,
          t,
          UpdateOutcome.FAILED,
          "ECU " + t.ecuId() + " did not answer " + step + " (" + failure + ")");
    }
    context.getLog().info("bus {} retrying {} of {}: {}", vin, step, t.transferId(), failure);
    switch (step) {
      case SESSION, DOWNLOAD -> tester.openSession(t);
      // the group is sent again: it takes its wire time again
      case DATA -> sendNext(state, live(t));
      case EXIT -> tester.requestExit(t);
    }
    return Effect().none();
  }

  /**
   * Ends a transfer the bus gives up on: refused, unanswered or without its image. Whatever the ECU
   * holds of it is closed (an ECU that was only slow would otherwise refuse the next transfer with
   * this one's download still open); an ECU already flashing refuses that and installs on.
   */
  private Effect<Event, State> fail(State state, Transfer t, UpdateOutcome outcome, String reason) {
    timers.cancel(groupTimer(t));
    tester.forget(t.transferId());
    tester.closeSession(t);
    context.getLog().warn("bus {} transfer {} {}: {}", vin, t.transferId(), outcome, reason);
    TransferResult r = new TransferResult(t.transferId(), t.ecuId(), outcome, reason, null);
    acked.remove(t.transferId());
    return Effect().persist(new TransferFinished(r)).thenRun(s -> t.requester().replyTo().tell(r));
  }

  private Effect<Event, State> ecuInstallFinished(State state, EcuInstallFinished cmd) {
    Optional<Transfer> found = state.transfer(cmd.transferId());
    if (found.isEmpty() || !found.get().ecuId().equals(cmd.ecuId())) {
      return Effect().none();
    }
    Transfer t = found.get();
    timers.cancel(groupTimer(t));
    tester.forget(t.transferId());
    TransferResult r =
        new TransferResult(
            t.transferId(), t.ecuId(), cmd.outcome(), cmd.reason(), cmd.newVersion());
    acked.remove(t.transferId());
    return Effect().persist(new TransferFinished(r)).thenRun(s -> t.requester().replyTo().tell(r));
  }

  /**
   * Passivates with no transfer open and no timer pending: the bus then holds nothing its journal
   * does not.
   */
  private Effect<Event, State> passivateIfIdle(State state, IdleCheck cmd) {
    if (state.transfers().isEmpty() && !timers.anyPending()) {
      timers.passivate();
    }
    return Effect().none();
  }

  // ---- after a restart

  private Effect<Event, State> resume(State state, ResumeTransfer cmd) {
    Optional<Transfer> found = state.transfer(cmd.transferId());
    if (found.isEmpty()) {
      return Effect().none();
    }
    Transfer t = found.get();
    if (t.progress().stage() == Stage.INSTALLING) {
      // the Ecu's notice may have been lost with this node: ask how the install ended
      tester.askStatus(t);
    } else {
      // RequestDownload for a transfer the ECU holds answers with its resume point
      tester.openSession(t);
    }
    return Effect().none();
  }

  /** An install that ended while this bus was down: its transfer gets the ECU's result. */
  private Effect<Event, State> ecuStateSeen(State state, EcuStateSeen cmd) {
    EcuState.LastInstall last = cmd.state().lastInstall();
    if (last == null) {
      return Effect().none();
    }
    Optional<Transfer> found = state.transfer(last.transferId());
    if (found.isPresent() && found.get().progress().stage() == Stage.INSTALLING) {
      return ecuInstallFinished(
          state,
          new EcuInstallFinished(
              last.transferId(),
              found.get().ecuId(),
              last.outcome(),
              last.reason(),
              last.version()));
    }
    return Effect().none();
  }

  // ---------------------------------------------------------------- events

  private static Transfer sending(State s, String transferId, int nextBlock, long bytes) {
    return s.transfers().get(transferId).with(new Progress(Stage.SENDING, nextBlock, bytes));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    int remember = settings.rememberedResults();
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(TransferStarted.class, (s, e) -> s.put(e.transfer()))
        .onEvent(
            RequesterChanged.class,
            (s, e) -> s.put(s.transfers().get(e.transferId()).with(e.requester())))
        .onEvent(
            DownloadAccepted.class,
            (s, e) -> s.put(sending(s, e.transferId(), e.nextBlock(), e.bytesAcknowledged())))
        .onEvent(
            BlockGroupAcknowledged.class,
            (s, e) -> s.put(sending(s, e.transferId(), e.nextBlock(), e.bytesAcknowledged())))
        .onEvent(
            TransferExited.class,
            (s, e) -> {
              // every byte was acknowledged (in memory, see live): the exit came after the last
              Transfer t = s.transfers().get(e.transferId());
              return s.put(
                  t.with(new Progress(Stage.INSTALLING, t.progress().nextBlock(), t.length())));
            })
        .onEvent(TransferFinished.class, (s, e) -> s.finish(e.result(), remember))
        .build();
  }
}
