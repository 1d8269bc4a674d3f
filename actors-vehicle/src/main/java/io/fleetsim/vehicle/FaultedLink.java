package io.fleetsim.vehicle;

import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.faults.FaultLedger;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.LinkFaults;
import io.fleetsim.faults.LinkTampering;
import io.fleetsim.faults.Point;
import io.fleetsim.faults.Subject;
import io.fleetsim.uptane.metadata.ImageName;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The faults module's interception point on one vehicle's link to the cloud, and on the ECU reports
 * its primary collects over the bus: the rules acting on the vehicle when an exchange starts decide
 * what the attacker does to the bytes the repositories serve ({@link LinkTampering}) and what the
 * network does to the exchange ({@link LinkFaults}). Every rule that changed something is counted
 * as injected in the node's {@link FaultLedger}.
 *
 * <p>The rules are read once per exchange, at its start, on the actor: every fetch of one check or
 * download sees the same rules, whatever happens to them while the fetches are answered.
 */
final class FaultedLink {

  private final String vin;
  private final SimClock clock;
  private final Faults faults;
  private final LinkTampering tampering;
  private final FaultLedger ledger;

  FaultedLink(ActorSystem<?> system, String vin, SimClock clock) {
    this.vin = vin;
    this.clock = clock;
    this.faults = Faults.get(system);
    this.tampering = faults.linkTampering();
    this.ledger = faults.ledger();
  }

  /** The vehicle as a fault's selector sees it now. */
  Subject subject(Vehicle.State s) {
    return Subject.vehicle(vin, s.spec().region(), campaignOf(s.update()));
  }

  static String campaignOf(VehicleState.Update u) {
    if (u == null) {
      return null;
    }
    if (u.refusal() != null) {
      return u.refusal().campaignId();
    }
    List<VehicleState.PlannedInstall> installs = u.plan().installs();
    return installs.isEmpty() ? null : installs.get(0).campaignId();
  }

  /** The rules acting on this vehicle's link at this instant; usually none. */
  List<FaultRule> acting(Vehicle.State s) {
    if (!faults.actsAt(Point.LINK)) {
      return List.of();
    }
    return faults.acting(Point.LINK, subject(s), clock.now().toEpochMilli());
  }

  /** The rules acting on this vehicle's bus at this instant; usually none. */
  List<FaultRule> onTheBus(Vehicle.State s) {
    if (!faults.actsAt(Point.BUS)) {
      return List.of();
    }
    return faults.acting(Point.BUS, Subject.vehicle(vin, null, null), clock.now().toEpochMilli());
  }

  /**
   * The ECUs' signed version reports as they reach the primary over the bus under the rules {@code
   * acting} there: a replaying device may hand over an ECU's earlier report ({@link
   * io.fleetsim.faults.ReportReplay}).
   */
  java.util.function.BiFunction<List<String>, List<byte[]>, List<byte[]>> reports(
      List<FaultRule> acting) {
    if (acting.isEmpty()) {
      return (serials, reports) -> reports;
    }
    io.fleetsim.faults.ReportReplay replay = faults.reportReplay();
    return (serials, reports) -> {
      io.fleetsim.faults.ReportReplay.Outcome o = replay.apply(acting, vin, serials, reports);
      o.applied().forEach(r -> ledger.injected(r, vin));
      return o.reports();
    };
  }

  /** A check whose fetched files pass through the attacker of {@code acting}. */
  MetadataCheck check(MetadataCheck plain, List<FaultRule> acting) {
    if (acting.isEmpty()) {
      return plain;
    }
    long start = clock.nowMillis();
    return plain.through(
        (repo, fileName, bytes) -> {
          try {
            return counted(tampering.metadata(acting, vin, repo, fileName, bytes, start)).bytes();
          } catch (LinkTampering.Dropped d) {
            throw dropped(d);
          }
        });
  }

  /**
   * A download of {@code installs} whose requests and images pass through the attacker of {@code
   * acting}. The images a partial bundle blocks fail at every request for them, their description
   * as well as their bytes (the download then fetches them whole, and that fails too); the others
   * come through.
   */
  ImageDownload download(
      ImageDownload plain, List<FaultRule> acting, List<VehicleState.PlannedInstall> installs) {
    if (acting.isEmpty()) {
      return plain;
    }
    ImageDownload.Source real = plain.source();
    boolean noDeltas = LinkTampering.blocksDeltas(acting);
    long start = clock.nowMillis();
    Map<String, FaultRule> blocked =
        LinkTampering.blocked(
            acting, installs.stream().map(VehicleState.PlannedInstall::sha256).distinct().toList());
    Map<ImageName, String> shaOf = new HashMap<>();
    for (VehicleState.PlannedInstall i : installs) {
      ImageName.parse(i.targetName()).ifPresent(n -> shaOf.put(n, i.sha256()));
    }
    return plain.withSource(
        new ImageDownload.Source() {
          @Override
          public CompletionStage<FirmwareImage> image(ImageName name) {
            try {
              LinkTampering.request(acting);
              block(blocked.get(shaOf.get(name)));
            } catch (LinkTampering.Dropped d) {
              return CompletableFuture.failedFuture(dropped(d));
            }
            return noDeltas
                ? CompletableFuture.failedFuture(
                    new IllegalStateException("description of " + name + " withheld"))
                : real.image(name);
          }

          @Override
          public CompletionStage<byte[]> blob(String sha256) {
            try {
              LinkTampering.request(acting);
              block(blocked.get(sha256));
            } catch (LinkTampering.Dropped d) {
              return CompletableFuture.failedFuture(dropped(d));
            }
            return real.blob(sha256)
                .thenApply(b -> counted(tampering.image(acting, vin, sha256, b, start)).bytes());
          }
        });
  }

  /** The network's faults on an exchange the link itself would carry in {@code duration}. */
  LinkFaults.Shaped shape(
      List<FaultRule> acting,
      int rank,
      long bytes,
      boolean imageDownload,
      Duration duration,
      boolean delivered) {
    LinkFaults.Shaped shaped =
        LinkFaults.shape(
            acting,
            faults.scenarioSeed(),
            vin,
            clock.now().toEpochMilli(),
            rank,
            bytes,
            imageDownload,
            duration,
            delivered);
    shaped.applied().forEach(r -> ledger.injected(r, vin));
    return shaped;
  }

  /** A refusal by {@code check} to come that the network, not an attacker, explains. */
  void explained(String check) {
    ledger.explained(vin, check);
  }

  /** The request fails when {@code rule} (a partial bundle) blocks what it asks for. */
  private static void block(FaultRule rule) {
    if (rule != null) {
      throw new LinkTampering.Dropped(rule);
    }
  }

  private LinkTampering.Dropped dropped(LinkTampering.Dropped d) {
    ledger.injected(d.rule(), vin);
    return d;
  }

  private LinkTampering.Outcome counted(LinkTampering.Outcome o) {
    o.applied().forEach(r -> ledger.injected(r, vin));
    return o;
  }
}
