package io.fleetsim.cloud;

/** What a verified version manifest says about one assignment. */
public enum UpdateOutcome {
  SUCCEEDED,
  FAILED,
  ROLLED_BACK
}
