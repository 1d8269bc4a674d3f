package io.fleetsim.cloud;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * Per-vehicle facts a campaign has received but not yet written, each with the simulated instant it
 * arrived at. A wave of thousands of vehicles sends thousands of them at once while one campaign
 * entity persists one write at a time, so they are gathered and written as one atomic batch
 * together with the gate decision they lead to.
 *
 * <p>A batch is taken by instant, never by count: {@link #drainBefore} hands out every fact that
 * arrived before a given instant and keeps the ones of that instant itself, which may still be
 * arriving. Facts that arrive at the same instant come from concurrent senders in no fixed order,
 * so the batch is put in the buffer's canonical order (not arrival order): the same facts give the
 * same batch, the same events and the same decision.
 *
 * <p>Not state: facts lost with a crash before their write come again, because every outcome is
 * sent by its Director until the campaign acknowledges it, and the campaign acknowledges only after
 * the batch holding it was written.
 */
final class FactBuffer<F> {

  private record Received<F>(F fact, long atMillis) {}

  private final Comparator<? super F> order;
  private final List<Received<F>> facts = new ArrayList<>();

  /** A buffer whose batches come out in {@code order}, a total order on the facts' content. */
  FactBuffer(Comparator<? super F> order) {
    this.order = order;
  }

  /** Adds a fact that arrived at simulated instant {@code atMillis}. */
  void add(F fact, long atMillis) {
    facts.add(new Received<>(fact, atMillis));
  }

  boolean isEmpty() {
    return facts.isEmpty();
  }

  int size() {
    return facts.size();
  }

  /** When the earliest fact still in the buffer arrived; empty when there is none. */
  OptionalLong earliest() {
    return facts.stream().mapToLong(Received::atMillis).min();
  }

  /**
   * The facts that arrived before {@code instantMillis}, in canonical order; they leave the buffer,
   * the later ones stay.
   */
  List<F> drainBefore(long instantMillis) {
    List<F> out = new ArrayList<>();
    List<Received<F>> kept = new ArrayList<>();
    for (Received<F> r : facts) {
      if (r.atMillis() < instantMillis) {
        out.add(r.fact());
      } else {
        kept.add(r);
      }
    }
    facts.clear();
    facts.addAll(kept);
    out.sort(order);
    return out;
  }
}
