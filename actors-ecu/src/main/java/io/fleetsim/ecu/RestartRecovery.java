package io.fleetsim.ecu;

/**
 * What a restart in the middle of an install means for it, decided once the Ecu's journal is
 * replayed in FLASHING or REBOOTING (the flash timer and the boot child did not survive). Pure: the
 * {@link Ecu} persists the event and flashes, boots or tells the bus accordingly.
 *
 * <ul>
 *   <li>FLASHING: the bytes of an interrupted flash are gone (only their hash was kept), so the
 *       half-written bank is marked invalid and the install reported FAILED: nothing sends the
 *       image again, the assignment ends with that outcome and a new one has to be made.
 *   <li>REBOOTING: the new bank was fully written and verified, so the restart is treated as a
 *       power cut: the bootloader tries it again, up to {@code max-boot-attempts}, then falls back.
 * </ul>
 */
final class RestartRecovery {

  private RestartRecovery() {}

  /**
   * {@link Ecu.FlashInterrupted}, {@link Ecu.BootStarted} (boot again) or {@link Ecu.RolledBack}.
   */
  static Ecu.Event after(Ecu.State state, int maxBootAttempts) {
    String transferId = state.download().transferId();
    if (state.phase() == Ecu.Phase.FLASHING) {
      Bank.Slot slot = state.banks().inactive();
      return new Ecu.FlashInterrupted(transferId, slot, "restart while flashing bank " + slot);
    }
    if (state.bootAttempt() >= maxBootAttempts) {
      String reason =
          "restart during boot attempt " + state.bootAttempt() + " of " + maxBootAttempts;
      return new Ecu.RolledBack(transferId, state.banks().active(), reason);
    }
    return new Ecu.BootStarted(transferId, state.bootAttempt() + 1);
  }
}
