package io.fleetsim.cloud;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which vehicles a campaign targets. Empty lists mean "any"; the ECU type is mandatory because an
 * assignment always names the ECU it updates. A vehicle matches when it has an ECU of {@code
 * ecuType} whose hardware id and installed version pass the filter and every other field matches.
 */
public record TargetFilter(
    String ecuType,
    List<String> regions,
    List<String> hardwareIds,
    List<String> currentVersions,
    String environment,
    Set<String> tags,
    List<String> vins,
    List<String> models) {

  public TargetFilter(
      String ecuType,
      List<String> regions,
      List<String> hardwareIds,
      List<String> currentVersions,
      String environment,
      Set<String> tags) {
    this(ecuType, regions, hardwareIds, currentVersions, environment, tags, List.of(), List.of());
  }

  public TargetFilter {
    vins = vins == null ? List.of() : List.copyOf(vins);
    regions = regions == null ? List.of() : List.copyOf(regions);
    hardwareIds = hardwareIds == null ? List.of() : List.copyOf(hardwareIds);
    currentVersions = currentVersions == null ? List.of() : List.copyOf(currentVersions);
    tags = tags == null ? Set.of() : Set.copyOf(tags);
    models = models == null ? List.of() : List.copyOf(models);
  }

  /** A listing filter that matches every vehicle. */
  public static TargetFilter any() {
    return new TargetFilter(null, List.of(), List.of(), List.of(), null, Set.of());
  }

  public static TargetFilter ecuType(String ecuType) {
    return new TargetFilter(ecuType, List.of(), List.of(), List.of(), null, Set.of());
  }

  public TargetFilter inRegions(String... rs) {
    return new TargetFilter(
        ecuType, List.of(rs), hardwareIds, currentVersions, environment, tags, vins, models);
  }

  public TargetFilter withHardwareIds(String... ids) {
    return new TargetFilter(
        ecuType, regions, List.of(ids), currentVersions, environment, tags, vins, models);
  }

  public TargetFilter withCurrentVersions(String... vs) {
    return new TargetFilter(
        ecuType, regions, hardwareIds, List.of(vs), environment, tags, vins, models);
  }

  public TargetFilter inEnvironment(String env) {
    return new TargetFilter(
        ecuType, regions, hardwareIds, currentVersions, env, tags, vins, models);
  }

  /** Vehicles carrying every one of these tags. */
  public TargetFilter withTags(String... ts) {
    return new TargetFilter(
        ecuType, regions, hardwareIds, currentVersions, environment, Set.of(ts), vins, models);
  }

  /**
   * Vehicles of any of these models. A vehicle's model is one of its tags (the fleet generator
   * names it so), so this is "one of its tags is one of these", where {@link #withTags} asks for
   * all of them.
   */
  public TargetFilter ofModels(List<String> ms) {
    return new TargetFilter(
        ecuType, regions, hardwareIds, currentVersions, environment, tags, vins, ms);
  }

  /**
   * Only these vehicles (a rollback campaign targets exactly the vehicles its campaign updated).
   */
  public TargetFilter withVins(List<String> only) {
    return new TargetFilter(
        ecuType, regions, hardwareIds, currentVersions, environment, tags, only, models);
  }

  /** Problems with the filter itself, each naming the field; empty when valid. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (ecuType == null || ecuType.isBlank()) {
      problems.add("filter.ecuType: must not be empty");
    }
    if (environment != null
        && !environment.isBlank()
        && !environment.equals("blue")
        && !environment.equals("green")) {
      problems.add("filter.environment: must be blue or green, was " + environment);
    }
    return problems;
  }

  public boolean matches(FleetVehicle v) {
    if (!vins.isEmpty() && !vins.contains(v.vin())) {
      return false;
    }
    if (!regions.isEmpty() && !regions.contains(v.region())) {
      return false;
    }
    if (environment != null && !environment.isBlank() && !environment.equals(v.environment())) {
      return false;
    }
    if (!v.tags().containsAll(tags)) {
      return false;
    }
    if (!models.isEmpty() && models.stream().noneMatch(v.tags()::contains)) {
      return false;
    }
    if (ecuType == null && hardwareIds.isEmpty() && currentVersions.isEmpty()) {
      return true;
    }
    return v.ecus().stream().anyMatch(this::matchesEcu);
  }

  public boolean matchesEcu(FleetVehicle.Ecu e) {
    // A null ECU type only occurs in fleet listings, where it means "any ECU".
    return (ecuType == null || e.ecuType().equals(ecuType))
        && (hardwareIds.isEmpty() || hardwareIds.contains(e.hardwareId()))
        && (currentVersions.isEmpty() || currentVersions.contains(e.installedVersion()));
  }
}
