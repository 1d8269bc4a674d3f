package io.fleetsim.ecu;

import org.slf4j.Logger;

/**
 * A power loss during an ECU's flash write ({@link io.fleetsim.faults.FaultKind#POWER_LOSS}), from
 * the instant power fails until the ECU runs its old bank again, its boot time later. Meanwhile the
 * ECU is off and answers nothing. In memory only: a restart meanwhile is a restart while flashing
 * ({@link RestartRecovery}), which ends the install the same way.
 */
final class PowerOutage {

  private final String ecuId;
  private final Logger log;
  private Ecu.PowerLost lost;

  PowerOutage(String ecuId, Logger log) {
    this.ecuId = ecuId;
    this.log = log;
  }

  /** Whether the ECU is off. */
  boolean off() {
    return lost != null;
  }

  /** Power failed; false when {@code cmd} is not about the open download's write. */
  boolean failed(Ecu.State state, Ecu.PowerLost cmd) {
    if (!state.download().transferId().equals(cmd.transferId())) {
      return false;
    }
    log.warn(
        "{} power lost after {} of {} bytes written",
        ecuId,
        cmd.written(),
        state.download().image().length());
    lost = cmd;
    return true;
  }

  /**
   * Power is back and the old bank runs: why the install failed, or null when {@code cmd} ends no
   * outage of this ECU's.
   */
  String restored(Ecu.State state, Ecu.PowerRestored cmd) {
    Ecu.PowerLost l = lost;
    if (l == null || !l.transferId().equals(cmd.transferId())) {
      return null;
    }
    lost = null;
    return "POWER_LOSS: power failed after "
        + l.written()
        + " of "
        + state.download().image().length()
        + " bytes written to bank "
        + state.banks().inactive()
        + "; restarted on bank "
        + state.banks().active();
  }
}
