package io.fleetsim.faults;

import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.cluster.Seeds;
import java.util.Set;

/**
 * Which vehicles (or ECUs) a rule touches. Every field that is set must match: regions, VINs, ECU
 * types, the campaign the vehicle's update belongs to, and a seeded share of what the other fields
 * select. An empty selector is the whole fleet.
 *
 * <p>The share is drawn from (scenario seed, rule id, VIN), so the same seed gives the same
 * vehicles the same faults on every run and on every node, and two rules pick their shares
 * independently.
 */
public record Selector(
    Set<String> regions, Set<String> vins, Set<String> ecuTypes, String campaignId, double percent)
    implements CborSerializable {

  public Selector {
    regions = regions == null ? Set.of() : Set.copyOf(regions);
    vins = vins == null ? Set.of() : Set.copyOf(vins);
    ecuTypes = ecuTypes == null ? Set.of() : Set.copyOf(ecuTypes);
    if (campaignId != null && campaignId.isBlank()) {
      campaignId = null;
    }
    if (!(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException(
          "a selector's share is a percentage above 0 and at most 100, got " + percent);
    }
  }

  /** The whole fleet: a rule meant for every vehicle names nothing. */
  public static Selector all() {
    return new Selector(Set.of(), Set.of(), Set.of(), null, 100);
  }

  /** The vehicles named, and their ECUs: a fault aimed at a few vehicles a test follows. */
  public static Selector vins(Set<String> vins) {
    return all().withVins(vins);
  }

  /** One region's vehicles: a region cut off, or served by a tampered mirror. */
  public static Selector region(String region) {
    return new Selector(Set.of(region), Set.of(), Set.of(), null, 100);
  }

  /** This selector narrowed to the vehicles {@code v}; records have no setters. */
  public Selector withVins(Set<String> v) {
    return new Selector(regions, v, ecuTypes, campaignId, percent);
  }

  /** This selector narrowed to ECUs of the types {@code t}, for faults of a bus or an ECU. */
  public Selector withEcuTypes(Set<String> t) {
    return new Selector(regions, vins, t, campaignId, percent);
  }

  /** This selector narrowed to updates of one campaign, so that other campaigns run clean. */
  public Selector inCampaign(String campaign) {
    return new Selector(regions, vins, ecuTypes, campaign, percent);
  }

  /** This selector narrowed to a seeded {@code p} percent of what it selects. */
  public Selector share(double p) {
    return new Selector(regions, vins, ecuTypes, campaignId, p);
  }

  /**
   * Whether the rule {@code ruleId} touches {@code s}. A selector naming ECU types matches only ECU
   * subjects of those types; one naming none matches the vehicle and each of its ECUs.
   */
  public boolean matches(Subject s, long scenarioSeed, String ruleId) {
    if (!regions.isEmpty() && (s.region() == null || !regions.contains(s.region()))) {
      return false;
    }
    if (!vins.isEmpty() && !vins.contains(s.vin())) {
      return false;
    }
    if (!ecuTypes.isEmpty() && (s.ecuType() == null || !ecuTypes.contains(s.ecuType()))) {
      return false;
    }
    if (campaignId != null && !campaignId.equals(s.campaignId())) {
      return false;
    }
    return percent >= 100 || draw(scenarioSeed, ruleId, s.vin()) < percent / 100;
  }

  /** A uniform draw in [0, 1) for this rule and vehicle, the same on every run with the seed. */
  static double draw(long scenarioSeed, String ruleId, String vin) {
    return Seeds.draw(scenarioSeed, "fault:" + ruleId + ":" + vin, 0);
  }
}
