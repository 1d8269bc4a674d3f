package io.fleetsim.uptane.client;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import java.util.Map;

/**
 * Where a client gets metadata files ("2.root.json", "timestamp.json", ...). An implementation must
 * stop reading past {@code maxLength} and throw ENDLESS_DATA, so a malicious server cannot exhaust
 * memory. Returns {@code null} when the repository has no such file (how the root chain update
 * learns it has reached the newest root).
 */
@FunctionalInterface
public interface MetadataFetcher {
  byte[] fetch(String fileName, long maxLength) throws VerificationException;

  /** A fetcher over files already in memory, enforcing {@code maxLength}. */
  static MetadataFetcher fromMap(Map<String, byte[]> files) {
    return (name, max) -> {
      byte[] b = files.get(name);
      if (b != null && b.length > max) {
        throw new VerificationException(
            Attack.ENDLESS_DATA,
            name + " is " + b.length + " bytes, more than the " + max + " allowed");
      }
      return b;
    };
  }
}
