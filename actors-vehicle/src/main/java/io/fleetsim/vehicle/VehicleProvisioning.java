package io.fleetsim.vehicle;

import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.DirectorKeys;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cluster.Asks;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.ecu.Ecu;
import io.fleetsim.ecu.EcuProfile;
import io.fleetsim.uptane.client.TrustedState;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.metadata.ImageName;
import io.fleetsim.uptane.metadata.Role;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * Provisioning a vehicle: the spec is checked field by field, each ECU is provisioned and reports
 * its public key, the inventory is registered with the Director, and the first root of both
 * repositories is fetched (the roots the vehicle then trusts). Every step is idempotent, so a
 * provisioning that failed half way is simply run again.
 */
final class VehicleProvisioning {

  /** What provisioning learned from the two repositories. */
  record Roots(byte[] directorRoot, byte[] imageRoot) {

    /** The vehicle is active, trusting these first roots of both repositories. */
    Vehicle.Activated activated(Instant at) {
      return new Vehicle.Activated(
          TrustedState.ofRoot(directorRoot), TrustedState.ofRoot(imageRoot), at);
    }
  }

  private VehicleProvisioning() {}

  /**
   * The seed of the vehicle's primary key, drawn from (scenario seed, VIN): the same scenario
   * builds the same keys, provisioned one by one or in bulk.
   */
  static String primaryKeySeedHex(long scenarioSeed, String vin) {
    return Hex.encode(SigningKey.generate(Seeds.random(scenarioSeed, "vehicle:" + vin)).seed());
  }

  /**
   * The profile an ECU of the spec is provisioned with, in its vehicle's {@code region}, trusting
   * the director's targets keys of which {@code threshold} must sign.
   */
  static EcuProfile ecuProfile(
      Vehicle.EcuSpec e, String region, List<String> directorTargetsKeys, int threshold) {
    return new EcuProfile(
        e.type(),
        e.hardwareId(),
        e.serial(),
        e.transport(),
        e.flashBytesPerSecond(),
        directorTargetsKeys,
        threshold,
        e.installed(),
        region);
  }

  /** The director's targets keys in hex, as ECUs are provisioned with them. */
  static List<String> targetsKeys(DirectorKeys keys) {
    return keys.targetsKeys().stream().map(k -> k.hex()).toList();
  }

  /** What the Director registers of an ECU of the spec, with the key it reported. */
  static Director.EcuInfo ecuInfo(Vehicle.EcuSpec e, String publicKeyHex) {
    return new Director.EcuInfo(
        e.serial(),
        e.ecuId(),
        e.type().name(),
        e.hardwareId(),
        publicKeyHex,
        ImageName.versionOf(e.installed().version()),
        e.installed().releaseCounter());
  }

  /** The vehicle's registration with the Director. */
  static Director.Register registration(
      Vehicle.Spec spec,
      String primarySeedHex,
      List<Director.EcuInfo> ecus,
      ActorRef<StatusReply<Done>> replyTo) {
    return new Director.Register(
        spec.region(),
        spec.environment(),
        spec.tags(),
        spec.primarySerial(),
        SigningKey.fromHex(primarySeedHex).publicKey().hex(),
        ecus,
        replyTo);
  }

  /** What is wrong with {@code spec} for entity {@code vin}, naming the field; null if nothing. */
  static String problem(String vin, Vehicle.Spec spec, Set<String> networkProfiles) {
    if (spec == null) {
      return "spec: required";
    }
    if (!vin.equals(spec.vin())) {
      return "spec.vin: " + spec.vin() + " does not match entity " + vin;
    }
    if (spec.ecus().isEmpty()) {
      return "spec.ecus: a vehicle needs at least one ECU";
    }
    if (!networkProfiles.contains(spec.networkProfile())) {
      return "spec.networkProfile: unknown profile '"
          + spec.networkProfile()
          + "', known: "
          + networkProfiles;
    }
    if (spec.ecus().stream().map(Vehicle.EcuSpec::ecuId).distinct().count() != spec.ecus().size()) {
      return "spec.ecus: ECU ids must be unique";
    }
    if (spec.ecus().stream().map(Vehicle.EcuSpec::serial).distinct().count()
        != spec.ecus().size()) {
      return "spec.ecus: ECU serials must be unique";
    }
    return null;
  }

  /** Provisions the ECUs, registers the inventory with the Director, fetches the two roots. */
  static CompletionStage<Roots> run(
      Vehicle.Spec spec, String primarySeedHex, Vehicle.Deps deps, Asks asks) {
    String vin = spec.vin();
    List<String> targetsKeys = targetsKeys(deps.directorKeys());
    int threshold = deps.directorKeys().threshold(Role.TARGETS);
    List<CompletionStage<Director.EcuInfo>> ecus = new ArrayList<>();
    for (Vehicle.EcuSpec e : spec.ecus()) {
      RecipientRef<Ecu.Command> ecu = deps.ecu().apply(Ecu.entityId(vin, e.ecuId()));
      EcuProfile profile = ecuProfile(e, spec.region(), targetsKeys, threshold);
      ecus.add(
          asks.askWithStatus(ecu, (ActorRef<StatusReply<Done>> r) -> new Ecu.Provision(profile, r))
              .thenCompose(done -> asks.ask(ecu, Ecu.GetStatus::new))
              .thenApply(st -> ecuInfo(e, st.publicKeyHex())));
    }
    RecipientRef<Director.Command> director = deps.director().apply(vin);
    return Asks.allOf(ecus)
        .thenCompose(
            infos ->
                asks.askWithStatus(
                    director,
                    (ActorRef<StatusReply<Done>> r) ->
                        registration(spec, primarySeedHex, infos, r)))
        .thenCompose(
            done ->
                asks.askWithStatus(
                    director,
                    (ActorRef<StatusReply<byte[]>> r) ->
                        new Director.GetMetadata("1.root.json", r)))
        .thenCombine(
            asks.askWithStatus(
                deps.imageRepository(),
                (ActorRef<StatusReply<byte[]>> r) ->
                    new ImageRepository.GetMetadata("1.root.json", r)),
            Roots::new);
  }
}
