package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BusTimingModelTest {

  private static final long MIB = 1024 * 1024;
  private final BusTimingModel model = BusTimingModel.defaults();

  @Test
  void classicCanFrameIs135BitsWorstCase() {
    // 47 + 64 + floor(97/4) = 135 bits at 500 kbit/s
    assertEquals(135 / 500_000.0, model.canFrameSeconds(Transport.CLASSIC_CAN, 8), 1e-12);
    BusTimingModel average =
        new BusTimingModel(4096, 16, Duration.ZERO, BusTimingModel.Stuffing.AVERAGE);
    assertEquals(114 / 500_000.0, average.canFrameSeconds(Transport.CLASSIC_CAN, 8), 1e-12);
  }

  @Test
  void classicCanBlockIsSegmentedByIsoTp() {
    // 4098-byte message > 4095: escape first frame with 2 bytes, then ceil(4096/7) = 586
    // consecutive frames, 1 + 585/16 = 37 flow controls, plus a one-frame positive response.
    BusTimingModel.Exchange block = model.blockExchange(Transport.CLASSIC_CAN, 4096);
    assertEquals(1 + 586 + 37 + 1, block.frames());
    assertEquals(625 * 135 / 500_000.0, block.seconds(), 1e-9);
  }

  @Test
  void oneMebibyteOverEachTransport() {
    double can = model.transferTime(Transport.CLASSIC_CAN, MIB, 0).toNanos() / 1e9;
    double fd = model.transferTime(Transport.CAN_FD, MIB, 0).toNanos() / 1e9;
    double doip = model.transferTime(Transport.DOIP, MIB, 0).toNanos() / 1e9;
    // 256 blocks of 625 frames of 270 us; RequestDownload (11 bytes) takes first frame, flow
    // control and one consecutive frame, the three other setup messages one frame each
    assertEquals(256 * 0.16875 + 6 * 135 / 500_000.0, can, 1e-6);
    assertTrue(fd > 5 && fd < 10, "CAN FD " + fd);
    // payload alone at 100 Mbit/s is 0.0839 s; headers add about 5 %
    assertTrue(doip > 0.0839 && doip < 0.0839 * 1.07, "DoIP " + doip);
    // raw payload rate bound: classic CAN cannot beat 500 kbit/s of pure data
    assertTrue(can > MIB * 8 / 500_000.0);
  }

  @Test
  void lossAddsExpectedRetransmissions() {
    Duration clean = model.transferTime(Transport.CLASSIC_CAN, MIB, 0);
    Duration lossy = model.transferTime(Transport.CLASSIC_CAN, MIB, 0.1);
    double ratio = lossy.toNanos() / (double) clean.toNanos();
    // 1/(1-p) for the frames themselves plus error frames of 17/135 of a frame
    assertEquals((1 + 0.1 / 0.9 * (1 + 17 / 135.0)), ratio, 1e-3);
  }

  @Test
  void sampledRetransmissionsAreDeterministicAndNearExpectation() {
    long a = BusTimingModel.sampleRetransmissions(100_000, 0.05, new Random(7));
    long b = BusTimingModel.sampleRetransmissions(100_000, 0.05, new Random(7));
    assertEquals(a, b);
    assertEquals(100_000 * 0.05 / 0.95, a, 300);
    assertEquals(0, BusTimingModel.sampleRetransmissions(1000, 0, new Random(1)));
  }

  @Test
  void smallAndEmptyImages() {
    assertEquals(
        model.setupExchange(Transport.CLASSIC_CAN).seconds(),
        model.transferTime(Transport.CLASSIC_CAN, 0, 0).toNanos() / 1e9,
        1e-9);
    // 5 + 2 bytes fits a single frame
    assertEquals(1, model.message(Transport.CLASSIC_CAN, 7).frames());
    assertEquals(1, model.message(Transport.DOIP, 100).frames());
    assertEquals(2, model.message(Transport.DOIP, 1500).frames());
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> model.transferTime(Transport.DOIP, -1, 0));
    assertThrows(IllegalArgumentException.class, () -> model.transferTime(Transport.DOIP, 1, 1.0));
    assertThrows(IllegalArgumentException.class, () -> model.transferTime(Transport.DOIP, 1, -0.1));
    assertThrows(
        IllegalArgumentException.class, () -> model.transferTime(Transport.DOIP, 1, Double.NaN));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BusTimingModel(0, 16, Duration.ZERO, BusTimingModel.Stuffing.WORST));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BusTimingModel(4096, 16, Duration.ofSeconds(1), BusTimingModel.Stuffing.WORST));
  }
}
