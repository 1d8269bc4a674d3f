package io.fleetsim.uptane.manifest;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import io.fleetsim.uptane.json.JsonParser;
import io.fleetsim.uptane.metadata.Limits;
import io.fleetsim.uptane.metadata.RootMetadata;
import io.fleetsim.uptane.metadata.Signature;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.TargetFile;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An ECU's signed statement of what it runs, in Uptane's form: {@code {"signatures":[...],
 * "signed":{"ecu_serial", "installed_image":{"filepath","fileinfo"}, "nonce", "time",
 * "attacks_detected"}}}. The nonce is the vehicle manifest counter the primary asked it to sign
 * with, which is what makes an old report useless in a new manifest.
 */
public record EcuVersionReport(
    String ecuSerial, TargetFile installed, long nonce, Instant time, String attacksDetected) {

  public Json.Obj toJson() {
    return Json.obj(
        "ecu_serial", Json.str(ecuSerial),
        "installed_image",
            Json.obj("filepath", Json.str(installed.name()), "fileinfo", installed.toJson()),
        "nonce", Json.num(nonce),
        "time", Json.str(JsonFields.formatTime(time)),
        "attacks_detected", Json.str(attacksDetected));
  }

  /** Signs a report; {@code nonce} must be the counter of the manifest it will travel in. */
  public static byte[] sign(
      SigningKey ecuKey,
      String ecuSerial,
      TargetFile installed,
      long nonce,
      Instant now,
      String attackDetected) {
    EcuVersionReport r =
        new EcuVersionReport(
            ecuSerial, installed, nonce, now, attackDetected == null ? "" : attackDetected);
    return CanonicalJson.write(envelope(r.toJson(), ecuKey));
  }

  static Json.Obj envelope(Json.Obj signed, SigningKey key) {
    byte[] canonical = CanonicalJson.write(signed);
    Signature sig = new Signature(key.keyId(), Hex.encode(key.sign(canonical)));
    return Json.obj("signatures", Json.arr(List.of(sig.toJson())), "signed", signed);
  }

  public static EcuVersionReport fromJson(Json v, String where) throws VerificationException {
    Json.Obj o = JsonFields.asObj(v, where);
    String serial = JsonFields.str(o, "ecu_serial", where);
    Json.Obj img = JsonFields.obj(o, "installed_image", where);
    String path = JsonFields.str(img, "filepath", where + ".installed_image");
    TargetFile installed =
        TargetFile.fromJson(
            path,
            JsonFields.require(img, "fileinfo", where + ".installed_image"),
            where + ".installed_image.fileinfo");
    long nonce = JsonFields.num(o, "nonce", where);
    Instant time = JsonFields.time(o, "time", where);
    String attacks = JsonFields.str(o, "attacks_detected", where);
    return new EcuVersionReport(serial, installed, nonce, time, attacks);
  }

  /** Parses one signed report and checks it is signed by {@code ecuKey}. */
  public static EcuVersionReport verify(byte[] report, PublicKey ecuKey)
      throws VerificationException {
    JsonParser.Envelope env = JsonParser.parseEnvelope(report, Limits.ECU_REPORT);
    return verifyEnvelope(env.root(), env.signedCanonical(), ecuKey, "ECU version report");
  }

  static EcuVersionReport verifyEnvelope(
      Json.Obj envelope, byte[] signedCanonical, PublicKey key, String where)
      throws VerificationException {
    List<Signature> sigs = Signed.readSignatures(envelope, where);
    EcuVersionReport r = fromJson(envelope.get("signed"), where + ".signed");
    String id = key.keyId();
    RootMetadata.verifyThreshold(
        List.of(id),
        Map.of(id, key),
        1,
        sigs,
        signedCanonical,
        "version report of ECU " + r.ecuSerial());
    return r;
  }
}
