package io.fleetsim.faults;

import io.fleetsim.cluster.CborSerializable;
import java.util.Map;

/**
 * One fault or attack: what ({@code kind} and its {@code params}, see {@link FaultKind}), on whom
 * ({@code selector}) and when ({@code window}, simulated time). Rules are named by {@code id},
 * unique within a run; adding a rule with an id in use replaces it.
 */
public record FaultRule(
    String id, FaultKind kind, Selector selector, Map<String, Double> params, Window window)
    implements CborSerializable {

  public FaultRule {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException(
          "a fault rule's id is 1 to 64 letters, digits, '.', '_' or '-', got '" + id + "'");
    }
    if (kind == null || selector == null || window == null) {
      throw new IllegalArgumentException("a fault rule needs a kind, a selector and a window");
    }
    params = params == null ? Map.of() : params;
    // Checked before the copy: Map.copyOf refuses a missing value with a bare NullPointerException.
    for (Map.Entry<String, Double> p : params.entrySet()) {
      if (p.getKey() == null || p.getValue() == null || p.getValue().isNaN() || p.getValue() < 0) {
        throw new IllegalArgumentException(
            "fault rule " + id + ": parameter " + p.getKey() + " must be a number >= 0");
      }
    }
    params = Map.copyOf(params);
    Double rate = params.get("rate");
    if (rate != null && rate > 1) {
      throw new IllegalArgumentException(
          "fault rule " + id + ": rate is a share between 0 and 1, got " + rate);
    }
  }

  /** The parameter {@code name}, or {@code fallback} when the rule does not set it. */
  public double param(String name, double fallback) {
    Double v = params.get(name);
    return v == null ? fallback : v;
  }

  /** Whether this rule acts on {@code s} at {@code nowMillis}. */
  public boolean touches(Subject s, long nowMillis, long scenarioSeed) {
    return window.contains(nowMillis) && selector.matches(s, scenarioSeed, id);
  }
}
