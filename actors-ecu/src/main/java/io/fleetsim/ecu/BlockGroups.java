package io.fleetsim.ecu;

import java.time.Duration;
import java.util.Optional;

/**
 * The sending plan of a download: the image cut into block groups of {@code blocksPerGroup} UDS
 * blocks (one TransferData each, acknowledged and persisted together), and each group's time on the
 * wire. Pure arithmetic over the {@link BusTimingModel}; the {@link CanBus} samples the frame
 * losses and schedules the arrival.
 */
final class BlockGroups {

  /**
   * One block group: {@code counter} is its block sequence counter (groups counted from 1), its
   * bytes are {@code [offset, offset + length)} of the image.
   */
  record Group(int counter, long offset, int length, BusTimingModel.Exchange exchange) {

    /**
     * Wire time of this group when {@code lostFrames} of its frames were sent again and {@code
     * sharing} transfers (at least 1) send on the bus at the same time, each getting an equal part.
     */
    Duration wireTime(long lostFrames, long sharing) {
      return BusTimingModel.toDuration(exchange.secondsWith(lostFrames) * Math.max(1, sharing));
    }
  }

  private final BusTimingModel model;
  private final int blocksPerGroup;

  BlockGroups(BusTimingModel model, int blocksPerGroup) {
    if (blocksPerGroup < 1) {
      throw new IllegalArgumentException("blocks per group must be at least 1: " + blocksPerGroup);
    }
    this.model = model;
    this.blocksPerGroup = blocksPerGroup;
  }

  long groupBytes() {
    return (long) blocksPerGroup * model.blockSize();
  }

  /**
   * The group that follows {@code bytesAcknowledged} bytes of an image of {@code length} bytes, as
   * block {@code counter}; empty once every byte is acknowledged (the next step is
   * RequestTransferExit). The first group also carries the wire time of RequestDownload and
   * RequestTransferExit, which each transfer pays once.
   */
  Optional<Group> next(Transport transport, int counter, long bytesAcknowledged, long length) {
    if (bytesAcknowledged >= length) {
      return Optional.empty();
    }
    int bytes = (int) Math.min(groupBytes(), length - bytesAcknowledged);
    long fullBlocks = bytes / model.blockSize();
    int rest = bytes % model.blockSize();
    BusTimingModel.Exchange ex =
        model.blockExchange(transport, model.blockSize()).times(fullBlocks);
    if (rest > 0) {
      ex = ex.plus(model.blockExchange(transport, rest));
    }
    if (bytesAcknowledged == 0) {
      ex = ex.plus(model.setupExchange(transport));
    }
    return Optional.of(new Group(counter, bytesAcknowledged, bytes, ex));
  }
}
