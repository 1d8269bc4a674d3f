package io.fleetsim.scenario;

import static io.fleetsim.scenario.ScenarioNode.numberValue;
import static io.fleetsim.scenario.ScenarioNode.render;
import static io.fleetsim.scenario.ScenarioNode.text;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a scenario file's assertions: scope, statistic, condition and bound(s), each checked
 * against what the file declares (a scope names a campaign, a wave of it or a region that exists).
 * Bounds of time statistics may be durations ({@code 15m}) and are kept in seconds.
 */
final class AssertionFields {

  private final Map<String, Integer> campaignWaves;
  private final Set<String> regionNames;

  /**
   * @param campaignWaves the file's campaign ids and their number of waves (-1: unknown)
   * @param regionNames the fleet's regions; null when the fleet is too broken to tell
   */
  AssertionFields(Map<String, Integer> campaignWaves, Set<String> regionNames) {
    this.campaignWaves = campaignWaves;
    this.regionNames = regionNames;
  }

  /** The {@code assertions} list of the file's {@code root}; empty when it has none. */
  List<Assertion> read(ScenarioNode root) {
    ConfigList list = root.list("assertions", false);
    List<Assertion> result = new ArrayList<>();
    if (list == null) {
      return result;
    }
    for (int i = 0; i < list.size(); i++) {
      ScenarioNode a =
          root.element(list, i, "assertions", "scope", "statistic", "condition", "value", "values");
      if (a == null) {
        continue;
      }
      String scope = a.string("scope", true);
      if (scope != null) {
        String problem = scopeProblem(scope.strip());
        if (problem != null) {
          a.error(a.value("scope"), a.child("scope"), problem);
        }
        scope = scope.strip();
      }
      Statistic statistic = null;
      String statName = a.string("statistic", true);
      if (statName != null) {
        statistic = Statistic.of(statName.strip()).orElse(null);
        if (statistic == null) {
          a.error(
              a.value("statistic"),
              a.child("statistic"),
              "expected a statistic (" + Statistic.known() + "), was \"" + statName + "\"");
        }
      }
      Condition condition = null;
      String condName = a.string("condition", true);
      if (condName != null) {
        condition = Condition.of(condName.strip().toLowerCase(Locale.ROOT)).orElse(null);
        if (condition == null) {
          a.error(
              a.value("condition"),
              a.child("condition"),
              "expected a condition (" + Condition.known() + "), was \"" + condName + "\"");
        }
      }
      if (statistic == null || condition == null) {
        continue;
      }
      double[] bounds = new double[2];
      String text = bounds(a, statistic, condition, bounds);
      if (a.failed || scope == null || text == null) {
        continue;
      }
      result.add(new Assertion(scope, statistic, condition, bounds[0], bounds[1], text));
    }
    return result;
  }

  /** Reads {@code value} (or {@code values} for between) into {@code out}; the bounds' text. */
  private String bounds(ScenarioNode a, Statistic statistic, Condition condition, double[] out) {
    boolean between = condition == Condition.BETWEEN;
    String want = between ? "values" : "value";
    String other = between ? "value" : "values";
    if (a.value(other) != null) {
      a.error(
          a.value(other),
          a.child(other),
          between
              ? "between takes two bounds: values = [low, high]"
              : condition.key() + " takes one bound: value = ...");
      return null;
    }
    if (!between) {
      ConfigValue v = a.value("value");
      if (v == null) {
        a.missing("value");
        return null;
      }
      Double d = bound(a, v, a.child("value"), statistic);
      if (d == null) {
        return null;
      }
      out[0] = d;
      out[1] = d;
      return text(v);
    }
    ConfigList list = a.list("values", true);
    if (list == null) {
      return null;
    }
    if (list.size() != 2) {
      a.error(list, a.child("values"), "expected two bounds [low, high], was " + list.size());
      return null;
    }
    Double low = bound(a, list.get(0), a.child("values") + "[0]", statistic);
    Double high = bound(a, list.get(1), a.child("values") + "[1]", statistic);
    if (low == null || high == null) {
      return null;
    }
    if (low > high) {
      a.error(
          list,
          a.child("values"),
          "expected low <= high, was [" + text(list.get(0)) + ", " + text(list.get(1)) + "]");
      return null;
    }
    out[0] = low;
    out[1] = high;
    return text(list.get(0)) + " and " + text(list.get(1));
  }

  private Double bound(ScenarioNode a, ConfigValue v, String path, Statistic statistic) {
    if (statistic.isTime() && v.valueType() == ConfigValueType.STRING) {
      Duration d = a.durationValue(v, path);
      return d == null ? null : d.toMillis() / 1000.0;
    }
    Double d = numberValue(v);
    if (d == null) {
      a.error(
          v,
          path,
          (statistic.isTime() ? "expected seconds or a duration such as 15m" : "expected a number")
              + ", was "
              + render(v));
      return null;
    }
    if (d < 0) {
      a.error(v, path, "expected a bound of 0 or more, was " + render(v));
      return null;
    }
    return d;
  }

  private String scopeProblem(String scope) {
    String expected =
        "expected a scope: run, campaign:<id>, wave:<campaignId>:<n> or region:<name>, was \""
            + scope
            + "\"";
    if (scope.equals("run")) {
      return null;
    }
    String[] parts = scope.split(":", -1);
    Set<String> ids = campaignWaves.keySet();
    switch (parts[0]) {
      case "campaign":
        if (parts.length != 2) {
          return expected;
        }
        return ids.contains(parts[1])
            ? null
            : "expected a campaign of this file ("
                + String.join(", ", ids)
                + "), was '"
                + parts[1]
                + "'";
      case "wave":
        if (parts.length != 3) {
          return expected;
        }
        Integer waves = campaignWaves.get(parts[1]);
        if (waves == null) {
          return "expected a campaign of this file ("
              + String.join(", ", ids)
              + "), was '"
              + parts[1]
              + "'";
        }
        int n;
        try {
          n = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
          return "expected a wave number from 1, was '" + parts[2] + "'";
        }
        return n >= 1 && (waves < 0 || n <= waves)
            ? null
            : "expected a wave of " + parts[1] + " from 1 to " + waves + ", was " + parts[2];
      case "region":
        if (parts.length != 2) {
          return expected;
        }
        if (regionNames == null) {
          return null; // the fleet's own errors are reported
        }
        return regionNames.contains(parts[1])
            ? null
            : "expected a region of the fleet ("
                + String.join(", ", regionNames)
                + "), was '"
                + parts[1]
                + "'";
      default:
        return expected;
    }
  }

  // ---- values
}
