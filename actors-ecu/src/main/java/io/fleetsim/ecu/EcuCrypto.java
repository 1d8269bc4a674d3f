package io.fleetsim.ecu;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.SecondaryVerifier;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.metadata.DirectorTargetCustom;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.TargetFile;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Ecu's only contact with the uptane library, kept in one place: its key, partial verification
 * of the director's targets, and the signed version report.
 */
final class EcuCrypto {

  private EcuCrypto() {}

  /**
   * What partial verification of the director's targets metadata vouches for: the image the ECU may
   * write, and the assignment and campaign it belongs to.
   */
  record DirectedImage(
      String targetName,
      String sha256,
      long length,
      long releaseCounter,
      String assignmentId,
      String campaignId) {

    /** The bank as it will be once these bytes are written. */
    Bank bank() {
      return new Bank(targetName, sha256, length, releaseCounter, true);
    }
  }

  /**
   * The ECU's Ed25519 key seed, drawn from (scenario seed, entity id): the same scenario builds the
   * same keys, and no two ECUs share one.
   */
  static String keySeedHex(long scenarioSeed, String entityId) {
    return Hex.encode(SigningKey.generate(Seeds.random(scenarioSeed, "key:" + entityId)).seed());
  }

  static String publicKeyHex(String seedHex) {
    return SigningKey.fromHex(seedHex).publicKey().hex();
  }

  /**
   * Uptane partial verification: the director's targets role signed this with the keys the ECU was
   * provisioned with, it is not expired, and it names this ECU serial, this hardware id and a
   * release counter not below the installed one. Beyond Uptane, the target must carry the
   * assignment id the Director signs into every target, or the install could not be reported
   * against the assignment it closes.
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
    DirectorTargetCustom custom;
    try {
      custom = DirectorTargetCustom.of(target);
    } catch (VerificationException e) {
      throw new VerificationException(
          e.attack(), "director target carries no assignment id (" + e.detail() + ")", e);
    }
    return new DirectedImage(
        target.name(),
        target.sha256(),
        target.length(),
        verified.releaseCounter(),
        custom.assignmentId(),
        custom.campaignId());
  }

  /**
   * The ECU version report over the running image, signed with the ECU's own key. Its installed
   * image's custom carries the last install's {@link io.fleetsim.uptane.manifest.InstallResult}
   * (assignment, outcome, detail) whenever there was one, success included, so the Director closes
   * exactly the assignment the install was for. Uptane's {@code attacks_detected} is the reason of
   * the last install if the ECU rejected it, empty otherwise.
   */
  static byte[] signVersionReport(
      String seedHex,
      EcuProfile profile,
      Bank running,
      EcuState.LastInstall last,
      long nonce,
      Instant now) {
    return EcuVersionReport.sign(
        SigningKey.fromHex(seedHex),
        profile.ecuSerial(),
        installedImage(profile, running, last),
        nonce,
        now,
        attacksDetected(last));
  }

  /** The version report of a provisioned ECU in {@code state}, as {@link Ecu} replies with it. */
  static Ecu.SignedVersionReport versionReport(Ecu.State state, long nonce, Instant now) {
    byte[] bytes =
        signVersionReport(
            state.keySeedHex(),
            state.profile(),
            state.activeBank(),
            state.lastInstall(),
            nonce,
            now);
    return new Ecu.SignedVersionReport(state.profile().ecuSerial(), bytes);
  }

  /** The report's {@code installed_image}: the running bank, and how the last install ended. */
  static TargetFile installedImage(EcuProfile profile, Bank running, EcuState.LastInstall last) {
    Map<String, Json> custom =
        new LinkedHashMap<>(
            new EcuTargetCustom(profile.ecuSerial(), profile.hardwareId(), running.releaseCounter())
                .toJson()
                .fields());
    if (last != null) {
      last.result().addTo(custom);
    }
    return new TargetFile(
        running.version(),
        running.length(),
        Map.of("sha256", running.sha256()),
        new Json.Obj(custom));
  }

  static String attacksDetected(EcuState.LastInstall last) {
    return last != null && last.outcome() == UpdateOutcome.REJECTED ? last.reason() : "";
  }
}
