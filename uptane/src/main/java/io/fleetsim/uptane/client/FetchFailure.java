package io.fleetsim.uptane.client;

/**
 * Why a repository did not deliver a file. These are network and server conditions, not attacks: a
 * client retries or reports them, and never takes one for a verdict on the metadata.
 */
public enum FetchFailure {
  /** The repository has no such file (HTTP 404, no such path). */
  NOT_FOUND,
  /** Nobody answered: connection refused, host unreachable, link down. */
  CONNECTION_REFUSED,
  /** The server answered with an error (HTTP 5xx, a broken transfer). */
  SERVER_ERROR,
  /** The file was longer than the client allowed; reading stopped at the limit. */
  TOO_LARGE,
  /** The transfer did not finish in time (timeout, too slow a rate). */
  TOO_SLOW
}
