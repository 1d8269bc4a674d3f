package io.fleetsim.uptane.metadata;

/**
 * Upper bounds on metadata sizes, checked before bytes are read whole so endless data cannot
 * exhaust memory. Generous for a fleet: an image repository with tens of thousands of targets fits.
 */
public final class Limits {
  private Limits() {}

  public static final int ROOT = 512 * 1024;
  public static final int TIMESTAMP = 16 * 1024;
  public static final int SNAPSHOT = 2 * 1024 * 1024;
  public static final int TARGETS = 16 * 1024 * 1024;
  public static final int MANIFEST = 1024 * 1024;
  public static final int ECU_REPORT = 64 * 1024;

  public static int forRole(Role role) {
    switch (role) {
      case ROOT:
        return ROOT;
      case TIMESTAMP:
        return TIMESTAMP;
      case SNAPSHOT:
        return SNAPSHOT;
      default:
        return TARGETS;
    }
  }
}
