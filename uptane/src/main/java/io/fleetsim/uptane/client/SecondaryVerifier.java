package io.fleetsim.uptane.client;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.Limits;
import io.fleetsim.uptane.metadata.RootMetadata;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Uptane partial verification, what a secondary ECU with little memory does: only the director
 * targets metadata, checked against the director targets keys it was provisioned with.
 */
public final class SecondaryVerifier {
  private SecondaryVerifier() {}

  public static VerifiedTarget verify(
      byte[] directorTargets,
      List<PublicKey> directorTargetsKeys,
      int threshold,
      String ecuSerial,
      String hardwareId,
      long installedReleaseCounter,
      Instant now)
      throws VerificationException {
    return verify(
        directorTargets,
        directorTargetsKeys,
        threshold,
        ecuSerial,
        hardwareId,
        installedReleaseCounter,
        0,
        now);
  }

  /**
   * As above, also refusing director targets older than {@code lastTargetsVersion} (the version
   * this ECU accepted last; 0 if none).
   */
  public static VerifiedTarget verify(
      byte[] directorTargets,
      List<PublicKey> directorTargetsKeys,
      int threshold,
      String ecuSerial,
      String hardwareId,
      long installedReleaseCounter,
      int lastTargetsVersion,
      Instant now)
      throws VerificationException {
    if (threshold < 1 || threshold > directorTargetsKeys.size()) {
      throw new IllegalArgumentException(
          "threshold " + threshold + " with " + directorTargetsKeys.size() + " keys");
    }
    if (directorTargets != null && directorTargets.length > Limits.TARGETS) {
      throw new VerificationException(
          Attack.ENDLESS_DATA, "director targets of " + directorTargets.length + " bytes");
    }
    Signed<TargetsMetadata> md = TargetsMetadata.parse(directorTargets);
    Map<String, PublicKey> byId = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    for (PublicKey k : directorTargetsKeys) {
      String id = k.keyId();
      byId.put(id, k);
      ids.add(id);
    }
    RootMetadata.verifyThreshold(
        ids,
        byId,
        threshold,
        md.signatures(),
        md.canonicalSigned(),
        "director targets v" + md.version());
    if (md.version() < lastTargetsVersion) {
      throw new VerificationException(
          Attack.ROLLBACK,
          "director targets v" + md.version() + " is older than accepted v" + lastTargetsVersion);
    }
    md.signed().checkNotExpired(now);
    for (TargetFile t : md.signed().targets().values()) {
      EcuTargetCustom ecu = t.ecuCustom();
      if (!ecu.ecuSerial().equals(ecuSerial)) {
        continue;
      }
      if (!ecu.hardwareId().equals(hardwareId)) {
        throw new VerificationException(
            Attack.WRONG_HARDWARE,
            "target "
                + t.name()
                + " is for hardware "
                + ecu.hardwareId()
                + ", ECU "
                + ecuSerial
                + " is "
                + hardwareId);
      }
      if (ecu.releaseCounter() < installedReleaseCounter) {
        throw new VerificationException(
            Attack.ROLLBACK,
            "target "
                + t.name()
                + " has release counter "
                + ecu.releaseCounter()
                + ", installed is "
                + installedReleaseCounter);
      }
      return new VerifiedTarget(ecuSerial, hardwareId, t, ecu.releaseCounter());
    }
    throw new VerificationException(
        Attack.WRONG_ECU,
        "director targets v" + md.version() + " has no target for ECU " + ecuSerial);
  }
}
