package io.fleetsim.cloud;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.manifest.ManifestVerifier;
import io.fleetsim.uptane.manifest.VehicleVersionManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a vehicle version manifest into a {@link ManifestReading} after uptane's {@link
 * ManifestVerifier} checked every signature and the counter.
 *
 * <p>How an ECU report says its last install did not succeed (Uptane leaves this to the
 * implementation): the installed image's {@code custom.install_result} is {@code "FAILED"} or
 * {@code "ROLLED_BACK"} (the ECU booted back into its previous bank), with an optional {@code
 * custom.install_detail}; a non-empty {@code attacks_detected} also counts as a failed install,
 * since the ECU refused what it was sent.
 */
final class ManifestCheck {
  private ManifestCheck() {}

  static ManifestReading verify(
      byte[] manifest,
      String vin,
      String primarySerial,
      PublicKey primaryKey,
      Map<String, PublicKey> ecuKeys,
      long lastAcceptedCounter)
      throws VerificationException {
    if (manifest == null) {
      throw new VerificationException(Attack.MALFORMED, "manifest: no bytes");
    }
    VehicleVersionManifest m =
        ManifestVerifier.verify(manifest, primaryKey, ecuKeys, lastAcceptedCounter);
    if (!m.vin().equals(vin)) {
      throw new VerificationException(
          Attack.MIX_AND_MATCH, "manifest is for vehicle " + m.vin() + ", not " + vin);
    }
    if (!m.primaryEcuSerial().equals(primarySerial)) {
      throw new VerificationException(
          Attack.WRONG_ECU,
          "manifest names primary " + m.primaryEcuSerial() + ", registered is " + primarySerial);
    }
    List<ManifestReading.EcuReport> reports = new ArrayList<>();
    for (EcuVersionReport r : m.ecuReports().values()) {
      String result = null;
      String detail = null;
      long counter = -1;
      if (r.installed().custom() instanceof Json.Obj custom) {
        if (custom.get("install_result") instanceof Json.Str s) {
          result = s.value();
        }
        if (custom.get("install_detail") instanceof Json.Str s) {
          detail = s.value();
        }
        if (custom.get("release_counter") instanceof Json.Int n) {
          counter = n.value();
        }
      }
      boolean rolledBack = "ROLLED_BACK".equals(result);
      String failure = null;
      if ("FAILED".equals(result) || rolledBack) {
        failure = detail == null ? result : detail;
      } else if (r.attacksDetected() != null && !r.attacksDetected().isEmpty()) {
        failure = r.attacksDetected();
      }
      reports.add(
          new ManifestReading.EcuReport(
              r.ecuSerial(),
              r.installed().name(),
              r.installed().sha256(),
              counter,
              failure,
              rolledBack));
    }
    return new ManifestReading(m.counter(), reports);
  }
}
