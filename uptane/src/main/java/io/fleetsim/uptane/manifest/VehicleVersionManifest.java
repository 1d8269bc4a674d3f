package io.fleetsim.uptane.manifest;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import io.fleetsim.uptane.json.JsonParser;
import io.fleetsim.uptane.metadata.Limits;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The primary's signed bundle of its ECUs' version reports: {@code {"signatures":[...],
 * "signed":{"vin", "primary_ecu_serial", "ecu_version_reports":{serial: report}, "update_reports":
 * [...], "counter", "time"}}}. The counter grows with every manifest so the director can refuse
 * replays; {@code update_reports} carries the vehicle's own account of assignments it ended ({@link
 * UpdateReport}).
 */
public record VehicleVersionManifest(
    String vin,
    String primaryEcuSerial,
    Map<String, EcuVersionReport> ecuReports,
    List<UpdateReport> updateReports,
    long counter,
    Instant time) {
  public VehicleVersionManifest {
    ecuReports = Map.copyOf(ecuReports);
    updateReports = List.copyOf(updateReports);
  }

  /**
   * Signs a manifest over already signed ECU reports (from {@link EcuVersionReport#sign}), each of
   * which should carry {@code counter} as its nonce.
   */
  public static byte[] sign(
      SigningKey primaryKey,
      String vin,
      String primarySerial,
      List<byte[]> ecuReports,
      long counter,
      Instant now) {
    return sign(primaryKey, vin, primarySerial, ecuReports, List.of(), counter, now);
  }

  /** As above, with the vehicle's own reports of the assignments it ended. */
  public static byte[] sign(
      SigningKey primaryKey,
      String vin,
      String primarySerial,
      List<byte[]> ecuReports,
      List<UpdateReport> updateReports,
      long counter,
      Instant now) {
    Map<String, Json> reports = new LinkedHashMap<>();
    for (byte[] report : ecuReports) {
      try {
        Json.Obj env = JsonFields.asObj(JsonParser.parse(report, Limits.ECU_REPORT), "report");
        String serial =
            JsonFields.str(JsonFields.obj(env, "signed", "report"), "ecu_serial", "report.signed");
        if (reports.put(serial, env) != null) {
          throw new IllegalArgumentException("two reports for ECU " + serial);
        }
      } catch (VerificationException e) {
        throw new IllegalArgumentException("not a signed ECU version report: " + e.getMessage(), e);
      }
    }
    Json.Obj signed =
        Json.obj(
            "vin", Json.str(vin),
            "primary_ecu_serial", Json.str(primarySerial),
            "ecu_version_reports", Json.obj(reports),
            "update_reports", Json.arr(updateReports.stream().map(UpdateReport::toJson).toList()),
            "counter", Json.num(counter),
            "time", Json.str(JsonFields.formatTime(now)));
    return CanonicalJson.write(EcuVersionReport.envelope(signed, primaryKey));
  }
}
