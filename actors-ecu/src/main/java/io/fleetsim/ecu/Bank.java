package io.fleetsim.ecu;

import io.fleetsim.cluster.CborSerializable;
import java.util.Objects;

/**
 * One flash bank as the bootloader sees it. The image bytes themselves are not kept: the bank is
 * simulated hardware, and the hash and length are what verification and version reports need.
 *
 * @param version the target name the director assigned (e.g. {@code engine-2.1.0.bin})
 * @param valid false while the bank is erased, being written, or after a write was interrupted; the
 *     bootloader never boots an invalid bank
 */
public record Bank(String version, String sha256, long length, long releaseCounter, boolean valid)
    implements CborSerializable {

  public Bank {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(sha256, "sha256");
    if (length < 0 || releaseCounter < 0) {
      throw new IllegalArgumentException("negative length or release counter");
    }
  }

  public static final Bank ERASED = new Bank("", "", 0, 0, false);

  /** The same bank, marked unbootable (erased before writing, or a write that did not finish). */
  public Bank invalidated() {
    return new Bank(version, sha256, length, releaseCounter, false);
  }

  /** Which of the two banks. */
  public enum Slot {
    A,
    B;

    public Slot other() {
      return this == A ? B : A;
    }
  }
}
