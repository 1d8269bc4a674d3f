package io.fleetsim.faults;

import io.fleetsim.uptane.Attack;
import java.util.Locale;
import java.util.Optional;

/**
 * Every fault and attack fleetsim injects, where it acts, and the check expected to catch it. The
 * expected check is an {@link Attack} name for what Uptane's verification refuses, {@link #TIMEOUT}
 * for what only a time limit ends (a request that never comes back, a download too slow to finish),
 * {@link #ANY} for a fault whichever check refuses is right to refuse (a byte changed on the way),
 * and empty for faults that are not attacks and that a vehicle is meant to ride out (added latency,
 * a partition that ends).
 */
public enum FaultKind {
  // ---- network, on the vehicle's link
  /** Added latency per exchange: {@code ms}, plus a seeded {@code jitterMs} (0 to jitterMs). */
  LATENCY(Point.LINK, null),
  /** A share {@code rate} (0 to 1) of exchanges lost: the request or its answer never arrives. */
  LOSS(Point.LINK, null),
  /** No exchange gets through while the rule is active: a region cut off. */
  PARTITION(Point.LINK, null),
  /** The link carries at most {@code kbps} kilobits per second. */
  BANDWIDTH(Point.LINK, null),
  /**
   * A share {@code rate} (0 to 1) of fetched files and images arrive with one byte changed: no
   * attacker, but bytes the vehicle must refuse all the same, by whichever check meets them first.
   */
  CORRUPT(Point.LINK, "ANY"),
  /**
   * A share {@code rate} (0 to 1) of exchanges' answers arrive twice, the copy one more round trip
   * later: the vehicle must act on an answer once.
   */
  DUPLICATE(Point.LINK, null),
  /**
   * A share {@code rate} (0 to 1) of exchanges' answers are held back {@code ms} (default: one more
   * round trip of that exchange), so that what the vehicle sends after them can arrive first: the
   * vehicle must act on an answer once and in order, the Director refuse a manifest older than the
   * last it accepted.
   */
  REORDER(Point.LINK, null),

  // ---- deny installation
  /** The attacker drops the vehicle's requests: nothing comes back. */
  DROP_REQUEST(Point.LINK, "TIMEOUT"),
  /** Images trickle at {@code kbps} (default 1): the download cannot finish in its time. */
  SLOW_RETRIEVAL(Point.LINK, "TIMEOUT"),
  /** The attacker keeps serving the first timestamp it saw: signed, valid, and old. */
  FREEZE(Point.LINK, Attack.FREEZE.name()),
  /**
   * Some images of an update are blocked (a share {@code share} of them, by default every image but
   * the first, at least one), the rest let through: the download cannot complete, so that a vehicle
   * installing only part of its bundle would be left with ECUs that do not fit together.
   */
  PARTIAL_BUNDLE(Point.LINK, "TIMEOUT"),
  /**
   * Every request to the image repository fails while the rule acts; the Director still answers.
   * Vehicles can neither check for updates nor download until the repository is back.
   */
  REPOSITORY_DOS(Point.LINK, "TIMEOUT"),

  // ---- interfere with ECUs
  /** An older, once valid, Director targets file replayed: the vehicle trusts a newer one. */
  ROLLBACK(Point.LINK, Attack.ROLLBACK.name()),
  /** An image with more bytes than its metadata states. */
  ENDLESS_DATA(Point.LINK, Attack.ENDLESS_DATA.name()),
  /** An image-repository targets file from an earlier snapshot served with the current one. */
  MIX_AND_MATCH(Point.LINK, Attack.MIX_AND_MATCH.name()),

  // ---- control an ECU
  /** Image bytes changed on the way: the hash check refuses them. */
  ARBITRARY_SOFTWARE(Point.LINK, Attack.ARBITRARY_SOFTWARE.name()),
  /** Director targets whose signature was changed. */
  BAD_SIGNATURE(Point.LINK, Attack.BAD_SIGNATURE.name()),
  /** Director targets re-signed by a key the vehicle's root does not trust. */
  UNTRUSTED_KEY(Point.LINK, Attack.UNKNOWN_KEY.name()),

  // ---- the repositories' signing: the Director's own keys in the attacker's hands
  /**
   * The Director's online keys are stolen (timestamp and snapshot) and {@code keys} of its targets
   * keys (default one fewer than the role's threshold, at least one). Metadata the Director signs
   * for the vehicle while the rule acts is served re-signed by them, its targets naming images of
   * the attacker's own: the vehicle's threshold check must refuse them. With a threshold of 1 the
   * one stolen key is enough, and only the check of director targets against the image repository
   * is left to catch it (counted as caught by another check).
   */
  COMPROMISED_KEY(Point.REPOSITORY, Attack.THRESHOLD_NOT_MET.name()),
  /**
   * TUF's fast-forward attack: the Director's timestamp key of root version {@code root} (default
   * 1) is stolen, and while the root in force trusts it the vehicle's timestamp is served at its
   * version plus {@code jump} (default 1,000,000), properly signed. Nothing can refuse that; once
   * the attacker stops, the Director's own timestamps would look like a rollback forever. A
   * rotation of the Director's timestamp key ({@code fleetsim.director.key-rotations}) undoes it:
   * the vehicle drops the fast-forwarded timestamp when the new root no longer trusts its key (TUF
   * 5.3.11), and records that as the detection. Without a rotation the attack stays open and is
   * reported as not caught.
   */
  FAST_FORWARD(Point.REPOSITORY, Attack.FAST_FORWARD.name()),
  /**
   * After a rotation of the Director's timestamp key, the stolen key of root version {@code root}
   * (default 1) keeps signing the vehicle's timestamp: the root in force no longer lists it, and
   * the vehicle refuses it. Acts only once a rotation revoked that key.
   */
  REVOKED_KEY(Point.REPOSITORY, Attack.UNKNOWN_KEY.name()),

  // ---- ECU and bus
  /** The new image does not boot: {@code rate} (0 to 1) of the selected ECUs' boots crash. */
  BOOT_CRASH(Point.ECU, null),
  /**
   * The new image never confirms its boot: {@code rate} (0 to 1) of the selected ECUs hang until
   * their watchdog fires and they fall back to the old bank.
   */
  BOOT_HANG(Point.ECU, null),
  /**
   * The new image boots but fails its self-test: {@code rate} (0 to 1) of the selected ECUs report
   * it and fall back to the old bank.
   */
  BOOT_SELF_TEST_FAIL(Point.ECU, null),
  /**
   * Writing the verified image to the inactive bank fails: {@code rate} (0 to 1) of the selected
   * ECUs report the install FAILED and keep running their old bank.
   */
  FLASH_WRITE_ERROR(Point.ECU, null),
  /**
   * Power fails while a share {@code rate} (0 to 1, default 1) of the selected ECUs write the
   * inactive bank, at a seeded point of the write: the half-written bank is never booted, the ECU
   * comes back on its old bank after its boot time and reports the install FAILED.
   */
  POWER_LOSS(Point.ECU, null),
  /**
   * The selected vehicles' buses lose frames at {@code rate} (0 to 1, at most the bus model's 0.9):
   * each lost frame is sent again and costs its wire time again.
   */
  CAN_FRAME_LOSS(Point.BUS, null),
  /** The selected vehicles' buses carry nothing: UDS requests and answers never arrive. */
  BUS_OFF(Point.BUS, null),
  /**
   * A byte of one block group changed on the bus on its way to the selected ECU types: the ECU's
   * hash check at RequestTransferExit must refuse the image.
   */
  BUS_TAMPERED_IMAGE(Point.BUS, Attack.ARBITRARY_SOFTWARE.name()),
  /**
   * A device on the bus answers the primary's request for an ECU's signed version report with the
   * first report of that ECU it recorded: signed by the ECU, but for an earlier manifest. The
   * Director's manifest check refuses it ({@code REPLAY}: the report's nonce is not the manifest's
   * counter), and the vehicle's update cannot be confirmed while the rule acts.
   */
  REPLAYED_REPORT(Point.BUS, Attack.REPLAY.name());

  /** What ends an attack that only a time limit can end. */
  public static final String TIMEOUT = "TIMEOUT";

  /**
   * The expected check of a fault that any check is right to refuse: the ledger counts a refusal by
   * any check as its detection, not as a false alarm nor as "caught by another check".
   */
  public static final String ANY = "ANY";

  private final Point point;
  private final String expected;

  FaultKind(Point point, String expected) {
    this.point = point;
    this.expected = expected;
  }

  /** Where the kind acts: the interception point that asks for it, and no other. */
  public Point point() {
    return point;
  }

  /** The check expected to catch it; empty for a fault a vehicle is meant to ride out. */
  public Optional<String> expectedCheck() {
    return Optional.ofNullable(expected);
  }

  /**
   * An attack: something an attacker does that a check must catch. {@link #CORRUPT} is caught too
   * but made by no attacker, so it is not one ({@link #isCaught}).
   */
  public boolean isAttack() {
    return expected != null && !ANY.equals(expected);
  }

  /**
   * Whether a check must catch it: the ledger counts it once per episode, detected or undetected,
   * as it counts attacks.
   */
  public boolean isCaught() {
    return expected != null;
  }

  /**
   * Whether an episode of this kind outlives the update it met: a fast-forward changes nothing a
   * vehicle installs, so an update that succeeds under it says nothing about whether it was caught.
   */
  public boolean outlivesUpdate() {
    return this == FAST_FORWARD;
  }

  /** Whether a refusal by {@code check} is this kind's expected detection. */
  public boolean caughtBy(String check) {
    return ANY.equals(expected) ? check != null : expected != null && expected.equals(check);
  }

  /** The kind a user writes: case and dashes do not matter ({@code bad-signature}). */
  public static FaultKind parse(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    try {
      return valueOf(n);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown fault kind '"
              + name
              + "'; known: "
              + String.join(
                  ", ",
                  java.util.Arrays.stream(values())
                      .map(k -> k.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                      .toList()));
    }
  }
}
