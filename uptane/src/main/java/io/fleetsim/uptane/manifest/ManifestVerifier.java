package io.fleetsim.uptane.manifest;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import io.fleetsim.uptane.json.JsonParser;
import io.fleetsim.uptane.metadata.Limits;
import io.fleetsim.uptane.metadata.RootMetadata;
import io.fleetsim.uptane.metadata.Signed;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The director's check of a vehicle version manifest: signed by the vehicle's primary key, newer
 * than the last accepted one, and every ECU report signed by the key registered for that ECU serial
 * and made for this manifest (its nonce is the manifest counter).
 */
public final class ManifestVerifier {
  private ManifestVerifier() {}

  public static VehicleVersionManifest verify(
      byte[] manifest,
      PublicKey primaryKey,
      Map<String, PublicKey> ecuKeys,
      long lastAcceptedCounter)
      throws VerificationException {
    JsonParser.Envelope env = JsonParser.parseEnvelope(manifest, Limits.MANIFEST);
    String where = "vehicle manifest";
    Json.Obj signed = (Json.Obj) env.signed();
    String vin = JsonFields.str(signed, "vin", where);
    String primarySerial = JsonFields.str(signed, "primary_ecu_serial", where);
    long counter = JsonFields.num(signed, "counter", where);
    var time = JsonFields.time(signed, "time", where);
    Json.Obj reports = JsonFields.obj(signed, "ecu_version_reports", where);
    List<UpdateReport> updateReports = new ArrayList<>();
    if (signed.get("update_reports") != null) {
      Json.Arr arr = JsonFields.arr(signed, "update_reports", where);
      for (int i = 0; i < arr.items().size(); i++) {
        updateReports.add(
            UpdateReport.fromJson(arr.items().get(i), where + ".update_reports[" + i + "]"));
      }
    }
    String id = primaryKey.keyId();
    RootMetadata.verifyThreshold(
        List.of(id),
        Map.of(id, primaryKey),
        1,
        Signed.readSignatures(env.root(), where),
        env.signedCanonical(),
        where + " of " + vin + " (primary " + primarySerial + ")");
    if (counter <= lastAcceptedCounter) {
      throw new VerificationException(
          Attack.REPLAY,
          where
              + " of "
              + vin
              + " has counter "
              + counter
              + ", last accepted was "
              + lastAcceptedCounter);
    }
    Map<String, EcuVersionReport> parsed = new LinkedHashMap<>();
    for (Map.Entry<String, Json> e : reports.fields().entrySet()) {
      String serial = e.getKey();
      String rw = where + ".ecu_version_reports." + serial;
      PublicKey key = ecuKeys.get(serial);
      if (key == null) {
        throw new VerificationException(
            Attack.WRONG_ECU, rw + ": ECU " + serial + " is not registered for " + vin);
      }
      Json.Obj report = JsonFields.asObj(e.getValue(), rw);
      Json.Obj reportSigned = JsonFields.obj(report, "signed", rw);
      EcuVersionReport r =
          EcuVersionReport.verifyEnvelope(report, CanonicalJson.write(reportSigned), key, rw);
      if (!r.ecuSerial().equals(serial)) {
        throw new VerificationException(
            Attack.WRONG_ECU, rw + ": report is signed for ECU " + r.ecuSerial());
      }
      if (r.nonce() != counter) {
        throw new VerificationException(
            Attack.REPLAY,
            rw + ": report nonce " + r.nonce() + " is not this manifest's counter " + counter);
      }
      parsed.put(serial, r);
    }
    return new VehicleVersionManifest(vin, primarySerial, parsed, updateReports, counter, time);
  }
}
