package io.fleetsim.uptane.manifest;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.json.JsonFields;
import java.util.Collection;

/**
 * How one update ends: the one outcome type of the whole system, from an ECU's install result to a
 * campaign's counters. Every value is terminal; "in progress" is not an outcome.
 *
 * <p>The constants are declared in precedence order, most severe first. When several results meet
 * (the ECUs of one update, or a vehicle's own report next to its ECUs' reports) the most severe
 * wins: a detected attack says more about an update than a rollback, a rollback (the new image did
 * not boot) more than a failure to deliver it, and an update succeeded only if every part of it
 * did. {@link #worse} and {@link #combine} apply that order; nothing else ranks outcomes.
 */
public enum UpdateOutcome {
  /** Refused as unsafe by the vehicle or an ECU: a verification failed, the attack is named. */
  REJECTED,
  /** Installed, but the new image did not boot: the ECU fell back to its previous bank. */
  ROLLED_BACK,
  /** Could not be carried out: download, link, bus transfer, flash, or a phase ran out of time. */
  FAILED,
  /** No terminal report arrived within the campaign's time limit for the vehicle. */
  TIMED_OUT,
  /** The Director refused the assignment (conflict, no fitting ECU, lower release counter). */
  REFUSED,
  /** Every ECU of the update runs the assigned image. */
  SUCCEEDED;

  /** The more severe of the two ({@code this} when {@code other} is null). */
  public UpdateOutcome worse(UpdateOutcome other) {
    return other == null || compareTo(other) <= 0 ? this : other;
  }

  /** The most severe of {@code outcomes}, or null when there are none. */
  public static UpdateOutcome combine(Collection<UpdateOutcome> outcomes) {
    UpdateOutcome worst = null;
    for (UpdateOutcome o : outcomes) {
      worst = o == null ? worst : o.worse(worst);
    }
    return worst;
  }

  public boolean succeeded() {
    return this == SUCCEEDED;
  }

  /** Parses an outcome name as signed in a report; anything else is MALFORMED. */
  public static UpdateOutcome parse(String name, String where) throws VerificationException {
    for (UpdateOutcome o : values()) {
      if (o.name().equals(name)) {
        return o;
      }
    }
    throw JsonFields.malformed(where, "unknown update outcome '" + name + "'");
  }
}
