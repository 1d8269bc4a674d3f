package io.fleetsim.ecu;

import io.fleetsim.cluster.time.SimTimers;
import java.time.Duration;

/**
 * Holds back the answer of an Ecu's download checks for their modelled compute time ({@link
 * EcuComputeModel}): the check already ran, for real; only its answer and its events wait, on a
 * timer that sends {@link Ecu.ComputeDone}, so the ECU's state moves on when the modelled processor
 * would have finished. The same request asked again meanwhile is answered once, to the latest
 * asker. Transient like the timers: a restart drops a waiting check and the bus asks again.
 */
final class ComputeGate {

  /**
   * A check that ran and whose answer waits. {@code download} is the open download the check was
   * made against ({@code null} for a RequestDownload), {@code request} the latest asking for it.
   */
  record Computing(
      long seq, Ecu.UdsRequest request, UdsDownload.Check check, EcuState.Download download) {}

  private static final String COMPUTE_TIMER = "compute";

  private final SimTimers<Ecu.Command> timers;
  private final EcuComputeModel model;
  private Computing computing;
  private long computeSeq;

  ComputeGate(SimTimers<Ecu.Command> timers, EcuComputeModel model) {
    this.timers = timers;
    this.model = model;
  }

  /** What checking a RequestDownload costs: the director signatures it verifies. */
  Duration requestDownloadCost(EcuProfile profile) {
    return model.requestDownloadTime(profile);
  }

  /**
   * What checking {@code cmd} against {@code download} costs: only a complete download of this
   * transfer is hashed; anything else is refused at once.
   */
  Duration transferExitCost(
      EcuProfile profile, EcuState.Download download, Ecu.RequestTransferExit cmd) {
    boolean hashed =
        download.transferId().equals(cmd.transferId())
            && download.bytesReceived() >= download.image().length();
    return hashed ? model.transferExitTime(profile, download.image().length()) : Duration.ZERO;
  }

  /**
   * Holds the answer of {@code check} to {@code cmd} for {@code cost}; false, holding nothing, when
   * the cost is zero and the answer goes out at once.
   */
  boolean hold(
      Duration cost, Ecu.UdsRequest cmd, UdsDownload.Check check, EcuState.Download download) {
    if (cost.isZero()) {
      return false;
    }
    long seq = ++computeSeq;
    computing = new Computing(seq, cmd, check, download);
    timers.startSingleTimer(COMPUTE_TIMER, new Ecu.ComputeDone(seq), cost);
    return true;
  }

  /**
   * The same request again while its check is computing (the bus asked again): the answer goes to
   * the latest asker when the compute time has passed, without starting over.
   */
  boolean stillComputing(Ecu.UdsRequest cmd) {
    Computing c = computing;
    if (c == null
        || !timers.isTimerActive(COMPUTE_TIMER)
        || c.request().service() != cmd.service()
        || !c.request().transferId().equals(cmd.transferId())) {
      return false;
    }
    computing = new Computing(c.seq(), cmd, c.check(), c.download());
    return true;
  }

  /** The check whose compute time {@code done} ends, no longer held; null if it was dropped. */
  Computing take(Ecu.ComputeDone done) {
    Computing c = computing;
    if (c == null || c.seq() != done.seq()) {
      return null;
    }
    computing = null;
    return c;
  }

  /** Drops the check held, if any: nobody is answered. */
  void drop() {
    timers.cancel(COMPUTE_TIMER);
    computing = null;
  }
}
