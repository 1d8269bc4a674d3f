package io.fleetsim.node;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultLedger;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Selector;
import io.fleetsim.faults.Window;
import io.fleetsim.vehicle.Vehicle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/**
 * A seeded mix of the attacks on the update chain for {@code fleetsim demo --attacks}, on the link,
 * the bus and with keys stolen from the Director: each attack on its own {@code share} of the fleet
 * (no vehicle under two, so each refusal belongs to one attack), from the start of the run; and,
 * once the campaign ended, the account of each: how often it was made, which check caught it, what
 * got through, and what became of its vehicles in the campaign.
 */
final class AttackMix {

  /** The attacks, in the order the table lists them. */
  static final List<FaultKind> KINDS =
      List.of(
          FaultKind.ARBITRARY_SOFTWARE,
          FaultKind.BAD_SIGNATURE,
          FaultKind.UNTRUSTED_KEY,
          FaultKind.ENDLESS_DATA,
          FaultKind.MIX_AND_MATCH,
          FaultKind.ROLLBACK,
          FaultKind.FREEZE,
          FaultKind.DROP_REQUEST,
          FaultKind.SLOW_RETRIEVAL,
          FaultKind.PARTIAL_BUNDLE,
          FaultKind.REPOSITORY_DOS,
          FaultKind.BUS_TAMPERED_IMAGE,
          FaultKind.COMPROMISED_KEY,
          FaultKind.FAST_FORWARD,
          FaultKind.REVOKED_KEY);

  /**
   * The Director's key rotations under the mix ({@code fleetsim.director.key-rotations}): the
   * timestamp key rotates at the start, before any vehicle has checked, which revokes the key the
   * revoked-key attacker holds (the replaying attackers record what the new key signed); and 28
   * hours in, once a frozen timestamp has expired, which undoes the fast-forward made with the key
   * of root version 2 in between.
   */
  static final List<Map<String, String>> KEY_ROTATIONS =
      List.of(
          Map.of("role", "timestamp", "after", "0s"), Map.of("role", "timestamp", "after", "28h"));

  /** {@code options} with the Director's key rotations the mix needs. */
  static FleetNode.Options on(FleetNode.Options options) {
    return options.with("fleetsim.director.key-rotations", KEY_ROTATIONS);
  }

  private final Map<FaultKind, Set<String>> vins;
  private final List<String> fleetVins;
  private final String ecuType;

  private AttackMix(Map<FaultKind, Set<String>> vins, List<String> fleetVins, String ecuType) {
    this.vins = vins;
    this.fleetVins = fleetVins;
    this.ecuType = ecuType;
  }

  /**
   * The vehicles of {@code fleet} under each attack: a vehicle whose seeded draw falls in the
   * {@code k}-th slice of width {@code share} is under the {@code k}-th attack. An attack on the
   * bus acts on the ECUs of {@code ecuType}, the type the campaign updates.
   */
  static AttackMix choose(List<Vehicle.Spec> fleet, long seed, double share, String ecuType) {
    Map<FaultKind, Set<String>> vins = new LinkedHashMap<>();
    KINDS.forEach(k -> vins.put(k, new TreeSet<>()));
    for (Vehicle.Spec v : fleet) {
      double u = Seeds.draw(seed, "attack-mix:" + v.vin(), 0);
      int slice = (int) (u / share);
      if (slice < KINDS.size()) {
        vins.get(KINDS.get(slice)).add(v.vin());
      }
    }
    return new AttackMix(vins, fleet.stream().map(Vehicle.Spec::vin).toList(), ecuType);
  }

  /** The rule of each attack; an attack that drew no vehicle has none. */
  List<FaultRule> rules() {
    List<FaultRule> rules = new ArrayList<>();
    vins.forEach(
        (kind, set) -> {
          if (!set.isEmpty()) {
            rules.add(
                new FaultRule(
                    name(kind),
                    kind,
                    Selector.vins(set),
                    params(kind),
                    Window.from(Instant.EPOCH)));
          }
        });
    return rules;
  }

  /** Adds every rule; completes when the node applies them all. */
  CompletionStage<?> addTo(Faults faults) {
    CompletionStage<?> all = java.util.concurrent.CompletableFuture.completedFuture(null);
    for (FaultRule r : rules()) {
      all = all.thenCompose(x -> faults.add(r));
    }
    return all;
  }

  /**
   * A trickle at 1 bit/s, so that no image arrives within the download phase's time; a fast-forward
   * with the timestamp key of root version 2 (see {@link #KEY_ROTATIONS}).
   */
  private static Map<String, Double> params(FaultKind kind) {
    return switch (kind) {
      case SLOW_RETRIEVAL -> Map.of("kbps", 0.001);
      case FAST_FORWARD -> Map.of("root", 2.0);
      default -> Map.of();
    };
  }

  static String name(FaultKind kind) {
    return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** One line of the account. */
  record Row(
      String attack,
      int vehicles,
      long injected,
      long detected,
      String expectedCheck,
      Map<String, Long> detectedBy,
      long undetected,
      long open,
      Map<String, Integer> campaignOutcomes) {

    /**
     * Every attack made was caught by a check and none got past every check; for the vehicles
     * nobody attacked, no check refused anything.
     */
    boolean allCaught() {
      if (attack.equals(NONE)) {
        return detectedBy.isEmpty();
      }
      return undetected == 0 && open == 0 && injected > 0;
    }
  }

  /**
   * The account of each attack from the node's {@code ledger}, and the outcomes of its vehicles in
   * the campaign ({@code reasons}: the campaign's reason per vehicle that did not succeed).
   */
  List<Row> account(FaultLedger ledger, Map<String, String> reasons) {
    Map<String, FaultLedger.RuleAccount> byRule = new LinkedHashMap<>();
    ledger.accounts().forEach(a -> byRule.put(a.ruleId(), a));
    List<Row> rows = new ArrayList<>();
    vins.forEach(
        (kind, set) -> {
          if (set.isEmpty()) {
            return;
          }
          FaultLedger.RuleAccount a = byRule.get(name(kind));
          Map<String, Integer> outcomes = new java.util.TreeMap<>();
          for (String vin : set) {
            String reason = reasons.get(vin);
            String outcome = reason == null ? "SUCCEEDED" : reason.split(":", 2)[0];
            outcomes.merge(outcome, 1, Integer::sum);
          }
          long injected = a == null ? 0 : a.injected();
          Map<String, Long> by = new java.util.TreeMap<>(a == null ? Map.of() : a.detectedBy());
          by.remove(FaultLedger.ANOTHER_CHECK);
          long caught = by.values().stream().mapToLong(x -> x).sum();
          long undetected = a == null ? 0 : a.undetected() + a.endedUndetected();
          rows.add(
              new Row(
                  name(kind),
                  set.size(),
                  injected,
                  caught,
                  kind.expectedCheck().orElse(""),
                  by,
                  undetected,
                  Math.max(0, injected - caught - undetected),
                  outcomes));
        });
    Map<String, Integer> others = new java.util.TreeMap<>();
    int unattacked = 0;
    for (String vin : fleetVins) {
      if (vins.values().stream().noneMatch(set -> set.contains(vin))) {
        unattacked++;
        String reason = reasons.get(vin);
        others.merge(reason == null ? "SUCCEEDED" : reason.split(":", 2)[0], 1, Integer::sum);
      }
    }
    // Refusals nobody caused: the checks' false alarms, under the vehicles nobody attacked.
    rows.add(new Row(NONE, unattacked, 0, 0, "", ledger.falseAlarms(), 0, 0, others));
    return rows;
  }

  /** The row of the vehicles nobody attacked; what it lists as caught are false alarms. */
  static final String NONE = "(not attacked)";

  /**
   * The account of every rule a check must catch (attacks and corruption) from the node's {@code
   * ledger} alone, as a scenario's run has it: how many vehicles each rule was on is not known
   * there ({@code vehicles} -1), nor what became of them.
   */
  static List<Row> fromLedger(FaultLedger ledger) {
    List<Row> rows = new ArrayList<>();
    for (FaultLedger.RuleAccount a : ledger.accounts()) {
      if (!a.kind().isCaught()) {
        continue;
      }
      Map<String, Long> by = new java.util.TreeMap<>(a.detectedBy());
      by.remove(FaultLedger.ANOTHER_CHECK);
      long caught = by.values().stream().mapToLong(x -> x).sum();
      long undetected = a.undetected() + a.endedUndetected();
      rows.add(
          new Row(
              a.ruleId(),
              -1,
              a.injected(),
              caught,
              a.kind().expectedCheck().orElse(""),
              by,
              undetected,
              Math.max(0, a.injected() - caught - undetected),
              Map.of()));
    }
    return rows;
  }

  /** The table the demo prints after its summary. */
  static String table(List<Row> rows) {
    StringBuilder b = new StringBuilder();
    boolean demo = rows.stream().allMatch(r -> r.vehicles() >= 0);
    b.append(
        String.format(
            Locale.ROOT,
            demo
                ? "%nAttacks (each on its own vehicles, from the start)%n"
                : "%nAttacks and faults a check must catch (by rule)%n"));
    b.append(
        String.format(
            Locale.ROOT,
            "  %-19s %8s %8s %8s  %-26s %10s  %s%n",
            "attack",
            "vehicles",
            "made",
            "caught",
            "by check",
            "undetected",
            "vehicles in the campaign"));
    for (Row r : rows) {
      String by =
          r.detectedBy().isEmpty()
              ? "-"
              : String.join(
                  ", ",
                  r.detectedBy().entrySet().stream()
                      .map(e -> e.getKey() + (r.detectedBy().size() > 1 ? " " + e.getValue() : ""))
                      .toList());
      String effect =
          String.join(
              ", ",
              r.campaignOutcomes().entrySet().stream()
                  .map(e -> e.getValue() + " " + e.getKey().toLowerCase(Locale.ROOT))
                  .toList());
      b.append(
          String.format(
              Locale.ROOT,
              "  %-19s %8s %,8d %,8d  %-26s %,10d  %s%s%n",
              r.attack(),
              r.vehicles() < 0 ? "-" : String.format(Locale.ROOT, "%,d", r.vehicles()),
              r.injected(),
              r.detected(),
              by,
              r.undetected(),
              effect,
              r.open() > 0 ? " (" + r.open() + " attempts not yet at a check)" : ""));
    }
    return b.toString();
  }
}
