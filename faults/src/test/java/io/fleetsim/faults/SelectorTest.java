package io.fleetsim.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SelectorTest {

  private static final long SEED = 42;

  private static final Subject VEHICLE = Subject.vehicle("VIN1", "eu-west", "campaign-1");

  private static List<String> fleet(int n) {
    return IntStream.range(0, n).mapToObj(i -> String.format("VIN%013d", i)).toList();
  }

  private static List<String> picked(Selector s, long seed, String ruleId, List<String> vins) {
    return vins.stream()
        .filter(v -> s.matches(Subject.vehicle(v, "eu-west", null), seed, ruleId))
        .toList();
  }

  @Test
  void anEmptySelectorIsTheWholeFleetAndEachOfItsEcus() {
    assertTrue(Selector.all().matches(VEHICLE, SEED, "r"));
    assertTrue(Selector.all().matches(VEHICLE.ecu("engine"), SEED, "r"));
    assertTrue(Selector.all().matches(Subject.vehicle("VIN2", null, null), SEED, "r"));
  }

  @Test
  void regionsMatchOnlyVehiclesInThem() {
    Selector s = new Selector(Set.of("eu-west", "us-east"), null, null, null, 100);
    assertTrue(s.matches(VEHICLE, SEED, "r"));
    assertTrue(s.matches(Subject.vehicle("VIN2", "us-east", null), SEED, "r"));
    assertFalse(s.matches(Subject.vehicle("VIN3", "ap-south", null), SEED, "r"));
    assertFalse(s.matches(Subject.vehicle("VIN4", null, null), SEED, "r"), "no region: not in it");
    assertTrue(Selector.region("eu-west").matches(VEHICLE, SEED, "r"));
  }

  @Test
  void vinsMatchOnlyTheVehiclesNamed() {
    Selector s = Selector.vins(Set.of("VIN1", "VIN9"));
    assertTrue(s.matches(VEHICLE, SEED, "r"));
    assertTrue(s.matches(VEHICLE.ecu("brakes"), SEED, "r"), "and their ECUs");
    assertFalse(s.matches(Subject.vehicle("VIN2", "eu-west", null), SEED, "r"));
  }

  @Test
  void ecuTypesMatchOnlyEcusOfThoseTypesNotTheVehicle() {
    Selector s = Selector.all().withEcuTypes(Set.of("engine"));
    assertTrue(s.matches(VEHICLE.ecu("engine"), SEED, "r"));
    assertFalse(s.matches(VEHICLE.ecu("brakes"), SEED, "r"));
    assertFalse(s.matches(VEHICLE, SEED, "r"));
  }

  @Test
  void aCampaignMatchesOnlyUpdatesOfThatCampaign() {
    Selector s = Selector.all().inCampaign("campaign-1");
    assertTrue(s.matches(VEHICLE, SEED, "r"));
    assertFalse(s.matches(Subject.vehicle("VIN1", "eu-west", "campaign-2"), SEED, "r"));
    assertFalse(s.matches(Subject.vehicle("VIN1", "eu-west", null), SEED, "r"));
  }

  @Test
  void everyFieldSetMustMatch() {
    Selector s =
        Selector.region("eu-west").withVins(Set.of("VIN1")).inCampaign("campaign-1").share(100);
    assertTrue(s.matches(VEHICLE, SEED, "r"));
    assertFalse(s.matches(Subject.vehicle("VIN1", "us-east", "campaign-1"), SEED, "r"));
    assertFalse(s.matches(Subject.vehicle("VIN2", "eu-west", "campaign-1"), SEED, "r"));
  }

  @Test
  void theShareIsTheSameVehiclesForTheSameSeedAndRuleOnEveryCall() {
    Selector s = Selector.all().share(30);
    List<String> vins = fleet(1_000);
    List<String> first = picked(s, SEED, "loss-1", vins);
    assertEquals(first, picked(s, SEED, "loss-1", vins));
    assertEquals(first, picked(Selector.all().share(30), SEED, "loss-1", vins), "a new selector");
  }

  @Test
  void anotherRuleOrAnotherSeedPicksAnotherShare() {
    Selector s = Selector.all().share(30);
    List<String> vins = fleet(1_000);
    List<String> first = picked(s, SEED, "loss-1", vins);
    assertNotEquals(first, picked(s, SEED, "loss-2", vins));
    assertNotEquals(first, picked(s, SEED + 1, "loss-1", vins));
  }

  @Test
  void theShareOfTenThousandVehiclesIsWithinThreePointsOfThePercent() {
    List<String> vins = fleet(10_000);
    for (double percent : new double[] {1, 10, 25, 50, 90}) {
      int n = picked(Selector.all().share(percent), SEED, "share", vins).size();
      double share = n / 100.0;
      assertTrue(
          Math.abs(share - percent) <= 3,
          percent + " % selected " + n + " of 10,000 vehicles (" + share + " %)");
    }
    assertEquals(10_000, picked(Selector.all(), SEED, "share", vins).size(), "100 % is all");
  }

  @Test
  void theShareIsTakenOfWhatTheOtherFieldsSelect() {
    Selector s = Selector.region("eu-west").share(50);
    assertFalse(s.matches(Subject.vehicle("VIN1", "us-east", null), SEED, "r"));
    // A vehicle in the share for the whole fleet is in it within its region too.
    List<String> vins = fleet(200);
    assertEquals(picked(Selector.all().share(50), SEED, "r", vins), picked(s, SEED, "r", vins));
  }

  @Test
  void aShareIsAbove0AndAtMost100() {
    assertThrows(IllegalArgumentException.class, () -> Selector.all().share(0));
    assertThrows(IllegalArgumentException.class, () -> Selector.all().share(-5));
    assertThrows(IllegalArgumentException.class, () -> Selector.all().share(101));
    IllegalArgumentException nan =
        assertThrows(IllegalArgumentException.class, () -> Selector.all().share(Double.NaN));
    assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
    assertEquals(0.5, Selector.all().share(0.5).percent());
  }

  @Test
  void aBlankCampaignIsNoCampaign() {
    assertNull(Selector.all().inCampaign("  ").campaignId());
    assertNull(Selector.all().inCampaign("").campaignId());
    assertTrue(Selector.all().inCampaign(" ").matches(VEHICLE, SEED, "r"));
  }

  @Test
  void missingSetsAreEmptyAndSetsAreCopied() {
    Selector s = new Selector(null, null, null, null, 100);
    assertEquals(Set.of(), s.regions());
    assertEquals(Set.of(), s.vins());
    assertEquals(Set.of(), s.ecuTypes());
    Set<String> vins = new java.util.HashSet<>(Set.of("VIN1"));
    Selector named = Selector.vins(vins);
    vins.add("VIN2");
    assertEquals(Set.of("VIN1"), named.vins());
  }
}
