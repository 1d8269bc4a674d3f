package io.fleetsim.cloud;

import io.fleetsim.cluster.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Director's outcomes not yet acknowledged by their campaign (sent again until they are), and the
 * ids of the assignments that ended lately, so a campaign that assigns again after a crash is
 * acknowledged instead of being given a second assignment.
 */
public record OutcomeOutbox(Map<String, Director.Outcome> outbox, List<String> recentlyClosed)
    implements CborSerializable {

  static final OutcomeOutbox EMPTY = new OutcomeOutbox(Map.of(), List.of());
  static final int REMEMBERED = 16;

  public OutcomeOutbox {
    outbox = Map.copyOf(outbox);
    recentlyClosed = List.copyOf(recentlyClosed);
  }

  OutcomeOutbox closed(Director.Outcome o) {
    Map<String, Director.Outcome> out = new TreeMap<>(outbox);
    out.put(o.assignmentId(), o);
    List<String> recent = new ArrayList<>(recentlyClosed);
    recent.remove(o.assignmentId());
    recent.add(o.assignmentId());
    while (recent.size() > REMEMBERED) {
      recent.remove(0);
    }
    return new OutcomeOutbox(out, recent);
  }

  OutcomeOutbox delivered(String assignmentId) {
    Map<String, Director.Outcome> out = new TreeMap<>(outbox);
    out.remove(assignmentId);
    return new OutcomeOutbox(out, recentlyClosed);
  }

  boolean endedLately(String assignmentId) {
    return recentlyClosed.contains(assignmentId);
  }
}
