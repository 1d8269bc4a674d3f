package io.fleetsim.ecu;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.SecondaryVerifier;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.TargetFile;
import java.time.Instant;
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
      long nonce,
      Instant now,
      String attackDetected) {
    TargetFile target =
        new TargetFile(
                installed.version(), installed.length(), Map.of("sha256", installed.sha256()), null)
            .forEcu(new EcuTargetCustom(ecuSerial, hardwareId, installed.releaseCounter()));
    return EcuVersionReport.sign(
        SigningKey.fromHex(seedHex), ecuSerial, target, nonce, now, attackDetected);
  }
}
