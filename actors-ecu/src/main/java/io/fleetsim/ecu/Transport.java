package io.fleetsim.ecu;

/**
 * How the gateway reaches an ECU. Bit rates are the usual production figures; the frame layout that
 * turns them into time lives in {@link BusTimingModel}.
 */
public enum Transport {
  /** ISO 11898 CAN 2.0A, 8 data bytes per frame, ISO-TP segmentation. */
  CLASSIC_CAN(500_000, 500_000),
  /** CAN FD with bit rate switch: arbitration at 500 kbit/s, data phase at 2 Mbit/s, 64 bytes. */
  CAN_FD(500_000, 2_000_000),
  /** Diagnostics over IP (ISO 13400) on 100BASE-T1 automotive Ethernet. */
  DOIP(100_000_000, 100_000_000);

  private final long nominalBitRate;
  private final long dataBitRate;

  Transport(long nominalBitRate, long dataBitRate) {
    this.nominalBitRate = nominalBitRate;
    this.dataBitRate = dataBitRate;
  }

  /** Bits per second during arbitration (the whole frame for classic CAN and Ethernet). */
  public long nominalBitRate() {
    return nominalBitRate;
  }

  /** Bits per second in the data phase (differs from nominal only for CAN FD). */
  public long dataBitRate() {
    return dataBitRate;
  }
}
