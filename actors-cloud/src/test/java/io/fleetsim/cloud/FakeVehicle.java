package io.fleetsim.cloud;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.manifest.InstallResult;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.manifest.UpdateReport;
import io.fleetsim.uptane.manifest.VehicleVersionManifest;
import io.fleetsim.uptane.metadata.TargetFile;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * A vehicle faked at the Director's boundary: real Ed25519 keys for its primary and its engine ECU,
 * and real signed version manifests, without any vehicle code.
 */
final class FakeVehicle {
  /** When the fake signs its reports: fixed, since the Director checks only their counter. */
  static final Instant SIGNED_AT = Instant.parse("2030-01-01T00:00:00Z");

  final String vin;
  final String region;
  final String primarySerial;
  final String engineSerial;
  final SigningKey primaryKey;
  final SigningKey engineKey;
  final String hardwareId;
  private long counter;
  private TargetFile installed;

  FakeVehicle(String vin, String region, String hardwareId, String installedVersion) {
    this.vin = vin;
    this.region = region;
    this.hardwareId = hardwareId;
    this.primarySerial = vin + "-tcu";
    this.engineSerial = vin + "-engine";
    this.primaryKey = SigningKey.generate(Seeds.random(7, "primary/" + vin));
    this.engineKey = SigningKey.generate(Seeds.random(7, "engine/" + vin));
    this.installed = initialTarget("engine", installedVersion);
    this.installedVersion = installedVersion;
  }

  private String installedVersion;

  static TargetFile initialTarget(String ecuType, String version) {
    byte[] name = (ecuType + "/" + version).getBytes(StandardCharsets.UTF_8);
    return new TargetFile(
        FirmwareImage.targetName(ecuType, version),
        name.length,
        Map.of("sha256", Hashing.sha256Hex(name)),
        null);
  }

  Director.Register register(ActorRef<StatusReply<Done>> replyTo) {
    return new Director.Register(
        region,
        "blue",
        Set.of("fleet-a"),
        primarySerial,
        primaryKey.publicKey().hex(),
        List.of(
            new Director.EcuInfo(
                primarySerial, "tcu", "tcu", "hw-tcu", primaryKey.publicKey().hex(), "5.0", 0),
            new Director.EcuInfo(
                engineSerial,
                "engine",
                "engine",
                hardwareId,
                engineKey.publicKey().hex(),
                installedVersion,
                0)),
        replyTo);
  }

  /** The vehicle installed {@code image} for {@code assignmentId} on its engine ECU. */
  byte[] installed(FirmwareImage image, String assignmentId) {
    installed =
        new TargetFile(
            image.targetName(),
            image.length(),
            Map.of("sha256", image.sha256()),
            Json.obj("release_counter", Json.num(image.releaseCounter())));
    return manifest(
        withResult(installed, new InstallResult(assignmentId, UpdateOutcome.SUCCEEDED, "")), "");
  }

  /** The engine ECU's install for {@code assignmentId} ended so; it still runs what it ran. */
  byte[] ended(String assignmentId, UpdateOutcome outcome) {
    return manifest(
        withResult(installed, new InstallResult(assignmentId, outcome, "flash write error")), "");
  }

  /** The ECUs report nothing new; the vehicle itself reports how the assignment ended. */
  byte[] vehicleReports(UpdateReport report) {
    counter++;
    byte[] engine =
        EcuVersionReport.sign(engineKey, engineSerial, installed, counter, SIGNED_AT, "");
    return VehicleVersionManifest.sign(
        primaryKey, vin, primarySerial, List.of(engine), List.of(report), counter, SIGNED_AT);
  }

  static TargetFile withResult(TargetFile t, InstallResult r) {
    Map<String, Json> custom = new LinkedHashMap<>();
    if (t.custom() instanceof Json.Obj o) {
      custom.putAll(o.fields());
    }
    r.addTo(custom);
    return t.withCustom(new Json.Obj(custom));
  }

  /** Signed by a key the Director does not know for this primary. */
  byte[] forged() {
    SigningKey attacker = SigningKey.generate(Seeds.random(99, "attacker"));
    counter++;
    byte[] report =
        EcuVersionReport.sign(engineKey, engineSerial, installed, counter, SIGNED_AT, "");
    return VehicleVersionManifest.sign(
        attacker, vin, primarySerial, List.of(report), counter, SIGNED_AT);
  }

  byte[] manifest(TargetFile engineReport, String attacks) {
    counter++;
    byte[] engine =
        EcuVersionReport.sign(engineKey, engineSerial, engineReport, counter, SIGNED_AT, attacks);
    return VehicleVersionManifest.sign(
        primaryKey, vin, primarySerial, List.of(engine), counter, SIGNED_AT);
  }
}
