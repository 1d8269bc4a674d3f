package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;

/**
 * The per-ECU part of a director target's {@code custom}: which ECU must install it, the hardware
 * it is built for, and its release counter (which an ECU never lets go down).
 */
public record EcuTargetCustom(String ecuSerial, String hardwareId, long releaseCounter) {
  public EcuTargetCustom {
    if (ecuSerial == null || ecuSerial.isEmpty()) {
      throw new IllegalArgumentException("ecuSerial is required");
    }
    if (hardwareId == null || hardwareId.isEmpty()) {
      throw new IllegalArgumentException("hardwareId is required");
    }
    if (releaseCounter < 0) {
      throw new IllegalArgumentException("releaseCounter must not be negative");
    }
  }

  public Json.Obj toJson() {
    return Json.obj(
        "ecu_serial", Json.str(ecuSerial),
        "hardware_id", Json.str(hardwareId),
        "release_counter", Json.num(releaseCounter));
  }

  public static EcuTargetCustom fromJson(Json custom, String where) throws VerificationException {
    Json.Obj o = JsonFields.asObj(custom, where);
    String serial = JsonFields.str(o, "ecu_serial", where);
    String hw = JsonFields.str(o, "hardware_id", where);
    long rc = JsonFields.nonNegative(o, "release_counter", where);
    if (serial.isEmpty() || hw.isEmpty()) {
      throw JsonFields.malformed(where, "ecu_serial and hardware_id must not be empty");
    }
    return new EcuTargetCustom(serial, hw, rc);
  }
}
