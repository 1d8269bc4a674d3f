package io.fleetsim.faults;

/** Where a fault is applied: the only places fleetsim changes a real message or operation. */
public enum Point {
  /** The vehicle's network link to the cloud: every exchange of metadata, images, manifests. */
  LINK,
  /**
   * The in-vehicle bus: transfers from the primary to its ECUs, their frames, requests and answers,
   * and the image bytes they carry.
   */
  BUS,
  /** An ECU's flash and boot. */
  ECU,
  /**
   * A repository's signing: what the Director signs and serves for one vehicle, signed instead with
   * keys an attacker stole from it ({@link RepositorySigning}).
   */
  REPOSITORY
}
