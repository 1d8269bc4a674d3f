package io.fleetsim.uptane;

/** The attack a refused piece of metadata, manifest or image would have carried out. */
public enum Attack {
  /** A signature does not verify with the key it claims. */
  BAD_SIGNATURE,
  /** Some signatures verify, but fewer distinct trusted keys than the role's threshold. */
  THRESHOLD_NOT_MET,
  /**
   * Signed only by keys the trusted root does not list for that role: the attacker's own, or one a
   * newer root revoked.
   */
  UNKNOWN_KEY,
  /** Older metadata (or image release) than what is already trusted or installed. */
  ROLLBACK,
  /**
   * Metadata whose version was pushed ahead: a root that skips versions, or trusted metadata of a
   * far-future version that a key rotation showed to be the attacker's (dropped, so that the
   * repository's current metadata is accepted again: TUF 5.3.11).
   */
  FAST_FORWARD,
  /** Expired metadata: a client could be kept on stale data forever. */
  FREEZE,
  /** Pieces that do not belong together: versions, hashes or targets that disagree. */
  MIX_AND_MATCH,
  /** An image, or metadata describing one, whose length or hashes do not match. */
  ARBITRARY_SOFTWARE,
  /** More bytes than allowed: refused before reading them whole. */
  ENDLESS_DATA,
  /** A target meant for another hardware type. */
  WRONG_HARDWARE,
  /** A target or report for an ECU that is not the one expected or not known. */
  WRONG_ECU,
  /** A manifest or report that was accepted before (or is older than the last accepted). */
  REPLAY,
  /** Bytes that are not well-formed metadata at all. */
  MALFORMED
}
