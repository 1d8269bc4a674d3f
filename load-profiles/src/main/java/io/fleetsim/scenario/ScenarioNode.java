package io.fleetsim.scenario;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One object of a scenario file with its field path ({@code campaigns[1].filter}). Reading a field
 * checks its type and range, records every problem with it in the file's {@link Source} (line,
 * field, what was expected) and returns null; {@link #failed} tells whether any field of this
 * object was bad. Keys the object does not know are problems too. {@link ScenarioFile} reads the
 * structure with it.
 */
final class ScenarioNode {

  static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern DURATION =
      Pattern.compile("\\s*[0-9]+(\\.[0-9]+)?\\s*[A-Za-z]+\\s*");
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  /** Shares must sum to 1 within this. */
  static final double SHARE_TOLERANCE = 1e-9;

  /** The file being read: its name, its lines and the problems found so far. */
  static final class Source {
    final String file;
    final List<String> lines;
    final List<ScenarioError> errors = new ArrayList<>();

    Source(String file, List<String> lines) {
      this.file = file;
      this.lines = List.copyOf(lines);
    }

    /**
     * The keys of {@code obj} in the order the file writes them: a parsed object does not keep its
     * order, its values' origins do (by line; keys on one line by their place in it).
     */
    List<String> keys(ConfigObject obj) {
      List<String> keys = new ArrayList<>(obj.keySet());
      keys.sort(
          Comparator.<String>comparingInt(k -> line(obj.get(k).origin()))
              .thenComparingInt(k -> column(line(obj.get(k).origin()), k))
              .thenComparing(Comparator.naturalOrder()));
      return keys;
    }

    private int column(int line, String key) {
      if (line < 1 || line > lines.size()) {
        return Integer.MAX_VALUE;
      }
      int i = lines.get(line - 1).indexOf(key);
      return i < 0 ? Integer.MAX_VALUE : i;
    }
  }

  private final Source source;
  final ConfigObject obj;
  final String path;
  boolean failed;

  ScenarioNode(Source source, ConfigObject obj, String path, String... known) {
    this.source = source;
    this.obj = obj;
    this.path = path;
    if (known.length > 0) {
      List<String> names = List.of(known);
      for (String key : source.keys(obj)) {
        if (!names.contains(key)) {
          error(
              obj.get(key),
              child(key),
              "unknown key '" + key + "'; known: " + String.join(", ", names));
        }
      }
    }
  }

  String child(String key) {
    String k = PLAIN_KEY.matcher(key).matches() ? key : "\"" + key + "\"";
    return path.isEmpty() ? k : path + "." + k;
  }

  void error(ConfigValue at, String where, String message) {
    failed = true;
    source.errors.add(
        new ScenarioError(
            source.file, line(at == null ? obj.origin() : at.origin()), where, message));
  }

  void missing(String key) {
    error(obj, child(key), "required, but missing");
  }

  /** The value of {@code key}; null when absent or set to null. */
  ConfigValue value(String key) {
    ConfigValue v = obj.get(key);
    return v == null || v.valueType() == ConfigValueType.NULL ? null : v;
  }

  private ConfigValue require(String key, boolean required) {
    ConfigValue v = value(key);
    if (v == null && required) {
      missing(key);
    }
    return v;
  }

  String string(String key, boolean required) {
    ConfigValue v = require(key, required);
    if (v == null) {
      return null;
    }
    if (v.valueType() != ConfigValueType.STRING || ((String) v.unwrapped()).isBlank()) {
      error(v, child(key), "expected a text, was " + render(v));
      return null;
    }
    return (String) v.unwrapped();
  }

  String id(String key, boolean required) {
    String s = string(key, required);
    if (s != null && !ID.matcher(s).matches()) {
      error(
          value(key),
          child(key),
          "expected 1 to 64 letters, digits, '.', '_' or '-' (starting with a letter or digit), was \""
              + s
              + "\"");
      return null;
    }
    return s;
  }

  String oneOf(String key, boolean required, List<String> allowed, String what) {
    String s = string(key, required);
    if (s == null) {
      return null;
    }
    String lower = s.strip().toLowerCase(Locale.ROOT);
    if (!allowed.contains(lower)) {
      error(
          value(key),
          child(key),
          "expected " + what + " (" + String.join(", ", allowed) + "), was \"" + s + "\"");
      return null;
    }
    return lower;
  }

  String ecuType(String key, boolean required) {
    ConfigValue v = require(key, required);
    return v == null ? null : ecuTypeValue(v, child(key));
  }

  String ecuTypeValue(ConfigValue v, String where) {
    String upper =
        v.valueType() == ConfigValueType.STRING
            ? ((String) v.unwrapped()).strip().toUpperCase(Locale.ROOT)
            : null;
    if (upper == null || !Scenario.ECU_TYPES.contains(upper)) {
      error(
          v,
          where,
          "expected an ECU type (" + String.join(", ", Scenario.ECU_TYPES) + "), was " + render(v));
      return null;
    }
    return upper;
  }

  Double number(String key, boolean required, double min, double max, String what) {
    ConfigValue v = require(key, required);
    if (v == null) {
      return null;
    }
    return checked(v, child(key), min, max, what);
  }

  private Double checked(ConfigValue v, String where, double min, double max, String what) {
    Double d = numberValue(v);
    if (d == null || d.isNaN()) {
      error(v, where, "expected " + what + ", was " + render(v));
      return null;
    }
    if (d < min || d > max) {
      error(v, where, "expected " + what + ", was " + render(v));
      return null;
    }
    return d;
  }

  List<Double> numbers(ConfigList list, String where, double min, double max, String what) {
    List<Double> result = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < list.size(); i++) {
      Double d = checked(list.get(i), where + "[" + i + "]", min, max, what);
      ok &= d != null;
      result.add(d);
    }
    return ok ? result : null;
  }

  Long integer(String key, boolean required, long min, long max) {
    ConfigValue v = require(key, required);
    if (v == null) {
      return null;
    }
    Object u = v.unwrapped();
    Long l = null;
    if (u instanceof Integer || u instanceof Long) {
      l = ((Number) u).longValue();
    } else if (u instanceof String s) {
      try {
        l = Long.parseLong(s.strip().replace("_", ""));
      } catch (NumberFormatException e) {
        l = null;
      }
    }
    String what =
        min == Long.MIN_VALUE
            ? "a whole number"
            : "a whole number from "
                + min
                + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? " up" : " to " + max);
    if (l == null || l < min || l > max) {
      error(v, child(key), "expected " + what + ", was " + render(v));
      return null;
    }
    return l;
  }

  Boolean bool(String key) {
    ConfigValue v = value(key);
    if (v == null) {
      return null;
    }
    if (v.valueType() != ConfigValueType.BOOLEAN) {
      error(v, child(key), "expected true or false, was " + render(v));
      return null;
    }
    return (Boolean) v.unwrapped();
  }

  Duration duration(String key, boolean required) {
    ConfigValue v = require(key, required);
    if (v == null) {
      return null;
    }
    return durationValue(v, child(key));
  }

  ConfigList list(String key, boolean required) {
    ConfigValue v = require(key, required);
    if (v == null) {
      return null;
    }
    if (v.valueType() != ConfigValueType.LIST) {
      error(v, child(key), "expected a list [...], was " + render(v));
      return null;
    }
    return (ConfigList) v;
  }

  ScenarioNode object(String key, boolean required, String... known) {
    ConfigValue v = require(key, required);
    if (v == null) {
      return null;
    }
    if (v.valueType() != ConfigValueType.OBJECT) {
      error(v, child(key), "expected an object { ... }, was " + render(v));
      return null;
    }
    return new ScenarioNode(source, (ConfigObject) v, child(key), known);
  }

  /** Element {@code i} of {@code list} (the field {@code key}), an object of the known keys. */
  ScenarioNode element(ConfigList list, int i, String key, String... known) {
    ConfigValue v = list.get(i);
    String where = child(key) + "[" + i + "]";
    if (v.valueType() != ConfigValueType.OBJECT) {
      error(v, where, "expected an object { ... }, was " + render(v));
      return null;
    }
    return new ScenarioNode(source, (ConfigObject) v, where, known);
  }

  /** A list of names, each (when {@code allowed} is given) one of {@code allowed}. */
  List<String> names(String key, Set<String> allowed, String what) {
    ConfigList list = list(key, false);
    if (list == null) {
      return null;
    }
    List<String> result = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      ConfigValue v = list.get(i);
      String where = child(key) + "[" + i + "]";
      if (v.valueType() != ConfigValueType.STRING) {
        error(v, where, "expected a text, was " + render(v));
      } else if (allowed != null && !allowed.contains((String) v.unwrapped())) {
        error(
            v,
            where,
            "expected "
                + what
                + " ("
                + String.join(", ", allowed)
                + "), was \""
                + v.unwrapped()
                + "\"");
      } else {
        result.add((String) v.unwrapped());
      }
    }
    return result;
  }

  /**
   * An object of name to share, the shares summing to 1; names one of {@code allowed} when given.
   */
  Map<String, Double> shares(String key, boolean required, List<String> allowed) {
    ScenarioNode n = object(key, required);
    if (n == null) {
      return null;
    }
    if (n.obj.isEmpty()) {
      n.error(n.obj, n.path, "expected at least one name = share");
      return null;
    }
    Map<String, Double> result = new LinkedHashMap<>();
    double sum = 0;
    for (String name : source.keys(n.obj)) {
      if (allowed != null && !allowed.contains(name)) {
        n.error(
            n.obj.get(name),
            n.child(name),
            "unknown key '" + name + "'; known: " + String.join(", ", allowed));
        continue;
      }
      Double share = n.number(name, true, 0, 1, "a share between 0 and 1");
      if (share != null) {
        result.put(name, share);
        sum += share;
      }
    }
    if (n.failed) {
      failed = true;
      return null;
    }
    if (Math.abs(sum - 1) > SHARE_TOLERANCE) {
      error(n.obj, n.path, "expected shares that sum to 1, sum was " + sum(sum));
      return null;
    }
    return result;
  }

  /** The duration {@code v} (with a unit: a bare number would be milliseconds to HOCON). */
  Duration durationValue(ConfigValue v, String path) {
    String expected = "expected a duration such as 30m, was " + render(v);
    if (v.valueType() != ConfigValueType.STRING
        || !DURATION.matcher((String) v.unwrapped()).matches()) {
      error(v, path, expected);
      return null;
    }
    try {
      return ConfigFactory.empty().withValue("d", v).getDuration("d");
    } catch (ConfigException e) {
      error(v, path, expected);
      return null;
    }
  }

  static Double numberValue(ConfigValue v) {
    if (v.valueType() == ConfigValueType.NUMBER) {
      return ((Number) v.unwrapped()).doubleValue();
    }
    if (v.valueType() == ConfigValueType.STRING) {
      try {
        return Double.parseDouble(((String) v.unwrapped()).strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  static String text(ConfigValue v) {
    return v.valueType() == ConfigValueType.STRING ? (String) v.unwrapped() : render(v);
  }

  static String render(ConfigValue v) {
    String r = v.render(ConfigRenderOptions.concise());
    return r.length() > 60 ? r.substring(0, 57) + "..." : r;
  }

  static int line(ConfigOrigin origin) {
    return origin == null ? 0 : Math.max(0, origin.lineNumber());
  }

  /** A sum of shares as a reader wrote them: 1.1, not 1.1000000000000001. */
  static String sum(double sum) {
    return java.math.BigDecimal.valueOf(Math.round(sum * 1e9) / 1e9)
        .stripTrailingZeros()
        .toPlainString();
  }
}
