package io.fleetsim.cloud;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.manifest.InstallResult;
import io.fleetsim.uptane.manifest.ManifestVerifier;
import io.fleetsim.uptane.manifest.VehicleVersionManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a vehicle version manifest into a {@link ManifestReading} after uptane's {@link
 * ManifestVerifier} checked every signature and the counter. How an ECU's last install ended is
 * read from its installed image's custom ({@link InstallResult}), which names the assignment it was
 * for; the vehicle's own {@code update_reports} come with it.
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
      long counter = -1;
      if (r.installed().custom() instanceof Json.Obj custom
          && custom.get("release_counter") instanceof Json.Int n) {
        counter = n.value();
      }
      reports.add(
          new ManifestReading.EcuReport(
              r.ecuSerial(),
              r.installed().name(),
              r.installed().sha256(),
              counter,
              InstallResult.from(
                  r.installed().custom(), "ECU report " + r.ecuSerial() + " installed_image")));
    }
    return new ManifestReading(m.counter(), reports, m.updateReports());
  }
}
