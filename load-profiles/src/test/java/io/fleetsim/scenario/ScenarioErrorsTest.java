package io.fleetsim.scenario;

import static io.fleetsim.scenario.ScenarioFileTest.SMALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of bad file gets a message that names the file, the line and the field, and says what
 * is expected. Each test breaks one thing of a good file ({@link ScenarioFileTest#SMALL}).
 */
class ScenarioErrorsTest {

  @Test
  void aWrongTypeNamesWhatWasExpected() {
    String text = SMALL.replace("size = 20", "size = twenty");
    assertEquals(
        List.of(
            at(text, "size = twenty")
                + "fleet.size: expected a whole number from 1 to 10000000, was \"twenty\""),
        errors(text));
  }

  @Test
  void aNumberOutOfRangeSaysTheRange() {
    String text = SMALL.replace("waves = [10, 100]", "waves = [10, 140]");
    assertEquals(
        List.of(
            at(text, "waves = [10, 140]")
                + "campaigns[0].waves[1]: expected a percentage between 0 and 100, was 140"),
        errors(text));
  }

  @Test
  void wavesMustIncreaseAndEndAtAHundred() {
    String text = SMALL.replace("waves = [10, 100]", "waves = [50, 10, 100]");
    assertEquals(
        List.of(
            at(text, "waves = [50, 10")
                + "campaigns[0].waves[1]: expected cumulative percentages that increase, was 10"
                + " after 50"),
        errors(text));
    String short_ = SMALL.replace("waves = [10, 100]", "waves = [10, 90]");
    assertEquals(
        List.of(
            at(short_, "waves = [10, 90]")
                + "campaigns[0].waves[1]: expected the last wave at 100 (everyone), was 90"),
        errors(short_));
  }

  @Test
  void anUnknownKeyIsNamedWithTheKnownOnes() {
    String text = SMALL.replace("soak = 30m", "soak = 30m\n    colour = red");
    assertEquals(
        List.of(
            at(text, "colour = red")
                + "campaigns[0].colour: unknown key 'colour'; known: id, ecuType, version, filter,"
                + " waves, soak, successThreshold, failureThreshold, onFailure, timeLimit,"
                + " requireConsent, requireParked, startAt, after, rollbackOnFailure"),
        errors(text));
  }

  @Test
  void aMisspeltTopLevelKeyIsAnError() {
    String text = SMALL.replace("pace = 60", "paec = 60");
    List<String> errors = errors(text);
    assertEquals(1, errors.size());
    assertTrue(
        errors.get(0).startsWith(at(text, "paec = 60") + "paec: unknown key 'paec'; known: name,"),
        errors.get(0));
  }

  @Test
  void aMissingRequiredFieldIsNamedAtItsObject() {
    String text =
        SMALL.replace(
            "{ ecuType = ADAS, version = \"1.1.0\", releaseCounter = 2, sizeBytes = 1024 }",
            "{ ecuType = ADAS, releaseCounter = 2, sizeBytes = 1024 }");
    // only the missing field: the campaigns naming that firmware are not reported for it too
    assertEquals(
        List.of(
            at(text, "{ ecuType = ADAS, releaseCounter")
                + "firmware[0].version: required, but missing"),
        errors(text));
  }

  @Test
  void aMissingTopLevelFieldIsReported() {
    String text = SMALL.replace("seed = 9\n", "");
    // the root object begins on the file's first line
    assertEquals(List.of("bad.conf:1: seed: required, but missing"), errors(text));
  }

  @Test
  void aBadDurationShowsAnExample() {
    String text = SMALL.replace("soak = 30m", "soak = soon");
    assertEquals(
        List.of(
            at(text, "soak = soon")
                + "campaigns[0].soak: expected a duration such as 30m, was \"soon\""),
        errors(text));
    // a bare number would be milliseconds to HOCON: a unit is required
    String bare = SMALL.replace("soak = 30m", "soak = 30");
    assertEquals(
        List.of(
            at(bare, "soak = 30") + "campaigns[0].soak: expected a duration such as 30m, was 30"),
        errors(bare));
  }

  @Test
  void sharesMustSumToOne() {
    String text = SMALL.replace("Berlin = 0.25", "Berlin = 0.35");
    assertEquals(
        List.of(
            at(text, "regions { Munich")
                + "fleet.regions: expected shares that sum to 1, sum was 1.1"),
        errors(text));
    String models = SMALL.replace("share = 1\n", "share = 0.9\n");
    assertEquals(
        List.of(
            at(models, "models {")
                + "fleet.models: expected model shares that sum to 1, sum was 0.9"),
        errors(models));
  }

  @Test
  void aShareAboveOneAndAnUnknownEnvironmentAreRefused() {
    String text =
        SMALL.replace(
            "consentDelay = 5m", "consentDelay = 5m\n  environments { blue = 1.5, red = 0 }");
    assertEquals(
        List.of(
            at(text, "environments {")
                + "fleet.environments.blue: expected a share between 0 and 1, was 1.5",
            at(text, "environments {")
                + "fleet.environments.red: unknown key 'red'; known: blue, green"),
        errors(text));
  }

  @Test
  void anUnknownFaultKindListsTheKnownOnes() {
    String text = SMALL.replace("kind = PARTITION", "kind = earthquake");
    List<String> errors = errors(text);
    assertEquals(1, errors.size());
    assertTrue(
        errors
            .get(0)
            .startsWith(
                at(text, "kind = earthquake")
                    + "timeline[1].kind: unknown fault kind 'earthquake'; known: latency, loss,"),
        errors.get(0));
  }

  @Test
  void aKeyRotationNamesAnOnlineRoleAndWhen() {
    String text =
        SMALL + "\nkeyRotations = [ { role = targets, at = 1h }, { role = timestamp } ]\n";
    assertEquals(
        List.of(
            at(text, "role = targets")
                + "keyRotations[0].role: expected timestamp or snapshot (the Director's online"
                + " keys), was 'targets'",
            at(text, "role = timestamp") + "keyRotations[1].at: required, but missing"),
        errors(text));
  }

  @Test
  void aRateAboveOneInAFaultsParamsIsRefused() {
    String text = SMALL.replace("params { rate = 0.5 }", "params { rate = 5 }");
    assertEquals(
        List.of(
            at(text, "rate = 5")
                + "timeline[0].params.rate: expected a share between 0 and 1, was 5"),
        errors(text));
  }

  @Test
  void anUnknownCampaignInAfterIsNamed() {
    String text = SMALL.replace("after = first", "after = zeroth");
    assertEquals(
        List.of(
            at(text, "after = zeroth")
                + "campaigns[1].after: expected the id of a campaign of this file (first, second),"
                + " was 'zeroth'"),
        errors(text));
  }

  @Test
  void campaignsWaitingForEachOtherInACircleAreRefused() {
    String text = SMALL.replace("startAt = 2h", "startAt = 2h\n    after = second");
    List<String> errors = errors(text);
    assertEquals(2, errors.size(), errors.toString());
    assertTrue(
        errors.get(0).contains("campaigns[0].after: campaigns wait for each other in a circle"));
  }

  @Test
  void aCampaignWhoseEcuTypeHasNoFirmwareIsRefused() {
    // HOCON: the later of two values of a key wins, so the second campaign's type is ENGINE
    String text = SMALL.replace("waves = [100]", "waves = [100]\n    ecuType = ENGINE");
    int second = text.indexOf("id = second");
    int version = line(text.substring(second), "version = ") + line(text, "id = second") - 1;
    assertEquals(
        List.of(
            "bad.conf:"
                + version
                + ": campaigns[1].version: expected a firmware entry for ENGINE 1.1.0; firmware"
                + " lists ADAS 1.1.0"),
        errors(text));
  }

  @Test
  void anAssertionScopeMustNameACampaignRegionOrWaveOfTheFile() {
    String text =
        SMALL
            .replace("scope = \"campaign:first\"", "scope = \"campaign:nope\"")
            .replace("scope = \"wave:first:2\"", "scope = \"wave:first:3\"")
            .replace("scope = run", "scope = \"region:Paris\"");
    assertEquals(
        List.of(
            at(text, "campaign:nope")
                + "assertions[0].scope: expected a campaign of this file (first, second), was 'nope'",
            at(text, "wave:first:3")
                + "assertions[1].scope: expected a wave of first from 1 to 2, was 3",
            at(text, "region:Paris")
                + "assertions[2].scope: expected a region of the fleet (Munich, Berlin), was 'Paris'"),
        errors(text));
  }

  @Test
  void anAssertionNeedsAKnownStatisticAndConditionAndTheRightBounds() {
    String text =
        SMALL
            .replace("statistic = successRate", "statistic = happiness")
            .replace("condition = lt, value = 15m", "condition = about, value = 15m")
            .replace("values = [0, 3]", "value = 3");
    assertEquals(
        List.of(
            at(text, "happiness")
                + "assertions[0].statistic: expected a statistic (successRate, failureCount,"
                + " rollbacks, updateTimeP50, updateTimeP90, updateTimeP99, updateTimeMax,"
                + " undetectedAttacks, falseAlarms, campaignDuration), was \"happiness\"",
            at(text, "about")
                + "assertions[1].condition: expected a condition (lt, lte, gt, gte, between), was"
                + " \"about\"",
            at(text, "between, value = 3")
                + "assertions[2].value: between takes two bounds: values = [low, high]"),
        errors(text));
  }

  @Test
  void aDurationBoundIsOnlyForTimeStatistics() {
    String text = SMALL.replace("value = 0.98", "value = 1h");
    assertEquals(
        List.of(at(text, "value = 1h") + "assertions[0].value: expected a number, was \"1h\""),
        errors(text));
  }

  @Test
  void aHoconSyntaxErrorGivesFileAndLine() {
    String text = SMALL.replace("size = 20", "size = 20 }}");
    List<String> errors = errors(text);
    assertEquals(1, errors.size());
    assertTrue(
        errors.get(0).startsWith(at(text, "size = 20 }}") + "not valid HOCON: "), errors.get(0));
  }

  @Test
  void anUnresolvedSubstitutionGivesFileAndLine() {
    String text = SMALL.replace("seed = 9", "seed = ${nowhere}");
    List<String> errors = errors(text);
    assertEquals(1, errors.size());
    assertTrue(errors.get(0).startsWith(at(text, "seed = ${nowhere}")), errors.get(0));
    assertTrue(errors.get(0).contains("nowhere"), errors.get(0));
  }

  @Test
  void severalProblemsAreAllReportedInFileOrder() {
    String text =
        SMALL
            .replace("seed = 9", "seed = nine")
            .replace("Berlin = 0.25", "Berlin = 0.5")
            .replace("busKind = can-fd", "busKind = lin")
            .replace("soak = 30m", "soak = soon")
            .replace("after = first", "after = zeroth")
            .replace("percent = 20", "percent = 0")
            .replace("value = 0.98", "value = high");
    List<String> errors = errors(text);
    assertEquals(7, errors.size(), String.join("\n", errors));
    List<String> fields = errors.stream().map(e -> e.split(": ")[1]).toList();
    assertEquals(
        List.of(
            "seed",
            "fleet.regions",
            "fleet.models.sedan.ecus[0].busKind",
            "campaigns[0].soak",
            "campaigns[1].after",
            "timeline[0].selector.percent",
            "assertions[0].value"),
        fields);
    List<Integer> lines = errors.stream().map(e -> Integer.parseInt(e.split(":")[1])).toList();
    assertEquals(lines.stream().sorted().toList(), lines);
  }

  @Test
  void theExceptionMessageListsEveryProblemOnItsOwnLine() {
    String text = SMALL.replace("seed = 9", "seed = nine").replace("soak = 30m", "soak = soon");
    InvalidScenario e =
        assertThrows(InvalidScenario.class, () -> ScenarioFile.parse("bad.conf", text));
    assertEquals(String.join("\n", errors(text)), e.getMessage());
    assertEquals(2, e.getMessage().lines().count());
  }

  @Test
  void aFileIsNamedByItsFileName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("canary.conf");
    String text = SMALL.replace("soak = 30m", "soak = soon");
    Files.writeString(file, text);
    InvalidScenario e = assertThrows(InvalidScenario.class, () -> ScenarioFile.parse(file));
    assertEquals(
        List.of(
            "canary.conf:"
                + line(text, "soak = soon")
                + ": campaigns[0].soak: expected a duration such as 30m, was \"soon\""),
        e.errors().stream().map(ScenarioError::toString).toList());
    InvalidScenario none =
        assertThrows(InvalidScenario.class, () -> ScenarioFile.parse(dir.resolve("nope.conf")));
    assertTrue(none.getMessage().startsWith("nope.conf: no such file"), none.getMessage());
  }

  static List<String> errors(String text) {
    InvalidScenario e =
        assertThrows(InvalidScenario.class, () -> ScenarioFile.parse("bad.conf", text));
    return e.errors().stream().map(ScenarioError::toString).toList();
  }

  /** {@code bad.conf:<line of snippet>: }. */
  static String at(String text, String snippet) {
    return "bad.conf:" + line(text, snippet) + ": ";
  }

  static int line(String text, String snippet) {
    int i = text.indexOf(snippet);
    if (i < 0) {
      throw new IllegalArgumentException("not in the text: " + snippet);
    }
    return (int) text.substring(0, i).chars().filter(c -> c == '\n').count() + 1;
  }
}
