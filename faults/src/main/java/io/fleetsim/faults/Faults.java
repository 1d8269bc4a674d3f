package io.fleetsim.faults;

import io.fleetsim.cluster.Seeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The node's view of the fault rules every node applies, and of what they did here.
 *
 * <p>Rules are written once, anywhere in the cluster, and replicated to every node through
 * Distributed Data (see {@link FaultRegistry}), so a vehicle meets the same faults whichever node
 * it runs on. Every vehicle asks {@link #acting} on every network exchange, so the answer comes
 * from an immutable snapshot in a volatile field, replaced whole on each change: reading it takes
 * no lock, and with no rules costs no allocation either.
 */
public final class Faults implements Extension {

  /** Longer than a write waits for a majority, so that the registry's answer comes first. */
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  private static final Id ID = new Id();

  /** Pekko extension id; use {@link Faults#get}. */
  public static final class Id extends ExtensionId<Faults> {
    private Id() {}

    @Override
    public Faults createExtension(ActorSystem<?> system) {
      return new Faults(system);
    }
  }

  /** The node's one instance: every vehicle, bus and ECU on a node applies the same rules. */
  public static Faults get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The rules by id, and by the point they act at, for lookups without filtering on the kind. */
  private record Snapshot(List<FaultRule> rules, List<List<FaultRule>> byPoint) {
    static final Snapshot EMPTY = of(List.of());

    static Snapshot of(List<FaultRule> rules) {
      List<List<FaultRule>> byPoint = new ArrayList<>();
      for (Point p : Point.values()) {
        byPoint.add(rules.stream().filter(r -> r.kind().point() == p).toList());
      }
      return new Snapshot(rules, List.copyOf(byPoint));
    }

    List<FaultRule> at(Point point) {
      return byPoint.get(point.ordinal());
    }
  }

  private final ActorSystem<?> system;
  private final long scenarioSeed;
  private final FaultLedger ledger = new FaultLedger();
  private final LinkTampering linkTampering;
  private final RepositorySigning repositorySigning = new RepositorySigning();
  private final ReportReplay reportReplay = new ReportReplay();

  /** Null in an actor system without a cluster (a unit test's): rules are then this node's only. */
  private final ActorRef<FaultRegistry.Command> registry;

  private volatile Snapshot snapshot = Snapshot.EMPTY;

  private Faults(ActorSystem<?> system) {
    this.system = system;
    this.scenarioSeed = Seeds.scenarioSeed(system);
    this.linkTampering = new LinkTampering(scenarioSeed);
    boolean cluster =
        "cluster".equals(system.settings().config().getString("pekko.actor.provider"));
    this.registry =
        cluster
            ? system.systemActorOf(
                FaultRegistry.create(rules -> snapshot = Snapshot.of(rules)),
                "fleetsim-faults",
                Props.empty())
            : null;
  }

  /** Without a cluster: the change applied to this node's rules at once. */
  private synchronized CompletionStage<Done> locally(String id, FaultRule rule) {
    java.util.TreeMap<String, FaultRule> rules = new java.util.TreeMap<>();
    snapshot.rules().forEach(r -> rules.put(r.id(), r));
    if (rule == null && rules.remove(id) == null) {
      return java.util.concurrent.CompletableFuture.failedFuture(
          new IllegalArgumentException("no fault rule " + id));
    }
    if (rule != null) {
      rules.put(id, rule);
    }
    snapshot = Snapshot.of(List.copyOf(rules.values()));
    return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
  }

  /** The scenario seed every rule's draws start from. */
  public long scenarioSeed() {
    return scenarioSeed;
  }

  /** The node's attacker on vehicles' links, with what it recorded. */
  public LinkTampering linkTampering() {
    return linkTampering;
  }

  /** The attacker in the repositories' signing, with what it forged so far on this node. */
  public RepositorySigning repositorySigning() {
    return repositorySigning;
  }

  /** The node's replaying device on vehicles' buses, with the reports it recorded. */
  public ReportReplay reportReplay() {
    return reportReplay;
  }

  /**
   * Adds or replaces (same id) a rule cluster-wide. The stage completes once this node applies it,
   * so a scenario that adds a fault and then starts its vehicles knows they meet it; other nodes
   * apply it when replication reaches them.
   */
  public CompletionStage<Done> add(FaultRule rule) {
    Objects.requireNonNull(rule, "rule");
    if (registry == null) {
      return locally(rule.id(), rule);
    }
    return AskPattern.askWithStatus(
        registry, replyTo -> new FaultRegistry.Put(rule, replyTo), ASK_TIMEOUT, system.scheduler());
  }

  /**
   * Removes a rule cluster-wide; the stage completes once this node no longer applies it. An id
   * this node does not know fails the stage with an {@link IllegalArgumentException} naming it, so
   * that a mistyped id is not taken for an ended fault.
   */
  public CompletionStage<Done> remove(String id) {
    Objects.requireNonNull(id, "id");
    if (registry == null) {
      return locally(id, null);
    }
    return AskPattern.askWithStatus(
        registry,
        replyTo -> new FaultRegistry.Remove(id, replyTo),
        ASK_TIMEOUT,
        system.scheduler());
  }

  /**
   * Every rule this node knows, in id order, so that listings and reports are the same on every
   * run.
   */
  public List<FaultRule> rules() {
    return snapshot.rules();
  }

  /**
   * Whether any rule acts at {@code point} at all, whatever its window and selector: lets an
   * interception point on a hot path (every block group, every exchange) skip building its subject
   * when no rule could touch it.
   */
  public boolean actsAt(Point point) {
    return !snapshot.at(point).isEmpty();
  }

  /**
   * The rules acting at {@code point} on {@code s} at simulated {@code nowMillis}, in id order, so
   * that an interception point applying several applies them in the same order on every run and
   * node. Called on every exchange: with no rule at the point it returns a shared empty list.
   */
  public List<FaultRule> acting(Point point, Subject s, long nowMillis) {
    List<FaultRule> candidates = snapshot.at(point);
    if (candidates.isEmpty()) {
      return List.of();
    }
    List<FaultRule> acting = null;
    for (int i = 0; i < candidates.size(); i++) {
      FaultRule rule = candidates.get(i);
      if (rule.touches(s, nowMillis, scenarioSeed)) {
        if (acting == null) {
          acting = new ArrayList<>(candidates.size());
        }
        acting.add(rule);
      }
    }
    return acting == null ? List.of() : Collections.unmodifiableList(acting);
  }

  /**
   * Whether any rule on what a check meets (the link, a repository) selecting {@code s} has a
   * window overlapping [{@code fromMillis}, {@code untilMillis}). A vehicle may skip a poll whose
   * outcome it knows only when no fault could have changed that outcome in the meantime; an empty
   * interval overlaps nothing.
   */
  public boolean anyTouches(Subject s, long fromMillis, long untilMillis) {
    List<FaultRule> rules = snapshot.rules();
    if (rules.isEmpty() || untilMillis <= fromMillis) {
      return false;
    }
    // Indexed, not iterated: no iterator to allocate on a call every poll makes.
    for (int i = 0; i < rules.size(); i++) {
      FaultRule rule = rules.get(i);
      Window w = rule.window();
      Point p = rule.kind().point();
      if ((p == Point.LINK || p == Point.REPOSITORY)
          && w.startMillis() < untilMillis
          && fromMillis < w.endMillis()
          && rule.selector().matches(s, scenarioSeed, rule.id())) {
        return true;
      }
    }
    return false;
  }

  /** What the rules did on this node: one ledger per node, read by the node's report. */
  public FaultLedger ledger() {
    return ledger;
  }
}
