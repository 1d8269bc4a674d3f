package io.fleetsim.vehicle;

import io.fleetsim.cluster.Asks;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import io.fleetsim.ecu.CanBus;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;

/**
 * The work a vehicle sends out, each result coming back to it as a command: the metadata check
 * ({@link MetadataCheck}), the image download ({@link ImageDownload}) and the signed manifest
 * ({@link VehicleManifest}) cross its network link ({@link OverTheLink}); the transfers of the
 * images go to the ECUs over the {@link CanBus}; provisioning ({@link VehicleProvisioning}) and the
 * manifest's delivery go to the cloud directly. What the vehicle makes of each result is decided by
 * the entity.
 */
final class Outbound {

  private final String vin;
  private final Vehicle.Deps deps;
  private final ActorContext<Vehicle.Command> ctx;
  private final SimTimers<Vehicle.Command> timers;
  private final SimClock clock;
  private final VehicleSettings settings;
  private final Asks asks;
  private final MetadataCheck metadataCheck;
  private final ImageDownload imageDownload;
  private final ActorRef<CanBus.TransferResult> transferAdapter;
  private final ActorRef<CanBus.TransferProgress> progressAdapter;
  private final FaultedLink faulted;
  private OverTheLink link;

  Outbound(
      String vin,
      Vehicle.Deps deps,
      ActorContext<Vehicle.Command> ctx,
      SimTimers<Vehicle.Command> timers,
      SimClock clock,
      VehicleSettings settings) {
    this.vin = vin;
    this.deps = deps;
    this.ctx = ctx;
    this.timers = timers;
    this.clock = clock;
    this.settings = settings;
    this.asks = new Asks(ctx.getSystem(), settings.askTimeout(), ctx.getExecutionContext());
    this.metadataCheck =
        MetadataCheck.over(asks, deps.director().apply(vin), deps.imageRepository());
    this.imageDownload =
        new ImageDownload(
            ImageDownload.from(asks, deps.imageRepository()),
            deps.blobs(),
            RebuiltImages.get(ctx.getSystem()));
    this.transferAdapter =
        ctx.messageAdapter(CanBus.TransferResult.class, Vehicle.Transferred::new);
    this.progressAdapter =
        ctx.messageAdapter(CanBus.TransferProgress.class, Vehicle.TransferProgressed::new);
    this.faulted = new FaultedLink(ctx.getSystem(), vin, clock);
  }

  /** Provisions the ECUs and fetches the roots; {@link Vehicle.Provisioned} tells how it went. */
  void provision(Vehicle.Spec spec, String seed, ActorRef<StatusReply<Done>> replyTo) {
    ctx.pipeToSelf(
        Asks.on(VehicleProvisioning.run(spec, seed, deps, asks), ctx.getExecutionContext()),
        (roots, err) ->
            new Vehicle.Provisioned(roots, err == null ? null : Asks.rootCause(err), replyTo));
  }

  /**
   * Checks both repositories for updates to what {@code s} has installed, through the faults acting
   * on its link now. The answer carries the number of the check ({@link Polling#startCheck}), so
   * that a copy of an earlier check's answer is not taken for this one's.
   */
  void check(Vehicle.State s, long check) {
    link(s)
        .send(
            faulted
                .check(metadataCheck, faulted.acting(s))
                .run(s.trust(), MetadataCheck.Ecus.of(s.spec(), s.installed()), clock.now()),
            UptaneCheck.Result::networkBytes,
            r -> new Vehicle.CheckArrived(check, r),
            Vehicle.CheckFailed::new);
  }

  /**
   * Fetches the images of the update {@code s} is downloading, through the faults on its link. The
   * answer names the update, so that a copy of it arriving later is not taken for another's.
   */
  void download(Vehicle.State s) {
    String updateId = s.update().updateId();
    link(s)
        .send(
            faulted
                .download(imageDownload, faulted.acting(s), s.update().plan().installs())
                .fetch(s.update().plan().installs(), s.installed()),
            ImageDownload.Result::networkBytes,
            r -> new Vehicle.DownloadArrived(updateId, r),
            Vehicle.DownloadFailed::new);
  }

  /** Keeps verified images where the ECUs' transfers read them. */
  void store(Map<String, byte[]> images) {
    imageDownload.store(images);
  }

  /** Starts the transfer of every install without a result; the bus ignores one it runs already. */
  void distribute(Vehicle.State s) {
    RecipientRef<CanBus.Command> bus = deps.bus().apply(vin);
    EcuTransfers.toStart(s, transferAdapter, progressAdapter).forEach(bus::tell);
  }

  /** Signs the manifest of the update {@code s} reports, with its current counter. */
  void signManifest(Vehicle.State s) {
    long counter = s.manifestCounter();
    link(s)
        .send(
            VehicleManifest.of(
                s, clock.now(), deps.ecu(), asks, faulted.reports(faulted.onTheBus(s))),
            manifest -> manifest.length,
            manifest -> new Vehicle.SendManifest(counter, manifest),
            reason -> new Vehicle.ReportNotSent(counter, reason));
  }

  /** Delivers a signed manifest to the Director; {@link Vehicle.ReportAcked} is its answer. */
  void deliver(Vehicle.SendManifest c) {
    ctx.pipeToSelf(
        Asks.on(
            VehicleManifest.send(c.manifest(), deps.director().apply(vin), asks),
            ctx.getExecutionContext()),
        (r, err) -> new Vehicle.ReportAcked(c.counter(), err == null ? null : Asks.rootCause(err)));
  }

  /**
   * A manifest the link held back arrives, in whatever phase: the Director gets it, since it was on
   * its way. The current one is then sent as any other. An older one is refused by the Director's
   * counter check (REPLAY) when it accepted a newer one, a refusal the network explains (the ledger
   * counts it as no false alarm); its answer, naming an older counter, changes nothing (the
   * vehicle's ReportAcked). Accepted first, the newer one still closes the update.
   */
  void deliverHeld(Vehicle.State s, Vehicle.SendManifest m) {
    if (m.counter() != s.manifestCounter() || !s.in(Vehicle.Phase.REPORTING)) {
      ctx.getLog()
          .info(
              "vehicle {}: manifest {} arrived late, after manifest {} was signed",
              vin,
              m.counter(),
              s.manifestCounter());
      if (m.counter() < s.manifestCounter()) {
        faulted.explained(io.fleetsim.uptane.Attack.REPLAY.name());
      }
    }
    deliver(m);
  }

  /** On the actor: the link carries the finished work's bytes ({@link OverTheLink#carry}). */
  void carry(Vehicle.State s, Vehicle.Carried c) {
    link(s).carry(c, faulted, faulted.acting(s));
  }

  /**
   * The link draws from a seed of its own ({@link NetworkLink#seeded}): its figures depend only on
   * when each exchange starts, never on poll or key draws, nor on whether the vehicle was
   * passivated in between.
   */
  private OverTheLink link(Vehicle.State s) {
    if (link == null) {
      link = new OverTheLink(ctx, timers, clock, linkModel(s));
    }
    return link;
  }

  /** A model of the vehicle's link, drawing as every other one of it does. */
  NetworkLink linkModel(Vehicle.State s) {
    NetworkProfile profile = settings.profiles().get(s.spec().networkProfile());
    long seed = Seeds.entitySeed(Seeds.scenarioSeed(ctx.getSystem()), "vehicle-link:" + vin);
    return NetworkLink.seeded(profile, seed);
  }
}
