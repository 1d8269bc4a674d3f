package io.fleetsim.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The account of what the fault rules injected on this node and what caught them: the figures a
 * run's report and metrics give for every rule (injected, detected and by which check, undetected,
 * what the faults caused) and the false alarms of the checks.
 *
 * <p>An attack is counted once per episode, from its first injection into a vehicle's update until
 * a check of the vehicle refuses something or the update ends, however many exchanges it touched in
 * between: a tampered targets file served on every retry is one attack on one update. A corrupted
 * file ({@link FaultKind#CORRUPT}) is counted the same way, since a check must catch it as it must
 * catch an attack, and any check that refuses it caught it. A fault that is not caught by a check
 * (latency, loss) is counted at every injection, since each one is a separate exchange slowed or
 * lost.
 *
 * <p>Called from many actors at once. Counters are {@link LongAdder}s; the open episodes of a
 * vehicle are an immutable set replaced atomically under its VIN, so an injection and a detection
 * for the same vehicle racing each other either close the episode or open a new one, never lose it.
 * An update that ends with no episode open, the common case, costs one map lookup.
 */
public final class FaultLedger {

  /** What a fault caused, beyond being injected: the cost a run's report puts on it. */
  public enum Effect {
    RETRY,
    DELAY,
    FAILURE,
    ROLLBACK
  }

  /**
   * The entry of {@link RuleAccount#detectedBy} that counts, a second time, the detections by a
   * check other than the one the kind is expected to be caught by: a sign that the expected check
   * let it through, or that the attack tripped a check earlier in the verification order.
   */
  public static final String ANOTHER_CHECK = "caught by another check";

  /**
   * One rule's figures. {@code detectedBy} counts detections per check, plus {@link
   * #ANOTHER_CHECK}; {@code undetected} counts episodes whose update installed what the vehicle was
   * given; {@code endedUndetected} counts those whose update ended without installing it and
   * without any check refusing it. Maps are sorted, so that reports list them the same every run.
   */
  public record RuleAccount(
      String ruleId,
      FaultKind kind,
      long injected,
      Map<String, Long> detectedBy,
      long undetected,
      long endedUndetected,
      Map<Effect, Long> effects) {

    /** Copies the maps, keeping their order, so that an account cannot change once read. */
    public RuleAccount {
      detectedBy = Collections.unmodifiableMap(new TreeMap<>(detectedBy));
      EnumMap<Effect, Long> e = new EnumMap<>(Effect.class);
      e.putAll(effects);
      effects = Collections.unmodifiableMap(e);
    }
  }

  /**
   * The run's totals. Every attack episode closed is counted once, as {@code detected} or as {@code
   * undetected} (installed, or ended without a check refusing it); {@code injected} also counts
   * every injection of the faults that are not attacks.
   */
  public record Totals(long injected, long detected, long undetected, long falseAlarms) {}

  /** One rule's live counters. */
  private static final class Account {
    final String ruleId;
    final FaultKind kind;
    final LongAdder injected = new LongAdder();
    final LongAdder detected = new LongAdder();
    final ConcurrentHashMap<String, LongAdder> detectedBy = new ConcurrentHashMap<>();
    final LongAdder undetected = new LongAdder();
    final LongAdder endedUndetected = new LongAdder();
    final ConcurrentHashMap<Effect, LongAdder> effects = new ConcurrentHashMap<>();

    Account(String ruleId, FaultKind kind) {
      this.ruleId = ruleId;
      this.kind = kind;
    }

    RuleAccount read() {
      return new RuleAccount(
          ruleId,
          kind,
          injected.sum(),
          sums(detectedBy),
          undetected.sum(),
          endedUndetected.sum(),
          sums(effects));
    }
  }

  private final ConcurrentHashMap<String, Account> accounts = new ConcurrentHashMap<>();

  /** The ids of the rules with an attack episode open, by VIN. */
  private final ConcurrentHashMap<String, Set<String>> open = new ConcurrentHashMap<>();

  private final ConcurrentHashMap<String, LongAdder> falseAlarms = new ConcurrentHashMap<>();

  /** Refusals to come that a network fault explains, by VIN and check; and those that came. */
  private final ConcurrentHashMap<String, Integer> expected = new ConcurrentHashMap<>();

  private final ConcurrentHashMap<String, LongAdder> explained = new ConcurrentHashMap<>();

  /**
   * Vehicle {@code vin}'s next refusal by {@code check} with no episode open is the network's
   * doing, not a false alarm: a manifest held back past a newer one ({@link FaultKind#REORDER}) is
   * rightly refused as a replay.
   */
  public void explained(String vin, String check) {
    expected.merge(vin + '|' + check, 1, Integer::sum);
  }

  /** Refusals a network fault explained, by check: counted neither as detections nor as alarms. */
  public Map<String, Long> explainedRefusals() {
    return Collections.unmodifiableMap(new TreeMap<>(sums(explained)));
  }

  private boolean consumeExpected(String vin, String check) {
    boolean[] hit = {false};
    expected.computeIfPresent(
        vin + '|' + check,
        (k, n) -> {
          hit[0] = true;
          return n > 1 ? n - 1 : null;
        });
    if (hit[0]) {
      explained.computeIfAbsent(check, c -> new LongAdder()).increment();
    }
    return hit[0];
  }

  /**
   * An interception point applied {@code rule} to vehicle {@code vin}. An attack, or a corruption,
   * opens an episode, counted once: while it is open, further injections of the rule into the
   * vehicle add nothing. Any other fault is counted at every call.
   */
  public void injected(FaultRule rule, String vin) {
    Objects.requireNonNull(vin, "vin");
    // The account exists before the episode opens, so that whoever closes it finds the account.
    Account account = accounts.computeIfAbsent(rule.id(), id -> new Account(id, rule.kind()));
    if (!rule.kind().isCaught()) {
      account.injected.increment();
      return;
    }
    boolean[] opened = {false};
    open.compute(
        vin,
        (v, ids) -> {
          if (ids != null && ids.contains(rule.id())) {
            return ids;
          }
          Set<String> more = ids == null ? new HashSet<>() : new HashSet<>(ids);
          more.add(rule.id());
          opened[0] = true;
          return Set.copyOf(more);
        });
    if (opened[0]) {
      account.injected.increment();
    }
  }

  /**
   * Vehicle {@code vin} refused something with {@code check} (an {@link io.fleetsim.uptane.Attack}
   * name or {@link FaultKind#TIMEOUT}). Every open attack episode of the vehicle ends as detected
   * by {@code check}, and also under {@link #ANOTHER_CHECK} when the kind expected another (never
   * for a kind any check may catch, {@link FaultKind#ANY}). With no episode open the refusal is a
   * false alarm of the check: the report must show checks that refuse what nobody tampered with.
   */
  public void detected(String vin, String check) {
    Objects.requireNonNull(check, "check");
    Set<String> ids = open.remove(vin);
    if (ids == null) {
      if (!check.equals(FaultKind.TIMEOUT) && !consumeExpected(vin, check)) {
        // A request without an answer is the network's everyday failure, not an alarm.
        falseAlarms.computeIfAbsent(check, c -> new LongAdder()).increment();
      }
      return;
    }
    for (String id : ids) {
      Account account = accounts.get(id);
      account.detected.increment();
      account.detectedBy.computeIfAbsent(check, c -> new LongAdder()).increment();
      if (!account.kind.caughtBy(check)) {
        account.detectedBy.computeIfAbsent(ANOTHER_CHECK, c -> new LongAdder()).increment();
      }
    }
  }

  /**
   * Vehicle {@code vin}'s update ended; {@code installed}: it installed what it was given. Every
   * attack episode still open got past every check: installed, it is undetected; not installed, the
   * update ended in failure with no check having refused the attack, which is counted as ended
   * undetected and as a {@link Effect#FAILURE} the attack caused.
   */
  public void ended(String vin, boolean installed) {
    Set<String> ids = open.remove(vin);
    if (ids == null) {
      return;
    }
    Set<String> outliving = new HashSet<>();
    for (String id : ids) {
      Account account = accounts.get(id);
      if (account.kind.outlivesUpdate()) {
        outliving.add(id);
        continue;
      }
      if (installed) {
        account.undetected.increment();
      } else {
        account.endedUndetected.increment();
        account.effects.computeIfAbsent(Effect.FAILURE, e -> new LongAdder()).increment();
      }
    }
    if (!outliving.isEmpty()) {
      open.merge(
          vin,
          Set.copyOf(outliving),
          (a, b) -> {
            Set<String> both = new HashSet<>(a);
            both.addAll(b);
            return Set.copyOf(both);
          });
    }
  }

  /**
   * The fault {@code ruleId} caused {@code effect} (a retry, a delay, a failed update, a rollback).
   * Only a rule injected on this node has an account; an effect of any other is not counted, since
   * nothing here says what kind of rule it was.
   */
  public void effect(String ruleId, Effect effect) {
    Objects.requireNonNull(effect, "effect");
    Account account = accounts.get(ruleId);
    if (account != null) {
      account.effects.computeIfAbsent(effect, e -> new LongAdder()).increment();
    }
  }

  /** One account per rule ever injected on this node, in rule-id order, as a report lists them. */
  public List<RuleAccount> accounts() {
    List<RuleAccount> all = new ArrayList<>();
    for (Account a : new TreeMap<>(accounts).values()) {
      all.add(a.read());
    }
    return List.copyOf(all);
  }

  /** False alarms by check, in check order: refusals of something nobody tampered with. */
  public Map<String, Long> falseAlarms() {
    return Collections.unmodifiableMap(new TreeMap<>(sums(falseAlarms)));
  }

  /** The figures a run's summary and metrics give: see {@link Totals}. */
  public Totals totals() {
    long injected = 0;
    long detected = 0;
    long undetected = 0;
    for (Account a : accounts.values()) {
      injected += a.injected.sum();
      detected += a.detected.sum();
      undetected += a.undetected.sum() + a.endedUndetected.sum();
    }
    long alarms = 0;
    for (LongAdder n : falseAlarms.values()) {
      alarms += n.sum();
    }
    return new Totals(injected, detected, undetected, alarms);
  }

  private static <K> Map<K, Long> sums(Map<K, LongAdder> counters) {
    Map<K, Long> out = new java.util.HashMap<>();
    counters.forEach((k, n) -> out.put(k, n.sum()));
    return out;
  }
}
