package io.fleetsim.ecu;

import io.fleetsim.cluster.CborSerializable;
import java.util.Objects;

/**
 * The two flash banks of an ECU and which one the bootloader starts. Every change returns new
 * banks, so the event handler states each step of an install in one call.
 */
public record Banks(Bank a, Bank b, Bank.Slot active) implements CborSerializable {

  public Banks {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(active, "active");
  }

  /** A factory-fresh ECU: {@code installed} in bank A, bank B erased. */
  public static Banks of(Bank installed) {
    return new Banks(installed, Bank.ERASED, Bank.Slot.A);
  }

  public Bank bank(Bank.Slot slot) {
    return slot == Bank.Slot.A ? a : b;
  }

  public Bank activeBank() {
    return bank(active);
  }

  /** The bank an install writes: never the one running. */
  public Bank.Slot inactive() {
    return active.other();
  }

  Banks write(Bank.Slot slot, Bank bank) {
    return new Banks(slot == Bank.Slot.A ? bank : a, slot == Bank.Slot.B ? bank : b, active);
  }

  /**
   * The bank in {@code slot} marked unbootable: erased for writing, or a write or boot that failed.
   */
  Banks invalidate(Bank.Slot slot) {
    return write(slot, bank(slot).invalidated());
  }

  Banks activate(Bank.Slot slot) {
    return new Banks(a, b, slot);
  }
}
