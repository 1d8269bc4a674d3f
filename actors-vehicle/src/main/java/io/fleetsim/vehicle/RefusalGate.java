package io.fleetsim.vehicle;

/**
 * When refused metadata is reported to the Director: once per refused state, not on every poll.
 * Until the Director acts on the report (closes the assignment, or new metadata replaces what was
 * refused), every poll fetches and refuses the very same metadata, and reporting each time would
 * sign and send a manifest and write an event per poll with nothing new in it. A new assignment or
 * other refused director files are a new state and are reported again.
 *
 * <p>A refusal is reported when a second check, made at once, refuses the same: a repository that
 * re-signs between two fetches of one check (an assignment made at that very moment) hands out
 * files that do not fit together though nothing was attacked, and the next check then sees a
 * consistent set.
 *
 * <p>The refusal seen once is not persisted: a restarted vehicle checks twice again.
 */
final class RefusalGate {

  /** What the vehicle does with a refusal. */
  enum Step {
    /** The Director has this refusal already: nothing to report. */
    REPORTED_ALREADY,
    /** Seen once: check again at once to confirm it. */
    CHECK_AGAIN,
    /** Confirmed by a second check: report it. */
    REPORT
  }

  /** The key of a refusal seen once and not yet confirmed, else null. */
  private String seenOnce;

  /**
   * A check refused what {@code key} names; {@code reportedKey} is the last refusal reported (the
   * state's, null when none was).
   */
  Step refused(String key, String reportedKey) {
    if (key.equals(reportedKey)) {
      seenOnce = null;
      return Step.REPORTED_ALREADY;
    }
    if (!key.equals(seenOnce)) {
      seenOnce = key;
      return Step.CHECK_AGAIN;
    }
    seenOnce = null;
    return Step.REPORT;
  }

  /** A check refused nothing: a refusal seen before it is no longer confirmed by the next one. */
  void verified() {
    seenOnce = null;
  }
}
