package io.fleetsim.cloud;

import com.typesafe.config.Config;
import io.fleetsim.cluster.BlobStore;
import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.Repository;
import io.sigpipe.jbsdiff.Diff;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The Uptane image repository: firmware images, binary deltas between consecutive versions of an
 * ECU type, and the TUF metadata (root, targets, snapshot, timestamp) that vouches for them.
 *
 * <p>Bytes are kept once: uploaded images travel in their publish event and are put in the
 * node-local {@link BlobStore} when the event is applied; generated images and every delta are
 * recomputed from the seed and the previous version when a node does not have them yet. The signed
 * metadata and the keys travel in the events as the repository's exported state, so recovery
 * restores exactly what was served without re-signing. No snapshots: a snapshot would skip the
 * events that carry uploaded bytes, and this entity sees few events.
 */
public final class ImageRepository
    extends EventSourcedBehavior<
        ImageRepository.Command, ImageRepository.Event, ImageRepository.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "ImageRepository");
  public static final String DEFAULT_ID = "images";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

  /** Limits and policy from {@code fleetsim.cloud}. */
  public record Settings(long maxImageBytes, List<String> knownEcuTypes, Expiries expiries) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("fleetsim.cloud");
      return new Settings(
          c.getBytes("max-image-bytes"), c.getStringList("known-ecu-types"), Expiries.defaults());
    }
  }

  // ---- protocol -------------------------------------------------------------------------

  public sealed interface Command {}

  /**
   * Publishes an image: either {@code bytes}, or (when null) an image of {@code generatedSize}
   * bytes generated from the scenario seed.
   */
  public record Publish(
      String ecuType,
      List<String> hardwareIds,
      String version,
      long releaseCounter,
      byte[] bytes,
      long generatedSize,
      ActorRef<StatusReply<FirmwareImage>> replyTo)
      implements Command, CborSerializable {}

  /**
   * Publishes the bytes of an already published {@code version} again, as version {@code
   * version+rN} with release counter N one above the newest image of that ECU type: how Uptane
   * rolls back, since an ECU never accepts a lower release counter. Asking again returns the same
   * image.
   */
  public record Republish(
      String ecuType, String version, ActorRef<StatusReply<FirmwareImage>> replyTo)
      implements Command, CborSerializable {}

  public record GetImage(
      String ecuType, String version, ActorRef<StatusReply<FirmwareImage>> replyTo)
      implements Command, CborSerializable {}

  public record ListImages(ActorRef<List<FirmwareImage>> replyTo)
      implements Command, CborSerializable {}

  /** {@code 1.root.json}, {@code root.json}, {@code timestamp.json}, {@code snapshot.json}, ... */
  public record GetMetadata(String fileName, ActorRef<StatusReply<byte[]>> replyTo)
      implements Command, CborSerializable {}

  /** An image or a delta by the sha256 of its bytes. */
  public record GetBlob(String sha256, ActorRef<StatusReply<byte[]>> replyTo)
      implements Command, CborSerializable {}

  private record RefreshTimestamp() implements Command {}

  // ---- events -----------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record Initialized(String repositoryId, long keySeed, Map<String, byte[]> repository)
      implements Event {}

  /**
   * {@code inlineBytes} is null for generated images; {@code repository} is the repository's
   * exported state after signing, keys included.
   */
  public record ImagePublished(
      FirmwareImage image,
      byte[] inlineBytes,
      Map<String, byte[]> repository,
      Instant at,
      String sameBytesAs)
      implements Event {}

  public record TimestampRefreshed(byte[] timestamp, Instant at) implements Event {}

  // ---- state ------------------------------------------------------------------------------

  public record State(
      String repositoryId,
      long keySeed,
      Map<String, byte[]> repository,
      Map<String, FirmwareImage> images,
      Map<String, Boolean> generated,
      Map<String, String> sameBytesAs)
      implements CborSerializable {

    boolean initialized() {
      return !repository.isEmpty();
    }

    Optional<FirmwareImage> latest(String ecuType) {
      return images.values().stream().filter(i -> i.ecuType().equals(ecuType)).reduce((a, b) -> b);
    }

    Optional<FirmwareImage> byVersion(String ecuType, String version) {
      return Optional.ofNullable(images.get(FirmwareImage.targetName(ecuType, version)));
    }
  }

  // ---- behaviour --------------------------------------------------------------------------

  public static Behavior<Command> create(String repositoryId, Settings settings) {
    return Behaviors.setup(
        ctx ->
            SimTimers.withTimers(
                timers -> new ImageRepository(repositoryId, settings, ctx, timers)));
  }

  public static Behavior<Command> create(String repositoryId) {
    return Behaviors.setup(
        ctx ->
            SimTimers.withTimers(
                timers ->
                    new ImageRepository(
                        repositoryId,
                        Settings.fromConfig(ctx.getSystem().settings().config()),
                        ctx,
                        timers)));
  }

  private final String repositoryId;
  private final Settings settings;
  private final ActorContext<Command> ctx;
  private final SimTimers<Command> timers;
  private final SimClock clock;
  private final BlobStore blobs;
  private final long scenarioSeed;

  private ImageRepository(
      String repositoryId,
      Settings settings,
      ActorContext<Command> ctx,
      SimTimers<Command> timers) {
    super(PersistenceId.of(TYPE_KEY.name(), repositoryId));
    this.repositoryId = repositoryId;
    this.settings = settings;
    this.ctx = ctx;
    this.timers = timers;
    this.clock = SimClock.get(ctx.getSystem());
    this.blobs = BlobStore.get(ctx.getSystem());
    this.scenarioSeed = Seeds.scenarioSeed(ctx.getSystem());
  }

  @Override
  public State emptyState() {
    return new State(repositoryId, 0, Map.of(), Map.of(), Map.of(), Map.of());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), s -> scheduleTimestampRefresh())
        .build();
  }

  /**
   * Re-sign the timestamp at half its lifetime (simulated), so a client never sees an expired one
   * even if a refresh is late by a little.
   */
  private void scheduleTimestampRefresh() {
    timers.startSingleTimer(
        "timestamp", new RefreshTimestamp(), settings.expiries().timestamp().dividedBy(2));
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Publish.class, (s, c) -> publish(s, c, null))
        .onCommand(Republish.class, this::onRepublish)
        .onCommand(
            GetImage.class,
            (s, c) ->
                Effect()
                    .reply(
                        c.replyTo(),
                        s.byVersion(c.ecuType(), c.version())
                            .map(StatusReply::success)
                            .orElseGet(
                                () ->
                                    StatusReply.error(
                                        "version: no image "
                                            + c.version()
                                            + " of ECU type "
                                            + c.ecuType()))))
        .onCommand(
            ListImages.class,
            (s, c) -> Effect().reply(c.replyTo(), List.copyOf(s.images().values())))
        .onCommand(GetMetadata.class, this::onGetMetadata)
        .onCommand(GetBlob.class, this::onGetBlob)
        .onCommand(RefreshTimestamp.class, this::onRefreshTimestamp)
        .build();
  }

  private Effect<Event, State> onGetMetadata(State s, GetMetadata c) {
    String name = c.fileName() == null ? "" : c.fileName();
    if (!s.initialized()) {
      Initialized init = initialize();
      return Effect().persist(init).thenReply(c.replyTo(), x -> metadataFile(x, name));
    }
    return Effect().reply(c.replyTo(), metadataFile(s, name));
  }

  private static StatusReply<byte[]> metadataFile(State s, String name) {
    byte[] file = name.startsWith("keys/") ? null : s.repository().get(name);
    return file == null
        ? StatusReply.error("fileName: no metadata file " + name)
        : StatusReply.success(file);
  }

  private Initialized initialize() {
    long keySeed = Seeds.entitySeed(scenarioSeed, "image-repository/" + repositoryId);
    Repository repo =
        Repository.create(repositoryId, new Random(keySeed), clock.now(), settings.expiries());
    return new Initialized(repositoryId, keySeed, repo.exportState());
  }

  private Effect<Event, State> onGetBlob(State s, GetBlob c) {
    // Every vehicle of a campaign asks for the same image: hand out the one stored array.
    Optional<byte[]> bytes = blobs.shared(c.sha256());
    if (bytes.isPresent()) {
      return Effect().reply(c.replyTo(), StatusReply.success(bytes.get()));
    }
    for (FirmwareImage image : s.images().values()) {
      if (image.sha256().equals(c.sha256())) {
        return Effect().reply(c.replyTo(), StatusReply.success(imageBytes(s, image)));
      }
      if (image.hasDelta() && image.deltaSha256().equals(c.sha256())) {
        FirmwareImage from = s.byVersion(image.ecuType(), image.deltaFromVersion()).orElseThrow();
        byte[] delta = delta(imageBytes(s, from), imageBytes(s, image));
        blobs.put(delta);
        return Effect().reply(c.replyTo(), StatusReply.success(delta));
      }
    }
    return Effect()
        .reply(c.replyTo(), StatusReply.error("sha256: no image or delta " + c.sha256()));
  }

  private Effect<Event, State> onRepublish(State s, Republish c) {
    Optional<FirmwareImage> source =
        c.ecuType() == null || c.version() == null
            ? Optional.empty()
            : s.byVersion(c.ecuType(), c.version());
    if (source.isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(),
              StatusReply.error(
                  "version: no image " + c.version() + " of ECU type " + c.ecuType()));
    }
    FirmwareImage latest = s.latest(c.ecuType()).orElseThrow();
    String base = c.version();
    for (FirmwareImage i : s.images().values()) {
      if (i.targetName().equals(latest.targetName())
          && source.get().targetName().equals(s.sameBytesAs().get(i.targetName()))) {
        // The newest image already is this version published again.
        return Effect().reply(c.replyTo(), StatusReply.success(latest));
      }
    }
    long counter = latest.releaseCounter() + 1;
    Publish again =
        new Publish(
            c.ecuType(),
            source.get().hardwareIds(),
            base + "+r" + counter,
            counter,
            null,
            source.get().length(),
            c.replyTo());
    return publish(s, again, source.get().targetName());
  }

  /**
   * @param sameBytesAs the target whose bytes this image carries (a republished version), or null
   */
  private Effect<Event, State> publish(State s, Publish c, String sameBytesAs) {
    List<String> problems = new ArrayList<>();
    if (c.ecuType() == null || !NAME.matcher(c.ecuType()).matches()) {
      problems.add(
          "ecuType: must be a name of letters, digits, '.', '_' or '-', was " + c.ecuType());
    } else if (!settings.knownEcuTypes().isEmpty()
        && !settings.knownEcuTypes().contains(c.ecuType())) {
      problems.add(
          "ecuType: unknown ECU type " + c.ecuType() + ", known are " + settings.knownEcuTypes());
    }
    if (c.hardwareIds() == null
        || c.hardwareIds().isEmpty()
        || c.hardwareIds().stream().anyMatch(h -> h == null || h.isBlank())) {
      problems.add("hardwareIds: must name at least one non-empty hardware id");
    }
    if (c.version() == null || !NAME.matcher(c.version()).matches()) {
      problems.add(
          "version: must be a name of letters, digits, '.', '_' or '-', was " + c.version());
    } else if (c.ecuType() != null && s.byVersion(c.ecuType(), c.version()).isPresent()) {
      problems.add("version: " + c.version() + " of " + c.ecuType() + " is already published");
    }
    Optional<FirmwareImage> previous =
        c.ecuType() == null ? Optional.empty() : s.latest(c.ecuType());
    // Equal counters are allowed on purpose: that is how a release stays one an operator may
    // roll back to; raising it makes every ECU refuse the older images from then on.
    if (c.releaseCounter() < 0) {
      problems.add("releaseCounter: must not be negative, was " + c.releaseCounter());
    } else if (previous.isPresent() && c.releaseCounter() < previous.get().releaseCounter()) {
      problems.add(
          "releaseCounter: must not go below "
              + previous.get().releaseCounter()
              + " ("
              + previous.get().targetName()
              + "), was "
              + c.releaseCounter());
    }
    long size = c.bytes() != null ? c.bytes().length : c.generatedSize();
    if (size <= 0) {
      problems.add("image: give bytes or a positive generated size, was " + size);
    } else if (size > settings.maxImageBytes()) {
      problems.add("image: " + size + " bytes exceeds the limit of " + settings.maxImageBytes());
    }
    if (!problems.isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.error(String.join("; ", problems)));
    }
    List<Event> events = new ArrayList<>();
    State base = s;
    if (!s.initialized()) {
      Initialized init = initialize();
      events.add(init);
      base =
          new State(
              repositoryId,
              init.keySeed(),
              init.repository(),
              s.images(),
              s.generated(),
              s.sameBytesAs());
    }
    byte[] bytes =
        c.bytes() != null
            ? c.bytes()
            : sameBytesAs != null
                ? imageBytes(s, s.images().get(sameBytesAs))
                : generate(
                    c.ecuType(),
                    c.version(),
                    (int) size,
                    previous.map(p -> imageBytesOf(s, p)).orElse(null));
    String sha = Hashing.sha256Hex(bytes);
    blobs.put(bytes);
    String deltaFrom = null;
    String deltaSha = null;
    long deltaLength = 0;
    if (previous.isPresent()) {
      byte[] delta = delta(imageBytes(s, previous.get()), bytes);
      deltaFrom = previous.get().version();
      deltaSha = blobs.put(delta);
      deltaLength = delta.length;
    }
    FirmwareImage image =
        new FirmwareImage(
            repositoryId,
            FirmwareImage.targetName(c.ecuType(), c.version()),
            c.ecuType(),
            c.version(),
            c.releaseCounter(),
            c.hardwareIds(),
            bytes.length,
            sha,
            deltaFrom,
            deltaSha,
            deltaLength);
    Repository repo = Repository.importState(base.repository());
    repo.addTarget(
        new TargetFile(
            image.targetName(),
            image.length(),
            Map.of("sha256", sha),
            Json.obj(
                "ecu_type", Json.str(image.ecuType()),
                "hardware_ids", Json.arr(image.hardwareIds().stream().map(Json::str).toList()),
                "version", Json.str(image.version()),
                "release_counter", Json.num(image.releaseCounter()))));
    Instant now = clock.now();
    repo.publish(now);
    events.add(new ImagePublished(image, c.bytes(), repo.exportState(), now, sameBytesAs));
    return Effect().persist(events).thenReply(c.replyTo(), x -> StatusReply.success(image));
  }

  private byte[] imageBytesOf(State s, FirmwareImage image) {
    return imageBytes(s, image);
  }

  /** The bytes of a published image: from the blob store, or regenerated from the seed. */
  private byte[] imageBytes(State s, FirmwareImage image) {
    Optional<byte[]> stored = blobs.get(image.sha256());
    if (stored.isPresent()) {
      return stored.get();
    }
    String same = s.sameBytesAs().get(image.targetName());
    if (same != null) {
      return imageBytes(s, s.images().get(same));
    }
    if (!s.generated().getOrDefault(image.targetName(), false)) {
      throw new IllegalStateException(
          "uploaded image " + image.targetName() + " is missing from the blob store");
    }
    byte[] base =
        image.deltaFromVersion() == null
            ? null
            : imageBytes(s, s.byVersion(image.ecuType(), image.deltaFromVersion()).orElseThrow());
    byte[] bytes = generate(image.ecuType(), image.version(), (int) image.length(), base);
    blobs.put(bytes);
    return bytes;
  }

  /**
   * A generated image. A new version is the previous one with about 2 % of its 4 KiB blocks
   * rewritten, the way a real release changes a fraction of a firmware, so deltas stay small; the
   * first version of an ECU type is plain seeded noise.
   */
  byte[] generate(String ecuType, String version, int size, byte[] previous) {
    Random rng =
        Seeds.random(scenarioSeed, "image/" + repositoryId + "/" + ecuType + "/" + version);
    byte[] out = new byte[size];
    if (previous == null) {
      rng.nextBytes(out);
      return out;
    }
    System.arraycopy(previous, 0, out, 0, Math.min(size, previous.length));
    if (size > previous.length) {
      byte[] tail = new byte[size - previous.length];
      rng.nextBytes(tail);
      System.arraycopy(tail, 0, out, previous.length, tail.length);
    }
    int block = 4096;
    int blocks = Math.max(1, (size + block - 1) / block);
    int changed = Math.max(1, blocks / 50);
    byte[] chunk = new byte[block];
    for (int i = 0; i < changed; i++) {
      int b = rng.nextInt(blocks);
      rng.nextBytes(chunk);
      int from = b * block;
      System.arraycopy(chunk, 0, out, from, Math.min(block, size - from));
    }
    return out;
  }

  static byte[] delta(byte[] from, byte[] to) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Diff.diff(from, to, out);
      return out.toByteArray();
    } catch (Exception e) {
      throw new IllegalStateException("delta computation failed", e);
    }
  }

  private Effect<Event, State> onRefreshTimestamp(State s, RefreshTimestamp c) {
    if (!s.initialized()) {
      scheduleTimestampRefresh();
      return Effect().none();
    }
    Repository repo = Repository.importState(s.repository());
    Instant now = clock.now();
    repo.refreshTimestamp(now);
    return Effect()
        .persist(new TimestampRefreshed(repo.timestamp(), now))
        .thenRun(x -> scheduleTimestampRefresh());
  }

  /**
   * Every change of what the repository serves is published to the node's {@link CheckHorizon},
   * during recovery too.
   */
  @Override
  public EventHandler<State, Event> eventHandler() {
    EventHandler<State, Event> apply = events();
    CheckHorizon horizon = CheckHorizon.get(ctx.getSystem());
    return (s, e) -> {
      State next = apply.apply(s, e);
      byte[] root = next.repository().get("root.json");
      byte[] timestamp = next.repository().get("timestamp.json");
      if (root != null && timestamp != null) {
        horizon.images(root, timestamp);
      }
      return next;
    };
  }

  private EventHandler<State, Event> events() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            Initialized.class,
            (s, e) ->
                new State(
                    repositoryId,
                    e.keySeed(),
                    e.repository(),
                    s.images(),
                    s.generated(),
                    s.sameBytesAs()))
        .onEvent(
            ImagePublished.class,
            (s, e) -> {
              if (e.inlineBytes() != null) {
                // Idempotent (content-addressed): replaying the event re-fills a fresh node.
                blobs.put(e.inlineBytes());
              }
              // Insertion order is publication order, so "latest" is the last of a type.
              Map<String, FirmwareImage> images = new java.util.LinkedHashMap<>(s.images());
              images.put(e.image().targetName(), e.image());
              Map<String, Boolean> generated = new TreeMap<>(s.generated());
              generated.put(e.image().targetName(), e.inlineBytes() == null);
              Map<String, String> same = new TreeMap<>(s.sameBytesAs());
              if (e.sameBytesAs() != null) {
                same.put(e.image().targetName(), e.sameBytesAs());
              }
              return new State(repositoryId, s.keySeed(), e.repository(), images, generated, same);
            })
        .onEvent(
            TimestampRefreshed.class,
            (s, e) -> {
              Map<String, byte[]> repo = new TreeMap<>(s.repository());
              repo.put("timestamp.json", e.timestamp());
              return new State(
                  repositoryId, s.keySeed(), repo, s.images(), s.generated(), s.sameBytesAs());
            })
        .build();
  }
}
