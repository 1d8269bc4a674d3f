package io.fleetsim.ecu;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.SecondaryVerifier;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.TargetFile;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The Ecu's only contact with the uptane library, kept in one place. */
final class EcuCrypto {

  private EcuCrypto() {}

  /** What partial verification of the director's targets metadata vouches for. */
  record DirectedImage(String targetName, String sha256, long length, long releaseCounter) {}

  static String newKeySeedHex(Random rng) {
    return Hex.encode(SigningKey.generate(rng).seed());
  }

  static String publicKeyHex(String seedHex) {
    return SigningKey.fromHex(seedHex).publicKey().hex();
  }

  /**
   * Uptane partial verification: the director's targets role signed this with the keys the ECU was
   * provisioned with, it is not expired, and it names this ECU serial, this hardware id and a
   * release counter not below the installed one.
   */
  static DirectedImage verifyDirectorTargets(
      byte[] directorTargets,
      List<String> directorKeysHex,
      int threshold,
      String ecuSerial,
      String hardwareId,
      long installedReleaseCounter,
      Instant now)
      throws VerificationException {
    List<PublicKey> keys = directorKeysHex.stream().map(PublicKey::fromHex).toList();
    VerifiedTarget verified =
        SecondaryVerifier.verify(
            directorTargets, keys, threshold, ecuSerial, hardwareId, installedReleaseCounter, now);
    TargetFile target = verified.target();
    return new DirectedImage(
        target.name(), target.sha256(), target.length(), verified.releaseCounter());
  }

  /** The ECU version report over the installed image, signed with the ECU's own key. */
  static byte[] signVersionReport(
      String seedHex,
      String ecuSerial,
      String hardwareId,
      Bank installed,
      Ecu.LastInstall last,
      long nonce,
      Instant now,
      String attackDetected) {
    // What the director needs besides the running image: how the last install ended, when it
    // did not end with that image running (Uptane leaves this field to the implementation).
    Map<String, Json> custom =
        new LinkedHashMap<>(
            new EcuTargetCustom(ecuSerial, hardwareId, installed.releaseCounter())
                .toJson()
                .fields());
    if (last != null && last.outcome() != UpdateOutcome.SUCCEEDED) {
      custom.put("install_result", Json.str(last.outcome().name()));
      if (last.reason() != null) {
        custom.put("install_detail", Json.str(last.reason()));
      }
    }
    TargetFile target =
        new TargetFile(
            installed.version(),
            installed.length(),
            Map.of("sha256", installed.sha256()),
            new Json.Obj(custom));
    return EcuVersionReport.sign(
        SigningKey.fromHex(seedHex), ecuSerial, target, nonce, now, attackDetected);
  }
}
