package io.fleetsim.cloud;

import io.fleetsim.cluster.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The pure rules of a campaign: what makes a spec acceptable (each problem naming its field), how
 * targets are ordered into waves and cut into target groups, and which event a per-vehicle fact
 * leads to in its group.
 */
final class CampaignSpecs {

  private CampaignSpecs() {}

  /** {@code fleetsim.cloud.campaign-group-size}: the most vehicles one target group holds. */
  static int groupSize(com.typesafe.config.Config config) {
    int n = config.getInt("fleetsim.cloud.campaign-group-size");
    if (n < 1) {
      throw new IllegalArgumentException(
          "fleetsim.cloud.campaign-group-size must be at least 1, was " + n);
    }
    return n;
  }

  static List<String> problems(Campaign.Spec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec: must be given");
      return problems;
    }
    if (spec.filter() == null) {
      problems.add("filter: must be given");
    } else {
      problems.addAll(spec.filter().problems());
    }
    if (spec.firmwareVersion() == null || spec.firmwareVersion().isBlank()) {
      problems.add("firmwareVersion: must not be empty");
    }
    if (spec.waves() == null) {
      problems.add("waves: must be given");
    } else {
      problems.addAll(spec.waves().problems());
    }
    if (spec.policy() == null) {
      problems.add("policy: must be given");
    } else {
      problems.addAll(spec.policy().problems());
    }
    return problems;
  }

  /** Why {@code image} cannot serve {@code spec}'s filter, or null when it fits. */
  static String fitProblem(Campaign.Spec spec, FirmwareImage image) {
    TargetFilter f = spec.filter();
    if (!image.ecuType().equals(f.ecuType())) {
      return "firmware: image "
          + image.targetName()
          + " is for ECU type "
          + image.ecuType()
          + ", the filter targets "
          + f.ecuType();
    }
    for (String hw : f.hardwareIds()) {
      if (!image.hardwareIds().contains(hw)) {
        return "filter.hardwareIds: image "
            + image.targetName()
            + " fits "
            + image.hardwareIds()
            + ", not "
            + hw;
      }
    }
    return null;
  }

  /** VIN order first so the shuffle depends on the seed only, not on how the store pages. */
  static List<FleetVehicle> order(List<FleetVehicle> targets, long seed, String campaignId) {
    List<FleetVehicle> ordered = new ArrayList<>(targets);
    ordered.sort(Comparator.comparing(FleetVehicle::vin));
    Collections.shuffle(ordered, new Random(Seeds.entitySeed(seed, "campaign/" + campaignId)));
    return ordered;
  }

  /** What each vehicle runs on the ECU the filter targets: what a rollback returns to. */
  static Map<String, String> previousVersions(List<FleetVehicle> vehicles, TargetFilter filter) {
    Map<String, String> previous = new HashMap<>();
    for (FleetVehicle v : vehicles) {
      v.ecus().stream()
          .filter(filter::matchesEcu)
          .findFirst()
          .ifPresent(e -> previous.put(v.vin(), e.installedVersion()));
    }
    return previous;
  }

  /**
   * The canonical order of the facts in one batch: by kind in the order a vehicle's facts are
   * caused (assignment answered, vehicle in progress, outcome), then by vehicle, assignment and
   * content. Facts of one instant arrive in no fixed order; sorting them makes the events of a
   * batch a function of its facts alone.
   */
  static final Comparator<Campaign.Command> FACT_ORDER =
      Comparator.comparingInt(CampaignSpecs::factRank)
          .thenComparing(CampaignSpecs::factKey, Comparator.nullsFirst(Comparator.naturalOrder()));

  private static int factRank(Campaign.Command fact) {
    if (fact instanceof Campaign.AssignmentReplied) {
      return 0;
    }
    if (fact instanceof Campaign.RecordInProgress) {
      return 1;
    }
    if (fact instanceof Campaign.RecordOutcome) {
      return 2;
    }
    return fact instanceof Campaign.GroupReported ? 3 : 4;
  }

  /** Everything a fact says, as one comparable string (the reply address excluded). */
  private static String factKey(Campaign.Command fact) {
    if (fact instanceof Campaign.AssignmentReplied c) {
      return String.join("\0", c.vin(), c.assignmentId(), String.valueOf(c.error()));
    }
    if (fact instanceof Campaign.RecordInProgress c) {
      return String.join("\0", c.vin(), c.assignmentId());
    }
    if (fact instanceof Campaign.GroupReported c) {
      return String.format("%010d\0%019d", c.report().group(), c.report().version());
    }
    if (fact instanceof Campaign.RecordOutcome c) {
      Director.Outcome o = c.outcome();
      return String.join(
          "\0",
          o.vin(),
          o.assignmentId(),
          String.valueOf(o.outcome()),
          String.valueOf(o.reason()),
          String.valueOf(o.installedVersion()),
          String.valueOf(o.at()));
    }
    return fact.toString();
  }

  /**
   * The event a fact leads to in the group that holds its vehicle, or null when it no longer
   * applies (late, repeated, another attempt's, unknown).
   */
  static CampaignTargets.Event factEvent(CampaignTargets.State s, Campaign.Command fact) {
    if (fact instanceof Campaign.AssignmentReplied c) {
      if (!s.isCurrent(c.vin(), c.assignmentId())
          || s.target(c.vin()).stage() != CampaignTargets.Stage.PENDING) {
        return null;
      }
      return c.error() == null
          ? new CampaignTargets.AssignmentAccepted(c.vin(), c.assignmentId())
          : new CampaignTargets.AssignmentRefused(c.vin(), c.assignmentId(), c.error());
    }
    if (fact instanceof Campaign.RecordInProgress c) {
      return s.isCurrent(c.vin(), c.assignmentId())
              && s.target(c.vin()).stage() == CampaignTargets.Stage.ASSIGNED
          ? new CampaignTargets.VehicleInProgress(c.vin(), c.assignmentId())
          : null;
    }
    if (fact instanceof Campaign.RecordOutcome c) {
      Director.Outcome o = c.outcome();
      if (!s.isCurrent(o.vin(), o.assignmentId()) || s.target(o.vin()).settled()) {
        return null;
      }
      return new CampaignTargets.OutcomeRecorded(
          o.vin(), o.assignmentId(), o.outcome(), o.reason(), o.installedVersion(), o.at());
    }
    return null;
  }

  /** The assignment id a per-vehicle fact names, or null for a fact that names none. */
  static String assignmentOf(Campaign.Command fact) {
    if (fact instanceof Campaign.AssignmentReplied c) {
      return c.assignmentId();
    }
    if (fact instanceof Campaign.RecordInProgress c) {
      return c.assignmentId();
    }
    if (fact instanceof Campaign.RecordOutcome c) {
      return c.outcome().assignmentId();
    }
    return null;
  }

  /**
   * Cuts each wave into groups of at most {@code groupSize} vehicles, numbered across waves: per
   * wave, the members of each of its groups.
   */
  static List<List<List<CampaignTargets.Member>>> groups(
      List<List<String>> waves, Map<String, String> previous, int groupSize) {
    List<List<List<CampaignTargets.Member>>> out = new ArrayList<>();
    for (List<String> wave : waves) {
      List<List<CampaignTargets.Member>> groups = new ArrayList<>();
      for (int from = 0; from < wave.size(); from += groupSize) {
        List<CampaignTargets.Member> members = new ArrayList<>();
        for (String vin : wave.subList(from, Math.min(wave.size(), from + groupSize))) {
          members.add(new CampaignTargets.Member(vin, previous.get(vin)));
        }
        groups.add(members);
      }
      out.add(groups);
    }
    return out;
  }
}
