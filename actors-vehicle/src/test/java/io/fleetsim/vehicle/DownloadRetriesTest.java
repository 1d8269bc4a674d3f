package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A failed download is tried again until its attempts are used up, each update on its own. */
class DownloadRetriesTest {

  @Test
  void threeAttemptsMeanTwoRetriesThenFailure() {
    DownloadRetries r = new DownloadRetries(3);
    assertTrue(r.tryAgain("u1"));
    assertTrue(r.tryAgain("u1"));
    assertFalse(r.tryAgain("u1"));
    assertEquals(" (after 3 attempts)", r.tried());
    // Another update starts with all its attempts.
    assertTrue(r.tryAgain("u2"));
    // Once given up, the same update id would start over (a new check makes a new id anyway).
    assertTrue(r.tryAgain("u1"));
  }

  @Test
  void oneAttemptMeansNoRetryAndZeroIsRefused() {
    DownloadRetries once = new DownloadRetries(1);
    assertFalse(once.tryAgain("u1"));
    assertEquals(" (after 1 attempt)", once.tried());
    assertThrows(IllegalArgumentException.class, () -> new DownloadRetries(0));
  }
}
