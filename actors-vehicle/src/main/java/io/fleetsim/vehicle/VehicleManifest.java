package io.fleetsim.vehicle;

import io.fleetsim.cloud.Director;
import io.fleetsim.cluster.Asks;
import io.fleetsim.ecu.Ecu;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.manifest.UpdateReport;
import io.fleetsim.uptane.manifest.VehicleVersionManifest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The vehicle version manifest of one report: every ECU signs its version report with the manifest
 * counter as nonce (so the Director can tell it was made for this manifest), and the primary signs
 * the manifest over them, with the vehicle's own {@link UpdateReport}s. The ECUs keep their keys;
 * the primary only collects what they signed.
 */
final class VehicleManifest {

  private VehicleManifest() {}

  /**
   * The manifest of the update {@code s} reports, with its {@link UpdateReports}; the ECUs' signed
   * reports reach the primary through {@code bus} (in the order of the vehicle's ECUs, as their
   * serials), where a fault may replace one ({@link FaultedLink#reports}).
   */
  static CompletionStage<byte[]> of(
      Vehicle.State s,
      Instant now,
      Function<String, RecipientRef<Ecu.Command>> ecus,
      Asks asks,
      BiFunction<List<String>, List<byte[]>, List<byte[]>> bus) {
    return sign(s, UpdateReports.of(s.update()), now, ecus, asks, bus);
  }

  /** Sends a signed manifest to the vehicle's Director, which verifies it before it answers. */
  static CompletionStage<Director.ManifestResult> send(
      byte[] manifest, RecipientRef<Director.Command> director, Asks asks) {
    return asks.askWithStatus(
        director,
        (ActorRef<StatusReply<Director.ManifestResult>> r) ->
            new Director.ReportManifest(manifest, r));
  }

  static CompletionStage<byte[]> sign(
      Vehicle.State s,
      List<UpdateReport> updateReports,
      Instant now,
      Function<String, RecipientRef<Ecu.Command>> ecus,
      Asks asks,
      BiFunction<List<String>, List<byte[]>, List<byte[]>> bus) {
    String vin = s.spec().vin();
    List<String> serials = s.spec().ecus().stream().map(Vehicle.EcuSpec::serial).toList();
    long counter = s.manifestCounter();
    List<CompletionStage<byte[]>> reports = new ArrayList<>();
    for (Vehicle.EcuSpec e : s.spec().ecus()) {
      reports.add(
          asks.askWithStatus(
                  ecus.apply(Ecu.entityId(vin, e.ecuId())),
                  (ActorRef<StatusReply<Ecu.SignedVersionReport>> r) ->
                      new Ecu.SignVersionReport(counter, r))
              .thenApply(Ecu.SignedVersionReport::bytes));
    }
    SigningKey primary = SigningKey.fromHex(s.primaryKeySeedHex());
    String serial = s.spec().primarySerial();
    return Asks.allOf(reports)
        .thenApply(
            signed ->
                VehicleVersionManifest.sign(
                    primary, vin, serial, bus.apply(serials, signed), updateReports, counter, now));
  }
}
