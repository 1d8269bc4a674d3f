package io.fleetsim.cloud;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.manifest.VehicleVersionManifest;
import io.fleetsim.uptane.metadata.TargetFile;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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

  /** The vehicle installed {@code image} on its engine ECU and says so. */
  byte[] installed(FirmwareImage image) {
    installed =
        new TargetFile(
            image.targetName(),
            image.length(),
            Map.of("sha256", image.sha256()),
            Json.obj("release_counter", Json.num(image.releaseCounter())));
    return manifest(installed, "");
  }

  /** The install of the assigned image failed; the ECU still runs what it ran. */
  byte[] failed(String result) {
    TargetFile report =
        installed.withCustom(
            Json.obj(
                "install_result",
                Json.str(result),
                "install_detail",
                Json.str("flash write error")));
    return manifest(report, "");
  }

  /** Signed by a key the Director does not know for this primary. */
  byte[] forged() {
    SigningKey attacker = SigningKey.generate(Seeds.random(99, "attacker"));
    counter++;
    byte[] report =
        EcuVersionReport.sign(engineKey, engineSerial, installed, counter, Instant.now(), "");
    return VehicleVersionManifest.sign(
        attacker, vin, primarySerial, List.of(report), counter, Instant.now());
  }

  byte[] manifest(TargetFile engineReport, String attacks) {
    counter++;
    byte[] engine =
        EcuVersionReport.sign(
            engineKey, engineSerial, engineReport, counter, Instant.now(), attacks);
    return VehicleVersionManifest.sign(
        primaryKey, vin, primarySerial, List.of(engine), counter, Instant.now());
  }
}
