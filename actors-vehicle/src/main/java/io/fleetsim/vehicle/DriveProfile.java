package io.fleetsim.vehicle;

import com.typesafe.config.Config;
import io.fleetsim.cluster.Seeds;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * When a vehicle is parked over the simulated day: {@code fleetsim.vehicle.drive}, either one
 * {@code parked-share} for every hour or {@code parked-by-hour}, 24 shares from midnight UTC.
 *
 * <p>Whether vehicle VIN is parked during hour {@code H} (hours since 1970-01-01T00:00Z of the
 * simulated instant; its hour of day is {@code H mod 24}) is a uniform draw from (seed, VIN, H)
 * below the share of that hour of day: a pure function, the same on every node, run and
 * incarnation, which nothing needs to store. A share of 1 is always parked and a share of 0 never,
 * without a draw. The default, parked at every hour, is the vehicle as it was before the profile:
 * its drive state changes only by {@link Vehicle.SetDriveState}.
 */
public final class DriveProfile {

  public static final long HOUR_MILLIS = 3_600_000L;

  /**
   * How far {@link #nextParked} looks, in hours: a year. A profile with a share above 0 at some
   * hour finds a parked hour long before, unless that share is vanishingly small.
   */
  static final int SCAN_HOURS = 366 * 24;

  /** Parked at every hour: no draw, no event, no timer. */
  public static final DriveProfile ALWAYS_PARKED = parkedShare(1.0);

  private final double[] byHour;
  private final boolean alwaysParked;
  private final boolean neverParked;

  private DriveProfile(double[] byHour) {
    this.byHour = byHour;
    this.alwaysParked = Arrays.stream(byHour).allMatch(p -> p >= 1.0);
    this.neverParked = Arrays.stream(byHour).allMatch(p -> p <= 0.0);
  }

  /** The same share at every hour of the day. */
  public static DriveProfile parkedShare(double share) {
    check(share, "parked-share");
    double[] h = new double[24];
    Arrays.fill(h, share);
    return new DriveProfile(h);
  }

  /** One share per hour of the day, hour 0 being midnight UTC; exactly 24 of them. */
  public static DriveProfile parkedByHour(List<? extends Number> shares) {
    if (shares.size() != 24) {
      throw new IllegalArgumentException(
          "fleetsim.vehicle.drive.parked-by-hour must have 24 shares (hour 0 = midnight UTC), had "
              + shares.size());
    }
    double[] h = new double[24];
    for (int i = 0; i < 24; i++) {
      h[i] = shares.get(i).doubleValue();
      check(h[i], "parked-by-hour[" + i + "]");
    }
    return new DriveProfile(h);
  }

  private static void check(double share, String what) {
    if (!(share >= 0.0 && share <= 1.0)) {
      throw new IllegalArgumentException(
          "fleetsim.vehicle.drive." + what + " must be between 0 and 1, was " + share);
    }
  }

  /**
   * {@code fleetsim.vehicle.drive}: {@code parked-by-hour} when it is not empty, else {@code
   * parked-share}; setting both (a share other than 1 beside a list) is refused.
   */
  public static DriveProfile fromConfig(Config root) {
    Config c = root.getConfig("fleetsim.vehicle.drive");
    List<Double> hours = c.getDoubleList("parked-by-hour");
    double share = c.getDouble("parked-share");
    if (hours.isEmpty()) {
      return share >= 1.0 ? ALWAYS_PARKED : parkedShare(share);
    }
    if (share != 1.0) {
      throw new IllegalArgumentException(
          "fleetsim.vehicle.drive: set parked-share or parked-by-hour, not both");
    }
    return parkedByHour(hours);
  }

  /** Whether the vehicle is parked at every hour (the default): the profile never acts. */
  public boolean alwaysParked() {
    return alwaysParked;
  }

  /** The share of the fleet parked during {@code hourOfDay} (0 to 23, UTC). */
  public double parkedShareAt(int hourOfDay) {
    return byHour[hourOfDay];
  }

  /** The hour since 1970-01-01T00:00Z that {@code t} falls in. */
  public static long hourOf(Instant t) {
    return Math.floorDiv(t.toEpochMilli(), HOUR_MILLIS);
  }

  /** Whether vehicle {@code vin} is parked during hour {@code hour} (hours since the epoch). */
  public boolean parked(long scenarioSeed, String vin, long hour) {
    return parked(key(scenarioSeed, vin), hour);
  }

  /** As above, at instant {@code t}. */
  public boolean parkedAt(long scenarioSeed, String vin, Instant t) {
    return parked(scenarioSeed, vin, hourOf(t));
  }

  /**
   * The first instant at or after {@code t} at which vehicle {@code vin} is parked: {@code t}
   * itself when it is parked then, else the start of the first parked hour after it. Empty
   * ("never") when the share is 0 at every hour, or no hour of the next {@link #SCAN_HOURS} is
   * parked.
   */
  public Optional<Instant> nextParked(long scenarioSeed, String vin, Instant t) {
    if (neverParked) {
      return Optional.empty();
    }
    long key = key(scenarioSeed, vin);
    long h0 = hourOf(t);
    if (parked(key, h0)) {
      return Optional.of(t);
    }
    for (long h = h0 + 1; h <= h0 + SCAN_HOURS; h++) {
      if (parked(key, h)) {
        return Optional.of(Instant.ofEpochMilli(h * HOUR_MILLIS));
      }
    }
    return Optional.empty();
  }

  private static long key(long scenarioSeed, String vin) {
    return Seeds.entitySeed(scenarioSeed, "drive:" + vin);
  }

  private boolean parked(long key, long hour) {
    double share = byHour[(int) Math.floorMod(hour, 24L)];
    if (share >= 1.0) {
      return true;
    }
    if (share <= 0.0) {
      return false;
    }
    return Seeds.unit(Seeds.splitMix64(key ^ Seeds.splitMix64(hour))) < share;
  }

  @Override
  public String toString() {
    return "DriveProfile" + Arrays.toString(byHour);
  }
}
