package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The sending plan of a download, checked against the timing model by hand. */
class BlockGroupsTest {

  static final BusTimingModel model = BusTimingModel.defaults();
  static final int BLOCK = model.blockSize();
  static final BlockGroups groups = new BlockGroups(model, 32);
  static final Transport CAN = Transport.CLASSIC_CAN;

  @Test
  void theFirstGroupAlsoPaysForRequestDownloadAndExit() {
    BlockGroups.Group g = groups.next(CAN, 1, 0, 10L * 32 * BLOCK).orElseThrow();
    assertEquals(1, g.counter());
    assertEquals(0, g.offset());
    assertEquals(32 * BLOCK, g.length());
    assertEquals(
        model.blockExchange(CAN, BLOCK).times(32).plus(model.setupExchange(CAN)), g.exchange());
    BlockGroups.Group second = groups.next(CAN, 2, 32L * BLOCK, 10L * 32 * BLOCK).orElseThrow();
    assertEquals(model.blockExchange(CAN, BLOCK).times(32), second.exchange());
    assertEquals(32L * BLOCK, second.offset());
  }

  @Test
  void theLastGroupCarriesWhatIsLeftAndThenThereIsNone() {
    long length = 32L * BLOCK + 2 * BLOCK + 100;
    BlockGroups.Group last = groups.next(CAN, 2, 32L * BLOCK, length).orElseThrow();
    assertEquals(2 * BLOCK + 100, last.length());
    assertEquals(
        model.blockExchange(CAN, BLOCK).times(2).plus(model.blockExchange(CAN, 100)),
        last.exchange());
    assertEquals(Optional.empty(), groups.next(CAN, 3, length, length));
    // one byte short of the end is still a group of one byte
    assertEquals(1, groups.next(CAN, 3, length - 1, length).orElseThrow().length());
  }

  @Test
  void aSmallImageIsOneGroup() {
    BlockGroups.Group only = groups.next(CAN, 1, 0, 1).orElseThrow();
    assertEquals(1, only.length());
    assertEquals(model.blockExchange(CAN, 1).plus(model.setupExchange(CAN)), only.exchange());
  }

  @Test
  void sharingTheBusAndLostFramesLengthenTheWireTime() {
    BlockGroups.Group g = groups.next(CAN, 2, 32L * BLOCK, 64L * BLOCK).orElseThrow();
    Duration alone = g.wireTime(0, 1);
    assertEquals(BusTimingModel.toDuration(g.exchange().seconds()), alone);
    assertEquals(alone, g.wireTime(0, 0), "no sender counted is the same as one");
    assertEquals(BusTimingModel.toDuration(g.exchange().seconds() * 3), g.wireTime(0, 3));
    assertTrue(g.wireTime(5, 1).compareTo(alone) > 0);
    assertEquals(BusTimingModel.toDuration(g.exchange().secondsWith(5)), g.wireTime(5, 1));
  }

  @Test
  void aGroupNeedsAtLeastOneBlock() {
    assertThrows(IllegalArgumentException.class, () -> new BlockGroups(model, 0));
    assertEquals(32L * BLOCK, groups.groupBytes());
  }
}
