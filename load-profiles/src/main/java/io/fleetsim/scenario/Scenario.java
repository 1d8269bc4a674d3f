package io.fleetsim.scenario;

import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Selector;
import io.fleetsim.faults.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One experiment, as a scenario file describes it: the fleet to build, the firmware to publish, the
 * campaigns that roll it out, the faults and attacks on a timeline, and the assertions whose
 * outcome is the run's answer. Built and validated by {@link ScenarioFile}; every instance is
 * consistent (shares sum to 1, references resolve). Durations are simulated time; offsets ({@code
 * at}, {@code startAt}) count from the run's start.
 *
 * @param name short name, used for report file names
 * @param description the question the scenario answers (the file's header)
 * @param seed every random choice of the run derives from it
 * @param pace simulated seconds per wall second at most; 0 runs as fast as the machine allows
 */
public record Scenario(
    String name,
    String description,
    long seed,
    double pace,
    Fleet fleet,
    List<Firmware> firmware,
    List<Campaign> campaigns,
    List<TimelineEntry> timeline,
    List<Assertion> assertions,
    List<KeyRotation> keyRotations) {

  /**
   * A rotation of the Director's {@code role} key (timestamp or snapshot) {@code at} after the
   * run's start: the next root version comes into force then ({@code fleetsim.director
   * .key-rotations}). Fast-forward and revoked-key attacks need one.
   */
  public record KeyRotation(String role, Duration at) {}

  /** The ECU types a scenario may name. */
  public static final List<String> ECU_TYPES =
      List.of(
          "ENGINE",
          "TRANSMISSION",
          "BRAKES",
          "ADAS",
          "INFOTAINMENT",
          "TELEMATICS",
          "BODY",
          "BATTERY_MANAGEMENT",
          "GATEWAY");

  /** How an ECU is reached from the gateway. */
  public static final List<String> BUS_KINDS = List.of("classic-can", "can-fd", "doip");

  /** The environments vehicles are split between. */
  public static final List<String> ENVIRONMENTS = List.of("blue", "green");

  public Scenario {
    firmware = List.copyOf(firmware);
    campaigns = List.copyOf(campaigns);
    timeline = List.copyOf(timeline);
    assertions = List.copyOf(assertions);
  }

  /** The campaign {@code id}, if the scenario has it. */
  public Optional<Campaign> campaign(String id) {
    return campaigns.stream().filter(c -> c.id().equals(id)).findFirst();
  }

  /** The firmware entry of {@code ecuType} at {@code version}, if the scenario publishes it. */
  public Optional<Firmware> firmware(String ecuType, String version) {
    return firmware.stream()
        .filter(f -> f.ecuType().equals(ecuType) && f.version().equals(version))
        .findFirst();
  }

  /** The timeline as fault rules, for a run whose simulated clock starts at {@code epoch}. */
  public List<FaultRule> faultRules(Instant epoch) {
    return timeline.stream().map(t -> t.toFaultRule(epoch)).toList();
  }

  /**
   * The vehicles to build.
   *
   * @param regions region name to share of the fleet (sum 1)
   * @param models vehicle model name to its share and ECU set (shares sum 1)
   * @param networkProfiles network profile name ({@code 5g}, {@code lte}, {@code rural}, ...) to
   *     share (sum 1)
   * @param consentDelay how long a driver takes to consent when a campaign asks for consent
   * @param environments {@code blue}/{@code green} to share (sum 1)
   */
  public record Fleet(
      int size,
      Map<String, Double> regions,
      Map<String, VehicleModel> models,
      Map<String, Double> networkProfiles,
      Drive drive,
      Duration consentDelay,
      Map<String, Double> environments) {
    public Fleet {
      regions = ordered(regions);
      models = ordered(models);
      networkProfiles = ordered(networkProfiles);
      environments = ordered(environments);
    }
  }

  /** A vehicle model: its share of the fleet and the ECUs every vehicle of it has. */
  public record VehicleModel(double share, List<EcuSlot> ecus) {
    public VehicleModel {
      ecus = List.copyOf(ecus);
    }
  }

  /**
   * One ECU of a vehicle model.
   *
   * @param ecuType one of {@link #ECU_TYPES}
   * @param busKind one of {@link #BUS_KINDS}
   * @param firmware the version it runs when the fleet is built
   */
  public record EcuSlot(String ecuType, String hardwareId, String busKind, String firmware) {}

  /**
   * When vehicles are parked (an install that requires parking waits for it): either one share for
   * the whole day, or 24 shares, one per simulated hour of the day from midnight.
   */
  public record Drive(Optional<Double> parkedShare, List<Double> parkedByHour) {
    public Drive {
      parkedByHour = List.copyOf(parkedByHour);
      if (parkedShare.isPresent() == (parkedByHour.size() == 24)) {
        throw new IllegalArgumentException("a drive is a parkedShare or 24 parkedByHour shares");
      }
    }

    /** Always parked: no install ever waits for a drive to end. */
    public static Drive alwaysParked() {
      return new Drive(Optional.of(1.0), List.of());
    }

    /** The share of the fleet parked in hour {@code hour} (0 to 23) of a simulated day. */
    public double parkedShareAt(int hour) {
      return parkedShare.orElseGet(() -> parkedByHour.get(Math.floorMod(hour, 24)));
    }
  }

  /** An image to publish to the ImageRepository before the campaigns start. */
  public record Firmware(String ecuType, String version, long releaseCounter, long sizeBytes) {}

  /** What to do when a wave's failure threshold trips. */
  public enum OnFailure {
    PAUSE,
    ABORT
  }

  /**
   * One rollout.
   *
   * @param waves cumulative percentages of the targets, increasing, the last 100
   * @param soak simulated time a wave runs before it may advance
   * @param successThreshold share of a wave that must succeed for it to advance
   * @param failureThreshold share of a wave failed or rolled back at which {@code onFailure} acts
   * @param timeLimit each vehicle's time from its assignment to a terminal outcome
   * @param startAt offset from the run's start before which the campaign does not start
   * @param after a campaign that must complete before this one starts
   * @param rollbackOnFailure when the failure gate trips, roll the updated vehicles back
   */
  public record Campaign(
      String id,
      String ecuType,
      String version,
      Filter filter,
      List<Double> waves,
      Duration soak,
      double successThreshold,
      double failureThreshold,
      OnFailure onFailure,
      Duration timeLimit,
      boolean requireConsent,
      boolean requireParked,
      Duration startAt,
      Optional<String> after,
      boolean rollbackOnFailure) {
    public Campaign {
      waves = List.copyOf(waves);
    }
  }

  /** Which vehicles a campaign targets; an empty list means any. */
  public record Filter(
      List<String> regions, List<String> models, Optional<String> environment, List<String> tags) {
    public Filter {
      regions = List.copyOf(regions);
      models = List.copyOf(models);
      tags = List.copyOf(tags);
    }

    public static Filter any() {
      return new Filter(List.of(), List.of(), Optional.empty(), List.of());
    }
  }

  /**
   * A fault or an attack on the timeline.
   *
   * @param id the fault rule's id (unique in the scenario)
   * @param at offset from the run's start at which it begins
   * @param duration how long it acts; empty until the end of the run
   * @param params the kind's parameters (see docs/faults.md)
   */
  public record TimelineEntry(
      String id,
      FaultKind kind,
      Duration at,
      Optional<Duration> duration,
      TimelineSelector selector,
      Map<String, Double> params) {
    public TimelineEntry {
      params = ordered(params);
    }

    /**
     * The rule for a run whose simulated clock starts at {@code epochMillis} (simulated epoch
     * milliseconds, {@code SimClock.now().toEpochMilli()} at the run's start).
     */
    public FaultRule toFaultRule(long epochMillis) {
      return toFaultRule(Instant.ofEpochMilli(epochMillis));
    }

    /** The rule to add to the fault registry for a run whose simulated clock starts at epoch. */
    public FaultRule toFaultRule(Instant epoch) {
      Instant start = epoch.plus(at);
      Window window = duration.map(d -> Window.of(start, d)).orElseGet(() -> Window.from(start));
      return new FaultRule(id, kind, selector.toSelector(), params, window);
    }
  }

  /** Which vehicles or ECUs a timeline entry touches; empty sets mean any. */
  public record TimelineSelector(
      Set<String> regions,
      Set<String> vins,
      Set<String> ecuTypes,
      Optional<String> campaign,
      double percent) {
    public TimelineSelector {
      regions = Collections.unmodifiableSet(new LinkedHashSet<>(regions));
      vins = Collections.unmodifiableSet(new LinkedHashSet<>(vins));
      ecuTypes = Collections.unmodifiableSet(new LinkedHashSet<>(ecuTypes));
    }

    public static TimelineSelector all() {
      return new TimelineSelector(Set.of(), Set.of(), Set.of(), Optional.empty(), 100);
    }

    public Selector toSelector() {
      return new Selector(regions, vins, ecuTypes, campaign.orElse(null), percent);
    }
  }

  private static <V> Map<String, V> ordered(Map<String, V> m) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }
}
