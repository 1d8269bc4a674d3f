package io.fleetsim.ecu;

/** The functional domain of an ECU; campaigns and reports group by it. */
public enum EcuType {
  ENGINE,
  TRANSMISSION,
  BRAKES,
  ADAS,
  INFOTAINMENT,
  TELEMATICS,
  BODY,
  BATTERY_MANAGEMENT,
  GATEWAY
}
