package io.fleetsim.ecu;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Point;
import io.fleetsim.faults.Subject;
import java.util.List;

/**
 * The attacker on the in-vehicle bus ({@link FaultKind#BUS_TAMPERED_IMAGE}): a device on the bus
 * that changes image bytes on their way from the primary to an ECU of a selected type. It acts
 * where the bytes leave the bus, as the ECU receives each block group, since only the ECU knows its
 * type (an ECU subject is {@code new Subject(vin, null, ecuType, null)}).
 *
 * <p>It changes one byte of the image, at an offset drawn from (scenario seed, rule, ECU, image):
 * the block group holding that offset arrives with it changed, if the rule acts at the instant it
 * arrives; the other groups arrive as sent. The same seed tampers the same byte on every attempt,
 * so a download started again is tampered again. Nothing tells the ECU: its SHA-256 over the
 * received bytes must refuse the image at RequestTransferExit, and the image is never written.
 */
final class BusTampering {

  private BusTampering() {}

  /**
   * The bytes of the block group {@code data} of download {@code d} (the bytes received before it:
   * {@code d.bytesReceived()}) as they arrive at ECU {@code ecuId}; {@code data} itself when no
   * rule changes them. A change is counted as injected.
   */
  static byte[] arriving(
      Faults faults,
      String vin,
      String ecuId,
      EcuType type,
      Ecu.Download d,
      byte[] data,
      long nowEpochMillis) {
    List<FaultRule> acting =
        faults.acting(Point.BUS, new Subject(vin, null, type.name(), null), nowEpochMillis);
    byte[] out = data;
    for (FaultRule rule : acting) {
      if (rule.kind() != FaultKind.BUS_TAMPERED_IMAGE) {
        continue;
      }
      long at = offset(faults.scenarioSeed(), rule, vin + "/" + ecuId, d.image());
      long from = d.bytesReceived();
      if (at >= from && at < from + out.length) {
        out = out == data ? data.clone() : out;
        out[(int) (at - from)] ^= 0x5a;
        faults.ledger().injected(rule, vin);
      }
    }
    return out;
  }

  /** The offset in the image of the byte the rule changes: the same on every run with the seed. */
  static long offset(long seed, FaultRule rule, String ecu, Bank image) {
    long h =
        Seeds.splitMix64(
            Seeds.entitySeed(seed, "bus-tamper:" + rule.id() + ":" + ecu)
                ^ Seeds.stableHash(image.sha256()));
    return (long) (((h >>> 11) * 0x1.0p-53) * image.length());
  }
}
