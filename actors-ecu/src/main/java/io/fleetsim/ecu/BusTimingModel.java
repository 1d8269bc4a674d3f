package io.fleetsim.ecu;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Random;

/**
 * How long a UDS download takes on the wire. Pure arithmetic, no actors, so every figure can be
 * checked by hand; see the "ECU and CAN bus model" section of docs/architecture.md.
 *
 * <p>A download is RequestDownload, one TransferData per block of {@link #blockSize()} bytes (each
 * answered by a positive response) and RequestTransferExit. Each UDS message is cut into frames:
 *
 * <ul>
 *   <li>Classic CAN: ISO-TP (ISO 15765-2) with 8-byte frames (padded). A single frame carries 7
 *       bytes, a first frame 6 (2 with the escape length used above 4095 bytes), a consecutive
 *       frame 7. The receiver sends a flow control frame after the first frame and after every
 *       {@code isoTpBlockSize} consecutive frames; consecutive frames are spaced by STmin. One CAN
 *       2.0A frame with 8 data bytes is 47 bits of frame overhead (SOF, 11-bit identifier, RTR,
 *       IDE, r0, DLC, 15-bit CRC, delimiters, ACK, EOF and the 3-bit interframe space) plus 64 data
 *       bits plus stuff bits over the 98 stuffable bits (SOF to CRC): worst case floor((98-1)/4) =
 *       24, average 98/30 ~ 3. Worst case: 135 bits = 270 us at 500 kbit/s.
 *   <li>CAN FD: the same ISO-TP with 64-byte frames (first frame 62 bytes or 58 with escape,
 *       consecutive frame 63). Arbitration phase at the nominal rate: 17 bits before the bit rate
 *       switch and 13 after the CRC (delimiters, ACK, EOF, IFS) plus stuffing; data phase at the
 *       data rate: ESI + DLC + payload with dynamic stuffing, then stuff count (4) and CRC (17 or
 *       21 bits) with one fixed stuff bit per 4 bits.
 *   <li>DoIP: a DoIP diagnostic message adds 12 bytes (8 header + source and target address) and is
 *       carried in TCP segments of at most 1460 bytes; each segment costs 78 bytes on the wire (TCP
 *       20, IPv4 20, Ethernet header 14, FCS 4, preamble 8, inter-packet gap 12), minimum Ethernet
 *       payload 46. The link is full duplex, so only the tester-to-ECU direction counts.
 * </ul>
 *
 * <p>Frame loss: a lost CAN frame is signalled by an error frame (6 + 8 + 3 = 17 bits at the
 * nominal rate) and sent again by the controller; a lost Ethernet frame is sent again by TCP. With
 * a loss rate p the expected number of extra transmissions per frame is p/(1-p).
 */
public final class BusTimingModel {

  /** Bit stuffing assumption for CAN frames. */
  public enum Stuffing {
    WORST,
    AVERAGE
  }

  /** Frames and seconds of one exchange on the bus, without losses. */
  public record Exchange(long frames, double seconds, double errorFrameSeconds) {
    Exchange plus(Exchange other) {
      return new Exchange(
          frames + other.frames,
          seconds + other.seconds,
          errorFrameSeconds + other.errorFrameSeconds);
    }

    Exchange times(long n) {
      return new Exchange(frames * n, seconds * n, errorFrameSeconds * n);
    }

    /** Time of this exchange when {@code retransmissions} of its frames had to be sent again. */
    public double secondsWith(long retransmissions) {
      if (frames == 0 || retransmissions == 0) {
        return seconds;
      }
      return seconds + retransmissions * (seconds / frames + errorFrameSeconds / frames);
    }

    /** Expected time with independent frame loss at {@code lossRate}. */
    public double expectedSeconds(double lossRate) {
      checkLossRate(lossRate);
      double extra = lossRate / (1 - lossRate);
      return seconds + (seconds + errorFrameSeconds) * extra;
    }
  }

  /** SID 0x36 and the block sequence counter in front of each TransferData block. */
  public static final int TRANSFER_DATA_HEADER = 2;

  /** 0x34, dataFormatIdentifier, addressAndLengthFormatIdentifier 0x44, 4 address, 4 length. */
  public static final int REQUEST_DOWNLOAD_BYTES = 11;

  /** 0x74, lengthFormatIdentifier, 2-byte maxNumberOfBlockLength. */
  public static final int REQUEST_DOWNLOAD_RESPONSE_BYTES = 4;

  /** 0x76 and the echoed block sequence counter. */
  public static final int TRANSFER_DATA_RESPONSE_BYTES = 2;

  /** 0x37 request and 0x77 response. */
  public static final int TRANSFER_EXIT_BYTES = 1;

  private static final int CAN_ERROR_FRAME_BITS = 17;
  private static final int DOIP_HEADER = 12;
  private static final int TCP_MSS = 1460;
  private static final int TCP_IP_HEADERS = 40;
  private static final int ETHERNET_OVERHEAD = 38;
  private static final int ETHERNET_MIN_PAYLOAD = 46;

  /** The highest frame loss rate the model takes: above it a group would hardly ever arrive. */
  static final double MAX_LOSS_RATE = 0.9;

  private final int blockSize;
  private final int isoTpBlockSize;
  private final Duration stMin;
  private final Stuffing stuffing;

  /**
   * @param blockSize data bytes per TransferData (the UDS block)
   * @param isoTpBlockSize consecutive frames between flow control frames, 0 = one flow control only
   * @param stMin separation time the ECU asks for between consecutive frames
   */
  public BusTimingModel(int blockSize, int isoTpBlockSize, Duration stMin, Stuffing stuffing) {
    if (blockSize < 1 || blockSize > 0xFFFF - TRANSFER_DATA_HEADER) {
      throw new IllegalArgumentException("block size out of range: " + blockSize);
    }
    if (isoTpBlockSize < 0 || isoTpBlockSize > 255) {
      throw new IllegalArgumentException("ISO-TP block size out of range: " + isoTpBlockSize);
    }
    if (stMin.isNegative() || stMin.compareTo(Duration.ofMillis(127)) > 0) {
      throw new IllegalArgumentException("STmin out of range: " + stMin);
    }
    this.blockSize = blockSize;
    this.isoTpBlockSize = isoTpBlockSize;
    this.stMin = stMin;
    this.stuffing = stuffing;
  }

  /** 4 KiB blocks, flow control every 16 frames, STmin 0, worst-case stuffing. */
  public static BusTimingModel defaults() {
    return new BusTimingModel(4096, 16, Duration.ZERO, Stuffing.WORST);
  }

  /** From the {@code fleetsim.can-bus} section of the configuration. */
  public static BusTimingModel fromConfig(Config config) {
    Config c = config.getConfig("fleetsim.can-bus");
    return new BusTimingModel(
        c.getInt("block-size"),
        c.getInt("iso-tp-block-size"),
        c.getDuration("st-min"),
        Stuffing.valueOf(c.getString("bit-stuffing").toUpperCase(java.util.Locale.ROOT)));
  }

  public int blockSize() {
    return blockSize;
  }

  /** Expected simulated time to download {@code bytes} to one ECU over an otherwise idle bus. */
  public Duration transferTime(Transport transport, long bytes, double lossRate) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative length: " + bytes);
    }
    return toDuration(downloadExchange(transport, bytes).expectedSeconds(lossRate));
  }

  /** The whole session: RequestDownload, every TransferData block and RequestTransferExit. */
  public Exchange downloadExchange(Transport transport, long bytes) {
    long fullBlocks = bytes / blockSize;
    int rest = (int) (bytes % blockSize);
    Exchange total =
        setupExchange(transport).plus(blockExchange(transport, blockSize).times(fullBlocks));
    if (rest > 0) {
      total = total.plus(blockExchange(transport, rest));
    }
    return total;
  }

  /** RequestDownload and RequestTransferExit with their responses. */
  public Exchange setupExchange(Transport transport) {
    return message(transport, REQUEST_DOWNLOAD_BYTES)
        .plus(response(transport, REQUEST_DOWNLOAD_RESPONSE_BYTES))
        .plus(message(transport, TRANSFER_EXIT_BYTES))
        .plus(response(transport, TRANSFER_EXIT_BYTES));
  }

  /** One TransferData carrying {@code dataBytes} and its positive response. */
  public Exchange blockExchange(Transport transport, int dataBytes) {
    return message(transport, dataBytes + TRANSFER_DATA_HEADER)
        .plus(response(transport, TRANSFER_DATA_RESPONSE_BYTES));
  }

  /** A CAN bus is shared by both directions; switched Ethernet is full duplex. */
  private Exchange response(Transport transport, int length) {
    return transport == Transport.DOIP ? new Exchange(0, 0, 0) : message(transport, length);
  }

  /** Draws how many frames of {@code frames} had to be sent again at {@code lossRate}. */
  public static long sampleRetransmissions(long frames, double lossRate, Random rng) {
    checkLossRate(lossRate);
    if (lossRate == 0) {
      return 0;
    }
    long extra = 0;
    for (long i = 0; i < frames; i++) {
      while (rng.nextDouble() < lossRate) {
        extra++;
      }
    }
    return extra;
  }

  public static Duration toDuration(double seconds) {
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }

  private static void checkLossRate(double lossRate) {
    if (!(lossRate >= 0 && lossRate <= MAX_LOSS_RATE)) {
      throw new IllegalArgumentException(
          "loss rate must be in [0, " + MAX_LOSS_RATE + "]: " + lossRate);
    }
  }

  /** One UDS message of {@code length} bytes, segmented for the transport. */
  Exchange message(Transport transport, int length) {
    return switch (transport) {
      case CLASSIC_CAN -> isoTp(transport, length, 8, 7, length > 4095 ? 2 : 6, 7);
      case CAN_FD -> isoTp(transport, length, 64, 62, length > 4095 ? 58 : 62, 63);
      case DOIP -> doip(transport, length);
    };
  }

  private Exchange isoTp(
      Transport transport,
      int length,
      int frameBytes,
      int singleFramePayload,
      int firstFramePayload,
      int consecutivePayload) {
    double errorFrame = CAN_ERROR_FRAME_BITS / (double) transport.nominalBitRate();
    if (length <= singleFramePayload) {
      int dlc = transport == Transport.CLASSIC_CAN ? 8 : canFdDlc(length + (length <= 7 ? 1 : 2));
      return new Exchange(1, canFrameSeconds(transport, dlc), errorFrame);
    }
    long consecutive = ceilDiv(length - firstFramePayload, consecutivePayload);
    long flowControls = isoTpBlockSize == 0 ? 1 : 1 + (consecutive - 1) / isoTpBlockSize;
    double full = canFrameSeconds(transport, frameBytes);
    // flow control frames are 3 bytes, padded to 8 as production ECUs do
    double flowControl = canFrameSeconds(transport, 8);
    long frames = 1 + consecutive + flowControls;
    double seconds =
        full * (1 + consecutive)
            + flowControl * flowControls
            + consecutive * (stMin.toNanos() / 1e9);
    return new Exchange(frames, seconds, errorFrame * frames);
  }

  private static int canFdDlc(int bytes) {
    int[] sizes = {8, 12, 16, 20, 24, 32, 48, 64};
    for (int s : sizes) {
      if (bytes <= s) {
        return s;
      }
    }
    return 64;
  }

  /** Seconds on the wire of one CAN frame with {@code dataBytes} data bytes, IFS included. */
  double canFrameSeconds(Transport transport, int dataBytes) {
    if (transport == Transport.CLASSIC_CAN) {
      int stuffable = 34 + 8 * dataBytes;
      int bits = 47 + 8 * dataBytes + stuffBits(stuffable);
      return bits / (double) transport.nominalBitRate();
    }
    int arbitration = 17;
    int nominalBits = arbitration + 13 + stuffBits(arbitration);
    int dynamic = 5 + 8 * dataBytes;
    int crcField = 4 + (dataBytes <= 16 ? 17 : 21);
    int fixedStuff = (crcField + 3) / 4;
    int dataBits = dynamic + stuffBits(dynamic) + crcField + fixedStuff;
    return nominalBits / (double) transport.nominalBitRate()
        + dataBits / (double) transport.dataBitRate();
  }

  private int stuffBits(int stuffable) {
    return stuffing == Stuffing.WORST ? (stuffable - 1) / 4 : (int) Math.round(stuffable / 30.0);
  }

  private static Exchange doip(Transport transport, int length) {
    long stream = (long) length + DOIP_HEADER;
    long segments = ceilDiv(stream, TCP_MSS);
    long lastPayload = stream - (segments - 1) * TCP_MSS;
    long wire =
        (segments - 1) * (TCP_MSS + TCP_IP_HEADERS + ETHERNET_OVERHEAD)
            + Math.max(lastPayload + TCP_IP_HEADERS, ETHERNET_MIN_PAYLOAD)
            + ETHERNET_OVERHEAD;
    return new Exchange(segments, wire * 8.0 / transport.nominalBitRate(), 0);
  }

  private static long ceilDiv(long a, long b) {
    return a <= 0 ? 0 : (a + b - 1) / b;
  }
}
