package io.fleetsim.cloud;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-vehicle facts a campaign has received but not yet written. A wave of thousands of vehicles
 * sends thousands of them at once while one campaign entity persists one write at a time, so they
 * are gathered and written as one atomic batch together with the gate decision they lead to.
 *
 * <p>Not state: facts lost with a crash before their write come again, because every outcome is
 * sent by its Director until the campaign acknowledges it, and the campaign acknowledges only after
 * the batch holding it was written.
 */
final class FactBuffer<F> {

  private final int flushAt;
  private final List<F> facts = new ArrayList<>();

  FactBuffer(int flushAt) {
    if (flushAt < 1) {
      throw new IllegalArgumentException("flushAt must be at least 1, was " + flushAt);
    }
    this.flushAt = flushAt;
  }

  /** Adds a fact; true when the buffer is full and should be written now. */
  boolean add(F fact) {
    facts.add(fact);
    return facts.size() >= flushAt;
  }

  boolean isEmpty() {
    return facts.isEmpty();
  }

  int size() {
    return facts.size();
  }

  /** The facts in arrival order; the buffer is empty afterwards. */
  List<F> drain() {
    List<F> out = List.copyOf(facts);
    facts.clear();
    return out;
  }
}
