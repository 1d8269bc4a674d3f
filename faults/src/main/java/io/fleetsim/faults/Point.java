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
   * A repository's signing: what the Director or image repository signs and serves. No kind acts
   * here yet; the attacker on the link changes what they serve.
   */
  REPOSITORY
}
