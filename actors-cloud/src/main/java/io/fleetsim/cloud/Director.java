package io.fleetsim.cloud;

import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.SimClock;
import io.fleetsim.persistence.PersistenceSetup;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.metadata.DirectorTargetCustom;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.TargetFile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

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
      boolean fetched)
      implements CborSerializable {

    Assignment markFetched() {
      return new Assignment(ecuSerial, assignmentId, campaignId, image, constraints, true);
    }
  }

  /** Director metadata of one vehicle; the root is the same for all and is not stored here. */
  public record SignedMetadata(
      int version, byte[] targets, byte[] snapshot, byte[] timestamp, Instant signedAt)
      implements CborSerializable {}

  public sealed interface Command {}

  public record Register(
      String region,
      String environment,
      Set<String> tags,
      String primarySerial,
      String primaryKeyHex,
      List<EcuInfo> ecus,
      ActorRef<StatusReply<Done>> replyTo)
      implements Command, CborSerializable {}

  /**
   * @param assignmentId unique per vehicle; the campaign's id and attempt, e.g. {@code c1/1}
   */
  public record Assign(
      String assignmentId,
      String campaignId,
      FirmwareImage image,
      Constraints constraints,
      ActorRef<StatusReply<Done>> replyTo)
      implements Command, CborSerializable {

    /** A first attempt: assignment id {@code campaignId/1}. */
    public Assign(
        String campaignId,
        FirmwareImage image,
        Constraints constraints,
        ActorRef<StatusReply<Done>> replyTo) {
      this(campaignId + "/1", campaignId, image, constraints, replyTo);
    }
  }

  /**
   * Director metadata by file name: {@code N.root.json}, {@code root.json} (latest), {@code
   * timestamp.json}, {@code snapshot.json}, {@code targets.json}.
   */
  public record GetMetadata(String fileName, ActorRef<StatusReply<byte[]>> replyTo)
      implements Command, CborSerializable {}

  public record ReportManifest(byte[] manifest, ActorRef<StatusReply<ManifestResult>> replyTo)
      implements Command, CborSerializable {}

  public record GetVehicle(ActorRef<StatusReply<VehicleView>> replyTo)
      implements Command, CborSerializable {}

  public record ManifestResult(long counter, List<EcuOutcome> ecus) implements CborSerializable {}

  public record VehicleView(
      String vin,
      String region,
      String environment,
      Set<String> tags,
      List<EcuInfo> ecus,
      List<Assignment> assignments,
      int metadataVersion,
      long lastManifestCounter,
      int refusedManifests)
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

  /**
   * One ECU as a verified manifest reported it; {@code outcome} and {@code campaignId} are set when
   * the report closed an assignment.
   */
  public record EcuOutcome(
      String serial,
      String installedVersion,
      long releaseCounter,
      UpdateOutcome outcome,
      String campaignId)
      implements CborSerializable {}

  public record ManifestAccepted(
      String vin, long counter, List<EcuOutcome> ecus, SignedMetadata metadata, Instant at)
      implements Event {

    /** The read model's one-word update state after this manifest. */
    public String summaryState(String before) {
      boolean any = false;
      boolean failed = false;
      boolean rolledBack = false;
      for (EcuOutcome e : ecus) {
        if (e.outcome() != null) {
          any = true;
          failed |= e.outcome() == UpdateOutcome.FAILED;
          rolledBack |= e.outcome() == UpdateOutcome.ROLLED_BACK;
        }
      }
      if (!any) {
        return before;
      }
      return failed ? "FAILED" : rolledBack ? "ROLLED_BACK" : "UPDATED";
    }
  }

  public record MetadataRefreshed(String vin, SignedMetadata metadata) implements Event {}

  // ---- state ------------------------------------------------------------------------------

  public record State(
      String vin,
      boolean registered,
      String region,
      String environment,
      Set<String> tags,
      String primarySerial,
      String primaryKeyHex,
      Map<String, EcuInfo> ecus,
      Map<String, Assignment> assignments,
      SignedMetadata metadata,
      long lastManifestCounter,
      Instant lastReport)
      implements CborSerializable {

    static State empty(String vin) {
      return new State(
          vin, false, null, null, Set.of(), null, null, Map.of(), Map.of(), null, -1, null);
    }

    State with(
        Map<String, EcuInfo> newEcus,
        Map<String, Assignment> newAssignments,
        SignedMetadata newMetadata,
        long counter,
        Instant report) {
      return new State(
          vin,
          registered,
          region,
          environment,
          tags,
          primarySerial,
          primaryKeyHex,
          newEcus,
          newAssignments,
          newMetadata,
          counter,
          report);
    }

    VehicleView view(int refused) {
      return new VehicleView(
          vin,
          region,
          environment,
          tags,
          List.copyOf(ecus.values()),
          List.copyOf(assignments.values()),
          metadata == null ? 0 : metadata.version(),
          lastManifestCounter,
          refused);
    }
  }

  // ---- behaviour --------------------------------------------------------------------------

  public static Behavior<Command> create(
      String vin,
      DirectorKeys keys,
      VehicleNotifier notifier,
      Function<String, RecipientRef<Campaign.Command>> campaigns) {
    return Behaviors.setup(ctx -> new Director(vin, keys, notifier, campaigns, ctx));
  }

  private final String vin;
  private final DirectorKeys keys;
  private final VehicleNotifier notifier;
  private final Function<String, RecipientRef<Campaign.Command>> campaigns;
  private final ActorContext<Command> ctx;
  private final SimClock clock;

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
      ActorContext<Command> ctx) {
    super(PersistenceId.of(TYPE_KEY.name(), vin));
    this.vin = vin;
    this.keys = keys;
    this.notifier = notifier;
    this.campaigns = campaigns;
    this.ctx = ctx;
    this.clock = SimClock.get(ctx.getSystem());
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
        .onCommand(GetVehicle.class, (s, c) -> Effect().reply(c.replyTo(), unknown()));
    b.forState(State::registered)
        .onCommand(Register.class, this::onReRegister)
        .onCommand(Assign.class, this::onAssign)
        .onCommand(GetMetadata.class, this::onGetMetadata)
        .onCommand(ReportManifest.class, this::onManifest)
        .onCommand(
            GetVehicle.class,
            (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.view(refusedManifests))));
    return b.build();
  }

  private <T> StatusReply<T> unknown() {
    return StatusReply.error("vin: unknown vehicle " + vin + " (not registered)");
  }

  private Effect<Event, State> onRegister(State s, Register c) {
    List<String> problems = new ArrayList<>();
    if (c.region() == null || c.region().isBlank()) {
      problems.add("region: must not be empty");
    }
    if (!"blue".equals(c.environment()) && !"green".equals(c.environment())) {
      problems.add("environment: must be blue or green, was " + c.environment());
    }
    if (c.primarySerial() == null || c.primarySerial().isBlank()) {
      problems.add("primarySerial: must not be empty");
    }
    keyProblem("primaryKey", c.primaryKeyHex()).ifPresent(problems::add);
    if (c.ecus() == null || c.ecus().isEmpty()) {
      problems.add("ecus: a vehicle has at least one ECU");
    } else {
      Set<String> serials = new LinkedHashSet<>();
      for (EcuInfo e : c.ecus()) {
        if (e.serial() == null || e.serial().isBlank() || !serials.add(e.serial())) {
          problems.add("ecus.serial: empty or duplicate serial " + e.serial());
        }
        if (e.ecuType() == null || e.ecuType().isBlank()) {
          problems.add("ecus[" + e.serial() + "].ecuType: must not be empty");
        }
        if (e.hardwareId() == null || e.hardwareId().isBlank()) {
          problems.add("ecus[" + e.serial() + "].hardwareId: must not be empty");
        }
        keyProblem("ecus[" + e.serial() + "].publicKey", e.publicKeyHex()).ifPresent(problems::add);
      }
    }
    if (!problems.isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.error(String.join("; ", problems)));
    }
    return Effect()
        .persist(
            new Registered(
                vin,
                c.region(),
                c.environment(),
                c.tags() == null ? Set.of() : Set.copyOf(c.tags()),
                c.primarySerial(),
                c.primaryKeyHex(),
                List.copyOf(c.ecus()),
                clock.now()))
        .thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  private static java.util.Optional<String> keyProblem(String field, String hex) {
    try {
      PublicKey.fromHex(hex);
      return java.util.Optional.empty();
    } catch (RuntimeException e) {
      return java.util.Optional.of(
          field + ": not an Ed25519 public key in hex (" + e.getMessage() + ")");
    }
  }

  private Effect<Event, State> onReRegister(State s, Register c) {
    // A vehicle re-sends its registration after a crash; only a different story is an error.
    boolean same =
        s.primaryKeyHex().equals(c.primaryKeyHex())
            && s.region().equals(c.region())
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
    List<EcuInfo> fits =
        s.ecus().values().stream()
            .filter(
                e ->
                    e.ecuType().equals(image.ecuType())
                        && image.hardwareIds().contains(e.hardwareId()))
            .toList();
    if (fits.isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error(
                  "ecuType: vehicle "
                      + vin
                      + " has no ECU of type "
                      + image.ecuType()
                      + " with a hardware id in "
                      + image.hardwareIds()));
    }
    boolean allSame = true;
    for (EcuInfo e : fits) {
      Assignment open = s.assignments().get(e.serial());
      if (open != null && !open.campaignId().equals(c.campaignId())) {
        return Effect()
            .reply(
                c.replyTo(),
                StatusReply.error(
                    "ecu "
                        + e.serial()
                        + ": already assigned by campaign "
                        + open.campaignId()
                        + " (version "
                        + open.image().version()
                        + "), refusing campaign "
                        + c.campaignId()));
      }
      if (image.releaseCounter() < e.releaseCounter()) {
        return Effect()
            .reply(
                c.replyTo(),
                StatusReply.error(
                    "releaseCounter: ecu "
                        + e.serial()
                        + " is at release counter "
                        + e.releaseCounter()
                        + ", image "
                        + image.targetName()
                        + " has "
                        + image.releaseCounter()
                        + " and would be refused as a rollback"));
      }
      allSame &=
          open != null
              && open.image().sha256().equals(image.sha256())
              && open.assignmentId().equals(c.assignmentId());
    }
    if (allSame) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    Constraints constraints =
        c.constraints() == null ? new Constraints(true, false) : c.constraints();
    Map<String, Assignment> next = new TreeMap<>(s.assignments());
    List<Assignment> made = new ArrayList<>();
    for (EcuInfo e : fits) {
      Assignment a =
          new Assignment(e.serial(), c.assignmentId(), c.campaignId(), image, constraints, false);
      next.put(e.serial(), a);
      made.add(a);
    }
    SignedMetadata md = sign(s, next);
    return Effect()
        .persist(new AssignmentMade(vin, c.campaignId(), made, md, md.signedAt()))
        .thenRun(x -> notifier.notifyUpdate(vin, c.campaignId()))
        .thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  private SignedMetadata sign(State s, Map<String, Assignment> assignments) {
    int version = s.metadata() == null ? 1 : s.metadata().version() + 1;
    Instant now = clock.now();
    List<TargetFile> targets = new ArrayList<>();
    for (Assignment a : assignments.values()) {
      EcuInfo ecu = s.ecus().get(a.ecuSerial());
      targets.add(targetFor(a, ecu));
    }
    return keys.signFor(vin, version, targets, now);
  }

  /** The director's target for one ECU: the image plus who installs it and on what terms. */
  static TargetFile targetFor(Assignment a, EcuInfo ecu) {
    FirmwareImage image = a.image();
    DirectorTargetCustom custom =
        new DirectorTargetCustom(
            new EcuTargetCustom(ecu.serial(), ecu.hardwareId(), image.releaseCounter()),
            a.assignmentId(),
            a.campaignId(),
            a.constraints().requireParked(),
            a.constraints().requireConsent());
    return new TargetFile(
        image.targetName(), image.length(), Map.of("sha256", image.sha256()), custom.toJson());
  }

  private Effect<Event, State> onGetMetadata(State s, GetMetadata c) {
    String name = c.fileName() == null ? "" : c.fileName();
    if (name.equals("root.json")) {
      return Effect().reply(c.replyTo(), StatusReply.success(keys.root(keys.rootVersion())));
    }
    if (name.endsWith(".root.json")) {
      try {
        int v = Integer.parseInt(name.substring(0, name.length() - ".root.json".length()));
        if (v < 1 || v > keys.rootVersion()) {
          return Effect()
              .reply(
                  c.replyTo(),
                  StatusReply.error(
                      "fileName: no director root version "
                          + v
                          + " (latest is "
                          + keys.rootVersion()
                          + ")"));
        }
        return Effect().reply(c.replyTo(), StatusReply.success(keys.root(v)));
      } catch (NumberFormatException e) {
        return Effect()
            .reply(c.replyTo(), StatusReply.error("fileName: not a root file name: " + name));
      }
    }
    if (!name.equals("timestamp.json")
        && !name.equals("snapshot.json")
        && !name.equals("targets.json")) {
      return Effect()
          .reply(c.replyTo(), StatusReply.error("fileName: unknown director file " + name));
    }
    if (s.metadata() == null) {
      // Nothing assigned yet: sign the empty targets once so the vehicle can verify "nothing to
      // do".
      SignedMetadata md = sign(s, s.assignments());
      return Effect()
          .persist(new MetadataRefreshed(vin, md))
          .thenReply(c.replyTo(), x -> StatusReply.success(file(x.metadata(), name)));
    }
    if (name.equals("timestamp.json")
        && s.metadata().signedAt().plus(TIMESTAMP_REFRESH).isBefore(clock.now())) {
      SignedMetadata md = sign(s, s.assignments());
      return Effect()
          .persist(new MetadataRefreshed(vin, md))
          .thenReply(c.replyTo(), x -> StatusReply.success(file(x.metadata(), name)));
    }
    if (name.equals("targets.json")) {
      List<String> unfetched =
          s.assignments().values().stream()
              .filter(a -> !a.fetched())
              .map(Assignment::ecuSerial)
              .toList();
      if (!unfetched.isEmpty()) {
        Set<String> campaignIds = new LinkedHashSet<>();
        unfetched.forEach(serial -> campaignIds.add(s.assignments().get(serial).campaignId()));
        return Effect()
            .persist(new AssignmentFetched(vin, unfetched, clock.now()))
            .thenRun(
                x ->
                    campaignIds.forEach(
                        id -> campaigns.apply(id).tell(new Campaign.RecordInProgress(vin))))
            .thenReply(c.replyTo(), x -> StatusReply.success(file(x.metadata(), name)));
      }
    }
    return Effect().reply(c.replyTo(), StatusReply.success(file(s.metadata(), name)));
  }

  private static byte[] file(SignedMetadata md, String name) {
    return switch (name) {
      case "timestamp.json" -> md.timestamp();
      case "snapshot.json" -> md.snapshot();
      default -> md.targets();
    };
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
              s.primarySerial(),
              PublicKey.fromHex(s.primaryKeyHex()),
              ecuKeys,
              s.lastManifestCounter());
    } catch (VerificationException e) {
      refusedManifests++;
      ctx.getLog().warn("director {}: refused manifest ({}): {}", vin, e.attack(), e.getMessage());
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error("manifest: refused as " + e.attack() + ": " + e.getMessage()));
    }
    Map<String, EcuInfo> ecus = new TreeMap<>(s.ecus());
    Map<String, Assignment> open = new TreeMap<>(s.assignments());
    List<EcuOutcome> outcomes = new ArrayList<>();
    for (ManifestReading.EcuReport r : reading.reports()) {
      EcuInfo ecu = ecus.get(r.ecuSerial());
      Assignment a = open.get(r.ecuSerial());
      String installedVersion = versionOf(r.installedTargetName(), ecu, a);
      long counter = r.releaseCounter() >= 0 ? r.releaseCounter() : ecu.releaseCounter();
      UpdateOutcome outcome = null;
      if (a != null) {
        if (r.installedSha256().equals(a.image().sha256()) && r.failure() == null) {
          outcome = UpdateOutcome.SUCCEEDED;
        } else if (r.rolledBack()) {
          outcome = UpdateOutcome.ROLLED_BACK;
        } else if (r.failure() != null) {
          outcome = UpdateOutcome.FAILED;
        }
      }
      ecus.put(r.ecuSerial(), ecu.installed(installedVersion, counter));
      if (outcome != null) {
        open.remove(r.ecuSerial());
      }
      outcomes.add(
          new EcuOutcome(
              r.ecuSerial(),
              installedVersion,
              counter,
              outcome,
              outcome == null ? null : a.campaignId()));
    }
    // Closed assignments leave the director targets, so the vehicle stops acting on them.
    SignedMetadata md = open.size() == s.assignments().size() ? null : sign(s, open);
    Instant now = clock.now();
    ManifestAccepted event = new ManifestAccepted(vin, reading.counter(), outcomes, md, now);
    return Effect()
        .persist(event)
        .thenRun(
            x ->
                outcomes.stream()
                    .filter(o -> o.outcome() != null)
                    .forEach(
                        o ->
                            campaigns
                                .apply(o.campaignId())
                                .tell(
                                    new Campaign.RecordOutcome(
                                        vin, o.outcome(), o.installedVersion()))))
        .thenReply(
            c.replyTo(), x -> StatusReply.success(new ManifestResult(reading.counter(), outcomes)));
  }

  private static String versionOf(String targetName, EcuInfo ecu, Assignment a) {
    if (a != null && a.image().targetName().equals(targetName)) {
      return a.image().version();
    }
    String prefix = ecu.ecuType() + "/";
    if (targetName != null && targetName.startsWith(prefix) && targetName.endsWith(".img")) {
      return targetName.substring(prefix.length(), targetName.length() - ".img".length());
    }
    return targetName == null ? ecu.installedVersion() : targetName;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            Registered.class,
            (s, e) -> {
              Map<String, EcuInfo> ecus = new TreeMap<>();
              e.ecus().forEach(x -> ecus.put(x.serial(), x));
              return new State(
                  vin,
                  true,
                  e.region(),
                  e.environment(),
                  e.tags(),
                  e.primarySerial(),
                  e.primaryKeyHex(),
                  ecus,
                  Map.of(),
                  null,
                  -1,
                  e.at());
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
              Map<String, Assignment> next = new TreeMap<>(s.assignments());
              for (EcuOutcome o : e.ecus()) {
                ecus.computeIfPresent(
                    o.serial(),
                    (k, ecu) -> ecu.installed(o.installedVersion(), o.releaseCounter()));
                if (o.outcome() != null) {
                  next.remove(o.serial());
                }
              }
              return s.with(
                  ecus,
                  next,
                  e.metadata() == null ? s.metadata() : e.metadata(),
                  e.counter(),
                  e.at());
            })
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
