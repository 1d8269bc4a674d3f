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
 * <p>Checks made at once to confirm a refusal are bounded ({@link #MAX_CHECKS_AGAIN}): on a link
 * that corrupts what it carries every check refuses something else, and a vehicle checking again at
 * once after each would check without end, one round trip after another. Past the bound it waits
 * for its next poll, which confirms, or not, what was refused last.
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
    REPORT,
    /**
     * Refused otherwise at every check made at once to confirm: the next poll checks again. The
     * refusal stays seen once, so that a poll refusing the same reports it.
     */
    WAIT
  }

  /** Checks made at once, one after another, to confirm refusals that kept differing. */
  static final int MAX_CHECKS_AGAIN = 3;

  /** Checks made at once since the last poll's refusal was first seen. */
  private int checksAgain;

  /** The key of a refusal seen once and not yet confirmed, else null. */
  private String seenOnce;

  /**
   * A check refused what {@code key} names; {@code reportedKey} is the last refusal reported (the
   * state's, null when none was).
   */
  Step refused(String key, String reportedKey) {
    if (key.equals(reportedKey)) {
      seenOnce = null;
      checksAgain = 0;
      return Step.REPORTED_ALREADY;
    }
    if (!key.equals(seenOnce)) {
      seenOnce = key;
      if (checksAgain >= MAX_CHECKS_AGAIN) {
        checksAgain = 0;
        return Step.WAIT;
      }
      checksAgain++;
      return Step.CHECK_AGAIN;
    }
    seenOnce = null;
    checksAgain = 0;
    return Step.REPORT;
  }

  /** A check refused nothing: a refusal seen before it is no longer confirmed by the next one. */
  void verified() {
    seenOnce = null;
    checksAgain = 0;
  }
}
