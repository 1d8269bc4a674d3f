package io.fleetsim.uptane.client;

import java.util.Objects;

/**
 * The bytes of one repository's trusted metadata, as a client persists them between refreshes
 * (timestamp, snapshot and targets are {@code null} before the first successful refresh).
 */
public record TrustedState(byte[] root, byte[] timestamp, byte[] snapshot, byte[] targets) {
  public TrustedState {
    Objects.requireNonNull(root, "a trusted root is required");
  }

  public static TrustedState ofRoot(byte[] root) {
    return new TrustedState(root, null, null, null);
  }
}
