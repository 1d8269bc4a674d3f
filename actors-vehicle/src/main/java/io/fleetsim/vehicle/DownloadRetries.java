package io.fleetsim.vehicle;

import java.util.HashMap;
import java.util.Map;

/**
 * How often a download that failed on the way (no answer, the link lost it) is tried again before
 * the update ends FAILED, as an OTA client resumes a download. Bytes that fail verification are
 * never fetched again; that is a refusal, not a failure on the way. Not state: a restarted vehicle
 * starts its download over anyway.
 */
final class DownloadRetries {

  private final int attempts;
  private final Map<String, Integer> failed = new HashMap<>();

  DownloadRetries(int attempts) {
    if (attempts < 1) {
      throw new IllegalArgumentException("download-attempts must be at least 1, was " + attempts);
    }
    this.attempts = attempts;
  }

  /** Counts a failed attempt of the update's download; true when it may be tried again. */
  boolean tryAgain(String updateId) {
    if (failed.merge(updateId, 1, Integer::sum) < attempts) {
      return true;
    }
    failed.remove(updateId);
    return false;
  }

  /** What to add to the reason of a download that failed for good. */
  String tried() {
    return " (after " + attempts + (attempts == 1 ? " attempt)" : " attempts)");
  }
}
