package io.fleetsim.uptane.crypto;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many signatures this JVM has made and checked (and how many checks it answered from {@link
 * VerifiedSignatures}): what a benchmark divides by the updates it ran to know the cryptography one
 * update really costs. Counting is a striped add per operation, noise next to an Ed25519 operation.
 */
public final class CryptoOps {

  private static final LongAdder SIGNATURES = new LongAdder();
  private static final LongAdder VERIFICATIONS = new LongAdder();
  private static final LongAdder RECALLED = new LongAdder();

  private CryptoOps() {}

  static void signed() {
    SIGNATURES.increment();
  }

  static void verified() {
    VERIFICATIONS.increment();
  }

  static void recalledOne() {
    RECALLED.increment();
  }

  /** Signatures made so far. */
  public static long signatures() {
    return SIGNATURES.sum();
  }

  /** Signature checks computed so far, whatever their result. */
  public static long verifications() {
    return VERIFICATIONS.sum();
  }

  /** Signature checks answered from the signatures already found valid, without Ed25519. */
  public static long recalled() {
    return RECALLED.sum();
  }
}
