package io.fleetsim.scenario;

import static io.fleetsim.scenario.ScenarioNode.sum;
import static io.fleetsim.scenario.ScenarioNode.text;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.scenario.Scenario.Campaign;
import io.fleetsim.scenario.Scenario.Drive;
import io.fleetsim.scenario.Scenario.EcuSlot;
import io.fleetsim.scenario.Scenario.Filter;
import io.fleetsim.scenario.Scenario.Firmware;
import io.fleetsim.scenario.Scenario.Fleet;
import io.fleetsim.scenario.Scenario.OnFailure;
import io.fleetsim.scenario.Scenario.TimelineEntry;
import io.fleetsim.scenario.Scenario.TimelineSelector;
import io.fleetsim.scenario.Scenario.VehicleModel;
import io.fleetsim.scenario.ScenarioNode.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a scenario file (HOCON) into a {@link Scenario}, or says everything that is wrong with it.
 * Every problem names the file, the line, the field and what is expected there; all problems of a
 * file are collected and thrown together as one {@link InvalidScenario}, in file order, so a user
 * fixes a file in one pass. {@code scenarios/example.conf} documents every field.
 */
public final class ScenarioFile {

  /** The network profiles a vehicle's link can have ({@code fleetsim.vehicle.network-profiles}). */
  public static final List<String> NETWORK_PROFILES = List.of("5g", "lte", "rural");

  /** Shares must sum to 1 within this. */
  static final double SHARE_TOLERANCE = ScenarioNode.SHARE_TOLERANCE;

  private final String file;
  private Source source;

  // What the file declares, even where a declaration has problems of its own: a reference to a
  // campaign whose soak is misspelt is not an error too. Null: unknown, not checked.
  private Set<String> regionNames;
  private Set<String> modelNames;
  private final Map<String, Integer> campaignWaves = new LinkedHashMap<>();
  private boolean firmwareComplete = true;

  private ScenarioFile(String file) {
    this.file = file;
  }

  /** The scenario in {@code path}; errors name the file by its file name. */
  public static Scenario parse(Path path) throws InvalidScenario {
    String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
    if (!Files.isRegularFile(path)) {
      throw new InvalidScenario(List.of(new ScenarioError(name, 0, "", "no such file: " + path)));
    }
    ScenarioFile reader = new ScenarioFile(name);
    try {
      reader.source = new Source(name, Files.readAllLines(path));
    } catch (java.io.IOException | RuntimeException e) {
      throw new InvalidScenario(
          List.of(new ScenarioError(name, 0, "", "cannot read " + path + ": " + e.getMessage())));
    }
    Config config;
    try {
      config = ConfigFactory.parseFile(path.toFile(), options(name).setAllowMissing(false));
    } catch (ConfigException e) {
      throw reader.syntax(e);
    }
    return reader.read(config);
  }

  /** The scenario in {@code text}; errors name it {@code name}. */
  public static Scenario parse(String name, String text) throws InvalidScenario {
    ScenarioFile reader = new ScenarioFile(name);
    reader.source = new Source(name, text.lines().toList());
    Config config;
    try {
      config = ConfigFactory.parseString(text, options(name));
    } catch (ConfigException e) {
      throw reader.syntax(e);
    }
    return reader.read(config);
  }

  private static ConfigParseOptions options(String name) {
    return ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setOriginDescription(name);
  }

  private InvalidScenario syntax(ConfigException e) {
    int line = e.origin() == null ? 0 : Math.max(0, e.origin().lineNumber());
    String message = e.getMessage();
    if (e.origin() != null && message.startsWith(e.origin().description() + ": ")) {
      message = message.substring(e.origin().description().length() + 2);
    }
    if (e instanceof ConfigException.Parse) {
      message = "not valid HOCON: " + message;
    }
    return new InvalidScenario(List.of(new ScenarioError(file, line, "", message)));
  }

  private Scenario read(Config parsed) throws InvalidScenario {
    Config config;
    try {
      // Substitutions may name environment variables (${?SEED}), as Pekko's own files do.
      config = parsed.resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true));
    } catch (ConfigException e) {
      throw syntax(e);
    }
    ScenarioNode root =
        new ScenarioNode(
            source,
            config.root(),
            "",
            "name",
            "description",
            "seed",
            "pace",
            "fleet",
            "firmware",
            "campaigns",
            "timeline",
            "assertions",
            "keyRotations");
    String name = root.id("name", true);
    String description = root.string("description", true);
    Long seed = root.integer("seed", true, Long.MIN_VALUE, Long.MAX_VALUE);
    Double pace = root.number("pace", false, 0, Double.MAX_VALUE, "a pace of 0 or more");
    Fleet fleet = fleet(root);
    List<Firmware> firmware = firmware(root);
    List<Campaign> campaigns = campaigns(root, fleet, firmware);
    List<TimelineEntry> timeline = timeline(root);
    List<Scenario.KeyRotation> rotations = keyRotations(root);
    List<Assertion> assertions = new AssertionFields(campaignWaves, regionNames).read(root);
    if (!source.errors.isEmpty()) {
      List<ScenarioError> sorted = new ArrayList<>(source.errors);
      sorted.sort(Comparator.comparingInt(ScenarioError::line)); // stable: same line keeps order
      throw new InvalidScenario(sorted);
    }
    return new Scenario(
        name,
        description.strip(),
        seed,
        pace == null ? 0 : pace,
        fleet,
        firmware,
        campaigns,
        timeline,
        assertions,
        rotations);
  }

  // ---- the Director's key rotations

  private List<Scenario.KeyRotation> keyRotations(ScenarioNode root) {
    ConfigList list = root.list("keyRotations", false);
    List<Scenario.KeyRotation> result = new ArrayList<>();
    if (list == null) {
      return result;
    }
    for (int i = 0; i < list.size(); i++) {
      ScenarioNode r = root.element(list, i, "keyRotations", "role", "at");
      if (r == null) {
        continue;
      }
      String role = r.string("role", true);
      if (role != null && !role.equals("timestamp") && !role.equals("snapshot")) {
        r.error(
            r.value("role"),
            r.child("role"),
            "expected timestamp or snapshot (the Director's online keys), was '" + role + "'");
        continue;
      }
      Duration at = r.duration("at", true);
      if (!r.failed && role != null && at != null) {
        result.add(new Scenario.KeyRotation(role, at));
      }
    }
    return result;
  }

  // ---- fleet

  private Fleet fleet(ScenarioNode root) {
    ScenarioNode f =
        root.object(
            "fleet",
            true,
            "size",
            "regions",
            "models",
            "networkProfiles",
            "drive",
            "consentDelay",
            "environments");
    if (f == null) {
      return null;
    }
    Long size = f.integer("size", true, 1, 10_000_000);
    if (f.value("regions") instanceof ConfigObject r) {
      regionNames = new LinkedHashSet<>(source.keys(r));
    }
    Map<String, Double> regions = f.shares("regions", true, null);
    Map<String, VehicleModel> models = models(f);
    Map<String, Double> profiles = f.shares("networkProfiles", false, NETWORK_PROFILES);
    if (profiles == null && f.value("networkProfiles") == null) {
      profiles = DEFAULT_NETWORK_PROFILES;
    }
    Drive drive = drive(f);
    Duration consentDelay = f.duration("consentDelay", false);
    Map<String, Double> environments = f.shares("environments", false, Scenario.ENVIRONMENTS);
    if (environments == null && f.value("environments") == null) {
      environments = DEFAULT_ENVIRONMENTS;
    }
    if (size == null
        || regions == null
        || models == null
        || profiles == null
        || drive == null
        || environments == null) {
      return null;
    }
    return new Fleet(
        size.intValue(),
        regions,
        models,
        profiles,
        drive,
        consentDelay == null ? Duration.ZERO : consentDelay,
        environments);
  }

  private Map<String, VehicleModel> models(ScenarioNode fleet) {
    ScenarioNode models = fleet.object("models", true);
    if (models == null) {
      return null;
    }
    if (models.obj.isEmpty()) {
      models.error(models.obj, models.path, "expected at least one vehicle model");
      return null;
    }
    Map<String, VehicleModel> result = new LinkedHashMap<>();
    double sum = 0;
    boolean ok = true;
    modelNames = new LinkedHashSet<>(source.keys(models.obj));
    for (String key : source.keys(models.obj)) {
      ScenarioNode m = models.object(key, true, "share", "ecus");
      if (m == null) {
        ok = false;
        continue;
      }
      Double share = m.number("share", true, 0, 1, "a share between 0 and 1");
      List<EcuSlot> ecus = new ArrayList<>();
      ConfigList list = m.list("ecus", true);
      if (list != null && list.isEmpty()) {
        m.error(list, m.child("ecus"), "expected at least one ECU");
      }
      Set<String> types = new HashSet<>();
      for (int i = 0; list != null && i < list.size(); i++) {
        ScenarioNode e = m.element(list, i, "ecus", "ecuType", "hardwareId", "busKind", "firmware");
        if (e == null) {
          ok = false;
          continue;
        }
        String type = e.ecuType("ecuType", true);
        String hw = e.string("hardwareId", true);
        String bus = e.oneOf("busKind", true, Scenario.BUS_KINDS, "a bus kind");
        String fw = e.string("firmware", true);
        if (type != null && !types.add(type)) {
          e.error(
              e.value("ecuType"), e.child("ecuType"), "the model has a " + type + " ECU already");
        }
        if (type == null || hw == null || bus == null || fw == null) {
          ok = false;
        } else {
          ecus.add(new EcuSlot(type, hw, bus, fw));
        }
      }
      if (share == null || list == null) {
        ok = false;
        continue;
      }
      sum += share;
      result.put(key, new VehicleModel(share, ecus));
    }
    if (ok && Math.abs(sum - 1) > SHARE_TOLERANCE) {
      models.error(
          models.obj, models.path, "expected model shares that sum to 1, sum was " + sum(sum));
      return null;
    }
    return ok ? result : null;
  }

  /**
   * The network profile mix of a fleet that names none. In this order, always: a vehicle's profile
   * is drawn by walking the shares, and {@code Map.of} iterates in an order that changes from one
   * JVM to the next, which gave the same seed different fleets.
   */
  static final Map<String, Double> DEFAULT_NETWORK_PROFILES =
      shares("5g", 0.40, "lte", 0.45, "rural", 0.15);

  /** The environments of a fleet that names none, in this order (see above). */
  static final Map<String, Double> DEFAULT_ENVIRONMENTS = shares("blue", 0.5, "green", 0.5);

  private static Map<String, Double> shares(Object... nameShare) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < nameShare.length; i += 2) {
      m.put((String) nameShare[i], (Double) nameShare[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  private Drive drive(ScenarioNode fleet) {
    ScenarioNode d = fleet.object("drive", false, "parkedShare", "parkedByHour");
    if (d == null) {
      return fleet.value("drive") == null ? Drive.alwaysParked() : null;
    }
    boolean share = d.value("parkedShare") != null;
    boolean byHour = d.value("parkedByHour") != null;
    if (share == byHour) {
      d.error(d.obj, d.path, "expected either parkedShare or parkedByHour (24 shares)");
      return null;
    }
    if (share) {
      Double s = d.number("parkedShare", true, 0, 1, "a share between 0 and 1");
      return s == null ? null : new Drive(Optional.of(s), List.of());
    }
    ConfigList hours = d.list("parkedByHour", true);
    if (hours == null) {
      return null;
    }
    if (hours.size() != 24) {
      d.error(
          hours,
          d.child("parkedByHour"),
          "expected 24 shares, one per hour from midnight, was " + hours.size());
      return null;
    }
    List<Double> shares =
        d.numbers(hours, d.child("parkedByHour"), 0, 1, "a share between 0 and 1");
    return shares == null ? null : new Drive(Optional.empty(), shares);
  }

  // ---- firmware

  private List<Firmware> firmware(ScenarioNode root) {
    ConfigList list = root.list("firmware", true);
    List<Firmware> result = new ArrayList<>();
    if (list == null) {
      return result;
    }
    if (list.isEmpty()) {
      root.error(list, "firmware", "expected at least one firmware image to publish");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      ScenarioNode f =
          root.element(list, i, "firmware", "ecuType", "version", "releaseCounter", "sizeBytes");
      if (f == null) {
        continue;
      }
      String type = f.ecuType("ecuType", true);
      String version = f.string("version", true);
      Long counter = f.integer("releaseCounter", true, 1, Integer.MAX_VALUE);
      Long size = f.integer("sizeBytes", true, 1, Long.MAX_VALUE);
      if (type != null && version != null && !seen.add(type + " " + version)) {
        f.error(f.obj, f.path, "firmware " + type + " " + version + " is listed already");
      }
      if (type != null && version != null && counter != null && size != null) {
        result.add(new Firmware(type, version, counter, size));
      } else {
        firmwareComplete = false;
      }
    }
    return result;
  }

  // ---- campaigns

  private List<Campaign> campaigns(ScenarioNode root, Fleet fleet, List<Firmware> firmware) {
    ConfigList list = root.list("campaigns", true);
    List<Campaign> result = new ArrayList<>();
    if (list == null) {
      return result;
    }
    // Declared first, so that a campaign may name one declared after it.
    for (ConfigValue v : list) {
      if (v instanceof ConfigObject o
          && o.get("id") != null
          && o.get("id").valueType() == ConfigValueType.STRING) {
        ConfigValue waves = o.get("waves");
        campaignWaves.putIfAbsent(
            (String) o.get("id").unwrapped(),
            waves instanceof ConfigList l && !l.isEmpty() ? l.size() : -1);
      }
    }
    if (list.isEmpty()) {
      root.error(list, "campaigns", "expected at least one campaign");
    }
    Map<String, ScenarioNode> ids = new LinkedHashMap<>();
    Map<String, String> after = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i++) {
      ScenarioNode c =
          root.element(
              list,
              i,
              "campaigns",
              "id",
              "ecuType",
              "version",
              "filter",
              "waves",
              "soak",
              "successThreshold",
              "failureThreshold",
              "onFailure",
              "timeLimit",
              "requireConsent",
              "requireParked",
              "startAt",
              "after",
              "rollbackOnFailure");
      if (c == null) {
        continue;
      }
      String id = c.id("id", true);
      if (id != null && ids.putIfAbsent(id, c) != null) {
        c.error(c.value("id"), c.child("id"), "campaign id '" + id + "' is used already");
      }
      String type = c.ecuType("ecuType", true);
      String version = c.string("version", true);
      if (type != null && version != null && firmwareComplete) {
        boolean published =
            firmware.stream()
                .anyMatch(f -> f.ecuType().equals(type) && f.version().equals(version));
        if (!published) {
          c.error(
              c.value("version"),
              c.child("version"),
              "expected a firmware entry for "
                  + type
                  + " "
                  + version
                  + "; firmware lists "
                  + (firmware.isEmpty()
                      ? "nothing"
                      : String.join(
                          ", ",
                          firmware.stream().map(f -> f.ecuType() + " " + f.version()).toList())));
        }
        if (fleet != null
            && fleet.models().values().stream()
                .noneMatch(m -> m.ecus().stream().anyMatch(e -> e.ecuType().equals(type)))) {
          c.error(
              c.value("ecuType"),
              c.child("ecuType"),
              "no vehicle model of the fleet has an ECU of type " + type);
        }
      }
      Filter filter = filter(c);
      List<Double> waves = waves(c);
      Duration soak = c.duration("soak", false);
      Double success = c.number("successThreshold", false, 0, 1, "a share between 0 and 1");
      Double failure = c.number("failureThreshold", false, 0, 1, "a share between 0 and 1");
      String onFailure = c.oneOf("onFailure", false, List.of("pause", "abort"), "an action");
      Duration timeLimit = c.duration("timeLimit", false);
      if (timeLimit != null && timeLimit.isZero()) {
        c.error(c.value("timeLimit"), c.child("timeLimit"), "expected a time limit above 0");
        timeLimit = null;
      }
      Boolean consent = c.bool("requireConsent");
      Boolean parked = c.bool("requireParked");
      Duration startAt = c.duration("startAt", false);
      String afterId = c.string("after", false);
      if (afterId != null && id != null) {
        after.put(id, afterId);
      }
      Boolean rollback = c.bool("rollbackOnFailure");
      if (c.failed || id == null || type == null || version == null || waves == null) {
        continue;
      }
      result.add(
          new Campaign(
              id,
              type,
              version,
              filter == null ? Filter.any() : filter,
              waves,
              or(soak, Duration.ofMinutes(15)),
              or(success, 0.95),
              or(failure, 0.05),
              "abort".equals(onFailure) ? OnFailure.ABORT : OnFailure.PAUSE,
              or(timeLimit, Duration.ofHours(24)),
              or(consent, false),
              or(parked, true),
              or(startAt, Duration.ZERO),
              Optional.ofNullable(afterId),
              or(rollback, false)));
    }
    for (Map.Entry<String, String> a : after.entrySet()) {
      ScenarioNode c = ids.get(a.getKey());
      if (!ids.containsKey(a.getValue())) {
        c.error(
            c.value("after"),
            c.child("after"),
            "expected the id of a campaign of this file ("
                + String.join(", ", ids.keySet())
                + "), was '"
                + a.getValue()
                + "'");
      } else if (a.getValue().equals(a.getKey())) {
        c.error(c.value("after"), c.child("after"), "a campaign cannot wait for itself");
      } else {
        // Follow the chain: a campaign that waits, through others, for itself never starts.
        Set<String> chain = new LinkedHashSet<>(List.of(a.getKey()));
        String next = a.getValue();
        while (next != null && chain.add(next)) {
          next = after.get(next);
        }
        if (next != null && next.equals(a.getKey())) {
          c.error(
              c.value("after"),
              c.child("after"),
              "campaigns wait for each other in a circle: "
                  + String.join(" → ", chain)
                  + " → "
                  + next);
        }
      }
    }
    return result;
  }

  private Filter filter(ScenarioNode c) {
    ScenarioNode f = c.object("filter", false, "regions", "models", "environment", "tags");
    if (f == null) {
      return null;
    }
    List<String> regions = f.names("regions", regionNames, "a region of the fleet");
    List<String> models = f.names("models", modelNames, "a model of the fleet");
    String environment = f.oneOf("environment", false, Scenario.ENVIRONMENTS, "an environment");
    List<String> tags = f.names("tags", null, null);
    if (f.failed) {
      return null;
    }
    return new Filter(
        or(regions, List.of()),
        or(models, List.of()),
        Optional.ofNullable(environment),
        or(tags, List.of()));
  }

  private List<Double> waves(ScenarioNode c) {
    ConfigList list = c.list("waves", true);
    if (list == null) {
      return null;
    }
    String path = c.child("waves");
    if (list.isEmpty()) {
      c.error(list, path, "expected at least one wave, the last at 100");
      return null;
    }
    List<Double> waves =
        c.numbers(list, path, Double.MIN_VALUE, 100, "a percentage between 0 and 100");
    if (waves == null) {
      return null;
    }
    for (int i = 1; i < waves.size(); i++) {
      if (waves.get(i) <= waves.get(i - 1)) {
        c.error(
            list.get(i),
            path + "[" + i + "]",
            "expected cumulative percentages that increase, was "
                + num(waves.get(i))
                + " after "
                + num(waves.get(i - 1)));
        return null;
      }
    }
    if (waves.get(waves.size() - 1) != 100) {
      c.error(
          list.get(waves.size() - 1),
          path + "[" + (waves.size() - 1) + "]",
          "expected the last wave at 100 (everyone), was " + num(waves.get(waves.size() - 1)));
      return null;
    }
    return waves;
  }

  // ---- timeline

  private List<TimelineEntry> timeline(ScenarioNode root) {
    ConfigList list = root.list("timeline", false);
    List<TimelineEntry> result = new ArrayList<>();
    if (list == null) {
      return result;
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      ScenarioNode t =
          root.element(list, i, "timeline", "id", "kind", "at", "duration", "selector", "params");
      if (t == null) {
        continue;
      }
      FaultKind kind = null;
      String kindName = t.string("kind", true);
      if (kindName != null) {
        try {
          kind = FaultKind.parse(kindName);
        } catch (IllegalArgumentException e) {
          t.error(t.value("kind"), t.child("kind"), e.getMessage());
        }
      }
      String id = t.id("id", false);
      if (id == null && t.value("id") == null && kind != null) {
        id = "t" + i + "-" + kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
      }
      if (id != null && !ids.add(id)) {
        t.error(t.value("id"), t.child("id"), "timeline id '" + id + "' is used already");
      }
      Duration at = t.duration("at", false);
      Duration duration = t.duration("duration", false);
      if (duration != null && duration.isZero()) {
        t.error(t.value("duration"), t.child("duration"), "expected a duration above 0");
        duration = null;
      }
      TimelineSelector selector = selector(t);
      Map<String, Double> params = params(t);
      if (t.failed || kind == null || id == null) {
        continue;
      }
      TimelineEntry entry =
          new TimelineEntry(
              id,
              kind,
              or(at, Duration.ZERO),
              Optional.ofNullable(duration),
              or(selector, TimelineSelector.all()),
              or(params, Map.of()));
      try {
        entry.toFaultRule(Instant.EPOCH); // what the fault model refuses, refused now
        result.add(entry);
      } catch (IllegalArgumentException e) {
        t.error(t.obj, t.path, e.getMessage());
      }
    }
    return result;
  }

  private TimelineSelector selector(ScenarioNode t) {
    ScenarioNode s =
        t.object("selector", false, "regions", "vins", "ecuTypes", "campaign", "percent");
    if (s == null) {
      return null;
    }
    List<String> regions = s.names("regions", regionNames, "a region of the fleet");
    List<String> vins = s.names("vins", null, null);
    List<String> ecuTypes = new ArrayList<>();
    ConfigList types = s.list("ecuTypes", false);
    for (int i = 0; types != null && i < types.size(); i++) {
      String type = s.ecuTypeValue(types.get(i), s.child("ecuTypes") + "[" + i + "]");
      if (type != null) {
        ecuTypes.add(type);
      }
    }
    String campaign = s.string("campaign", false);
    if (campaign != null && !campaignWaves.containsKey(campaign)) {
      s.error(
          s.value("campaign"),
          s.child("campaign"),
          "expected the id of a campaign of this file ("
              + String.join(", ", campaignWaves.keySet())
              + "), was '"
              + campaign
              + "'");
    }
    Double percent =
        s.number("percent", false, Double.MIN_VALUE, 100, "a percentage above 0 and at most 100");
    if (s.failed) {
      return null;
    }
    return new TimelineSelector(
        new LinkedHashSet<>(or(regions, List.of())),
        new LinkedHashSet<>(or(vins, List.of())),
        new LinkedHashSet<>(ecuTypes),
        Optional.ofNullable(campaign),
        or(percent, 100.0));
  }

  private Map<String, Double> params(ScenarioNode t) {
    ScenarioNode p = t.object("params", false);
    if (p == null) {
      return null;
    }
    Map<String, Double> params = new LinkedHashMap<>();
    for (String key : source.keys(p.obj)) {
      double max = key.equals("rate") ? 1 : Double.MAX_VALUE;
      String what = key.equals("rate") ? "a share between 0 and 1" : "a number of 0 or more";
      Double v = p.number(key, true, 0, max, what);
      if (v != null) {
        params.put(key, v);
      }
    }
    return p.failed ? null : params;
  }

  private static String num(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
