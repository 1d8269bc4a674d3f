package io.fleetsim.vehicle;

/**
 * What a vehicle does after a restart, from the last event it persisted. A download starts again; a
 * distribution or install asks the bus again for every ECU without a result: the bus resumes a
 * transfer from its last acknowledged block, answers at once for one that ended, and fails one
 * whose image this node no longer holds. The phase timeout bounds the wait either way, so no ECU
 * installs twice and no phase waits forever.
 */
enum Resumption {
  /** Not active: nothing runs until it is provisioned. */
  NOTHING,
  /** Idle: the first poll, at a drawn point of one interval. */
  POLL,
  /** In REPORTING: sign again with a new counter (the Director may have accepted the last one). */
  SIGN_AGAIN,
  /** Any other phase carries on from its last event. */
  CARRY_ON;

  static Resumption of(Vehicle.State s) {
    if (s.lifecycle() != Vehicle.Lifecycle.ACTIVE) {
      return NOTHING;
    }
    if (s.update() == null) {
      return POLL;
    }
    return s.phase() == Vehicle.Phase.REPORTING ? SIGN_AGAIN : CARRY_ON;
  }
}
