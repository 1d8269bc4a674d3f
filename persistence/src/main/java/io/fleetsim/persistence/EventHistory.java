package io.fleetsim.persistence;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One persistence id's events back, in sequence order: what history replay and debugging read. Uses
 * the read journal named by {@code fleetsim.read-journal} (JDBC by default; tests on the in-memory
 * persistence testkit can point it at {@code pekko.persistence.testkit.query}).
 */
public final class EventHistory {

  private EventHistory() {}

  /** Every event currently stored for {@code persistenceId}; completes once all are read. */
  public static CompletionStage<List<EventEnvelope>> events(
      ActorSystem<?> system, String persistenceId) {
    return source(system, persistenceId, 0L, Long.MAX_VALUE).runWith(Sink.seq(), system);
  }

  /** The stored events with sequence numbers in {@code [fromSequenceNr, toSequenceNr]}. */
  public static Source<EventEnvelope, NotUsed> source(
      ActorSystem<?> system, String persistenceId, long fromSequenceNr, long toSequenceNr) {
    Objects.requireNonNull(persistenceId, "persistenceId");
    if (fromSequenceNr < 0 || toSequenceNr < fromSequenceNr) {
      throw new IllegalArgumentException(
          "Sequence range [" + fromSequenceNr + ", " + toSequenceNr + "] is empty or negative");
    }
    ReadJournal journal = readJournal(system);
    if (!(journal instanceof CurrentEventsByPersistenceIdQuery query)) {
      throw new IllegalStateException(
          journal.getClass().getName() + " cannot read events by persistence id");
    }
    return query.currentEventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr);
  }

  /** The configured read journal ({@code fleetsim.read-journal}). */
  public static ReadJournal readJournal(ActorSystem<?> system) {
    String id = system.settings().config().getString("fleetsim.read-journal");
    return PersistenceQuery.get(system).getReadJournalFor(ReadJournal.class, id);
  }
}
