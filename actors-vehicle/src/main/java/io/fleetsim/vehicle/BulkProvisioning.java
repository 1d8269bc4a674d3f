package io.fleetsim.vehicle;

import io.fleetsim.cloud.CheckHorizon;
import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.ecu.Ecu;
import io.fleetsim.uptane.crypto.SigningKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Source;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Provisions a fleet of new vehicles in bulk: each vehicle's events, and those of its ECUs and its
 * Director record, are the very events the entities persist when provisioned one by one ({@link
 * VehicleProvisioning}), computed here from the seed (keys included) and written straight into the
 * journal, thousands to a write; each vehicle's first poll is armed in the node's timers. No entity
 * runs: each starts from its journal when it is first needed, as after a passivation, and the fleet
 * read model is fed by its projection from the Director events, like any others.
 *
 * <p>For vehicles that do not exist yet: the journal refuses a sequence number an entity has
 * already, and the write with it fails with the journal's reason. Provisioning the entities one by
 * one ({@link Vehicle.Provision}) is idempotent and suits a fleet that grows.
 */
public final class BulkProvisioning {

  /** Vehicles per journal write. */
  static final int BATCH = 500;

  private static final java.util.concurrent.atomic.AtomicLong WRITE_NUMBERS =
      new java.util.concurrent.atomic.AtomicLong();

  /** Journal writes in flight at once. */
  static final int WRITES_IN_FLIGHT = 2;

  private final ActorSystem<?> system;
  private final long scenarioSeed;
  private final Instant at;
  private final String writer = UUID.randomUUID().toString();
  private final List<String> directorTargetsKeys;
  private final int directorThreshold;
  private final byte[] directorRoot;
  private final byte[] imageRoot;
  private final VehicleSettings settings;
  private final org.apache.pekko.actor.ActorRef journal;

  private BulkProvisioning(ActorSystem<?> system, byte[] imageRoot) {
    this.system = system;
    this.scenarioSeed = Seeds.scenarioSeed(system);
    this.at = SimClock.get(system).now();
    Vehicle.Deps deps = VehicleSharding.deps(system);
    this.directorTargetsKeys = VehicleProvisioning.targetsKeys(deps.directorKeys());
    this.directorThreshold =
        deps.directorKeys().threshold(io.fleetsim.uptane.metadata.Role.TARGETS);
    this.directorRoot = deps.directorKeys().root(1);
    this.imageRoot = imageRoot;
    this.settings = VehicleSettings.fromConfig(system.settings().config());
    this.journal =
        Persistence.get(Adapter.toClassic(system))
            .journalFor("", com.typesafe.config.ConfigFactory.empty());
  }

  /**
   * Provisions {@code fleet} at the current simulated instant; {@code progress} is told how many
   * vehicles are done after each write. The clock must stand still meanwhile (the caller holds it).
   */
  public static CompletionStage<Done> provision(
      ActorSystem<?> system, List<Vehicle.Spec> fleet, IntConsumer progress) {
    Set<String> profiles =
        VehicleSettings.fromConfig(system.settings().config()).profiles().keySet();
    for (Vehicle.Spec spec : fleet) {
      String problem = VehicleProvisioning.problem(spec.vin(), spec, profiles);
      if (problem != null) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("vehicle " + spec.vin() + ": " + problem));
      }
    }
    AtomicInteger done = new AtomicInteger();
    return AskPattern.askWithStatus(
            VehicleSharding.deps(system).imageRepository(),
            (ActorRef<StatusReply<byte[]>> r) -> new ImageRepository.GetMetadata("1.root.json", r),
            Duration.ofSeconds(30),
            system.scheduler())
        .thenCompose(
            root -> {
              BulkProvisioning bulk = new BulkProvisioning(system, root);
              List<List<Vehicle.Spec>> batches = new ArrayList<>();
              for (int i = 0; i < fleet.size(); i += BATCH) {
                batches.add(fleet.subList(i, Math.min(fleet.size(), i + BATCH)));
              }
              return Source.from(batches)
                  .mapAsync(
                      WRITES_IN_FLIGHT,
                      batch ->
                          CompletableFuture.supplyAsync(() -> bulk.writes(batch))
                              .thenCompose(
                                  w ->
                                      bulk.write(w.untagged())
                                          .thenCompose(x -> bulk.write(w.tagged())))
                              .thenApply(
                                  x -> {
                                    batch.forEach(bulk::armFirstPoll);
                                    return batch.size();
                                  }))
                  .runForeach(n -> progress.accept(done.addAndGet(n)), system);
            });
  }

  /**
   * The events of every entity of a batch, one atomic write per entity, in two journal writes: the
   * untagged ones (vehicles, ECUs), which the JDBC journal inserts in plain batches, and the tagged
   * ones (Director records, which the fleet read model follows), whose rows it inserts one by one
   * to learn the ordering each tag row refers to.
   */
  private record Writes(List<AtomicWrite> untagged, List<AtomicWrite> tagged) {
    void add(Writes w) {
      untagged.addAll(w.untagged());
      tagged.addAll(w.tagged());
    }
  }

  private Writes writes(List<Vehicle.Spec> batch) {
    Writes all = new Writes(new ArrayList<>(batch.size() * 4), new ArrayList<>(batch.size()));
    batch.parallelStream().map(this::vehicleWrites).forEachOrdered(all::add);
    return all;
  }

  /** What provisioning {@code spec} one entity at a time persists, entity by entity. */
  private Writes vehicleWrites(Vehicle.Spec spec) {
    String vin = spec.vin();
    List<AtomicWrite> writes = new ArrayList<>();
    List<Director.EcuInfo> infos = new ArrayList<>();
    for (Vehicle.EcuSpec e : spec.ecus()) {
      String ecuId = Ecu.entityId(vin, e.ecuId());
      Ecu.Provisioned p =
          Ecu.provisioned(
              scenarioSeed,
              ecuId,
              VehicleProvisioning.ecuProfile(
                  e, spec.region(), directorTargetsKeys, directorThreshold));
      writes.add(write(PersistenceId.of(Ecu.TYPE_KEY.name(), ecuId), List.of(p), Set.of()));
      String publicKey = SigningKey.fromHex(p.keySeedHex()).publicKey().hex();
      infos.add(VehicleProvisioning.ecuInfo(e, publicKey));
    }
    String primarySeed = VehicleProvisioning.primaryKeySeedHex(scenarioSeed, vin);
    Director.Registered registered =
        Director.registered(
            vin, VehicleProvisioning.registration(spec, primarySeed, infos, null), at);
    AtomicWrite director =
        write(
            PersistenceId.of(Director.TYPE_KEY.name(), vin),
            List.of(registered),
            Set.of(Director.TAG));
    writes.add(
        write(
            PersistenceId.of(Vehicle.TYPE_KEY.name(), vin),
            List.of(
                new Vehicle.ProvisionRequested(spec, primarySeed),
                new VehicleProvisioning.Roots(directorRoot, imageRoot).activated(at)),
            Set.of()));
    return new Writes(writes, List.of(director));
  }

  private AtomicWrite write(PersistenceId id, List<?> events, Set<String> tags) {
    List<PersistentRepr> reprs = new ArrayList<>(events.size());
    long now = System.currentTimeMillis();
    for (int i = 0; i < events.size(); i++) {
      Object payload =
          tags.isEmpty()
              ? events.get(i)
              : new Tagged(events.get(i), CollectionConverters.asScala(tags).toSet());
      reprs.add(
          PersistentRepr.apply(
                  payload,
                  i + 1,
                  id.id(),
                  PersistentRepr.Undefined(),
                  false,
                  org.apache.pekko.actor.ActorRef.noSender(),
                  writer)
              .withTimestamp(now));
    }
    return AtomicWrite.apply(CollectionConverters.asScala(reprs).toList());
  }

  /** One journal write of {@code writes}; fails with the journal's reason. */
  private CompletionStage<Done> write(List<AtomicWrite> writes) {
    CompletableFuture<Done> result = new CompletableFuture<>();
    ActorRef<Object> replies =
        system.systemActorOf(
            replies(writes.size(), result),
            "bulk-provisioning-" + WRITE_NUMBERS.incrementAndGet(),
            org.apache.pekko.actor.typed.Props.empty());
    List<PersistentEnvelope> envelopes = new ArrayList<>(writes);
    journal.tell(
        new JournalProtocol.WriteMessages(
            CollectionConverters.asScala(envelopes).toList(), Adapter.toClassic(replies), 1),
        org.apache.pekko.actor.ActorRef.noSender());
    return result;
  }

  /**
   * Takes the journal's answers to one write: its verdict on the whole, then one per entity; a
   * rejected entity fails the write.
   */
  private static Behavior<Object> replies(int entities, CompletableFuture<Done> result) {
    int[] pending = {entities + 1};
    return Behaviors.receive(Object.class)
        .onAnyMessage(
            m -> {
              if (m instanceof JournalProtocol.WriteMessagesFailed f) {
                result.completeExceptionally(
                    new IllegalStateException(
                        "the journal refused the bulk write (are these vehicles new?): "
                            + f.cause().getMessage(),
                        f.cause()));
              } else if (m instanceof JournalProtocol.WriteMessageRejected r) {
                result.completeExceptionally(
                    new IllegalStateException(
                        "the journal rejected "
                            + r.message().persistenceId()
                            + ": "
                            + r.cause().getMessage(),
                        r.cause()));
              }
              if (--pending[0] > 0 && !result.isDone()) {
                return Behaviors.same();
              }
              result.complete(Done.getInstance());
              return Behaviors.stopped();
            })
        .build();
  }

  /** The vehicle's first poll, as {@link Polling#schedule} arms it when the vehicle activates. */
  private void armFirstPoll(Vehicle.Spec spec) {
    String vin = spec.vin();
    long pollSeed = Polling.seed(scenarioSeed, vin);
    SimClock clock = SimClock.get(system);
    SimTimers.startForEntity(
        system,
        Vehicle.TYPE_KEY,
        vin,
        Vehicle.Poll.class,
        new Vehicle.Poll(),
        settings.untilNextPoll(pollSeed, clock.nowMillis()),
        ForeseenPoll.of(
            vin, CheckHorizon.get(system), clock, settings, pollSeed, null, null, null, null));
  }
}
