package io.fleetsim.cloud;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Keeps the fleet read model up to date from the Directors' tagged events.
 *
 * <p>A small tagged-event consumer of our own rather than Pekko Projections: every handler writes
 * absolute values (the vehicle's registration facts, the versions a manifest reported), so
 * replaying an event after a crash is harmless and at-least-once delivery with the offset stored
 * after each event is all the guarantee the read model needs; it also keeps the offset in the read
 * model's own store, so the in-memory store used by tests behaves like the table.
 */
public final class FleetProjection {
  public static final String NAME = "fleet-read-model";

  private FleetProjection() {}

  /** Applies one Director event to the store. The same code feeds the in-memory and JDBC stores. */
  public static void apply(FleetStore store, Director.Event event) {
    store.apply(FleetChanges.of(List.of(event)), null, -1);
  }

  /**
   * Applies a batch of journal entries and stores the offset of the last one with them, in one
   * write: the batch's events are folded per vehicle ({@link FleetChanges}) and written without
   * reading a row back.
   */
  public static void applyBatch(FleetStore store, List<EventEnvelope> batch) {
    FleetChanges changes = new FleetChanges();
    long last = -1;
    for (EventEnvelope env : batch) {
      if (env.event() instanceof Director.Event e) {
        changes.add(e);
      }
      if (env.offset() instanceof Sequence seq) {
        last = seq.value();
      }
    }
    store.apply(changes, last >= 0 ? NAME : null, last);
  }

  /**
   * Runs the projection until the returned kill switch is shut down, restarting with backoff if the
   * journal or the store fails.
   *
   * <p>With {@code globalOffsets} (the JDBC journal, whose tag offsets are one global ordering) it
   * follows {@code eventsByTag} live from the stored offset. Journals whose tag offsets are per
   * entity (the in-memory persistence testkit) cannot be resumed or even followed live without
   * losing events of different entities that share an offset, so for them it re-reads every tagged
   * event each {@code pollInterval}; the handlers write absolute values, so re-applying is
   * harmless, and the cost only matters for test-sized journals.
   */
  public static UniqueKillSwitch run(
      ActorSystem<?> system,
      String readJournalPluginId,
      FleetStore store,
      boolean globalOffsets,
      Duration pollInterval) {
    var blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    RestartSettings restart =
        RestartSettings.create(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2);
    Source<Done, ?> source;
    if (globalOffsets) {
      EventsByTagQuery journal =
          PersistenceQuery.get(system)
              .getReadJournalFor(EventsByTagQuery.class, readJournalPluginId);
      source =
          RestartSource.withBackoff(
              restart,
              () -> {
                long stored = store.loadOffset(NAME);
                Offset from = stored < 0 ? NoOffset.getInstance() : Offset.sequence(stored);
                // Applied in batches: one hop to the blocking pool and one offset write per
                // batch, not per event, so the read model keeps up with a fleet being provisioned.
                return journal
                    .eventsByTag(Director.TAG, from)
                    .groupedWithin(500, Duration.ofMillis(100))
                    .mapAsync(
                        1,
                        batch ->
                            CompletableFuture.supplyAsync(
                                () -> {
                                  applyBatch(store, batch);
                                  return Done.getInstance();
                                },
                                blocking));
              });
    } else {
      CurrentEventsByTagQuery journal =
          PersistenceQuery.get(system)
              .getReadJournalFor(CurrentEventsByTagQuery.class, readJournalPluginId);
      // Highest sequence number applied per entity, so each poll only applies what is new.
      java.util.Map<String, Long> applied = new java.util.concurrent.ConcurrentHashMap<>();
      source =
          RestartSource.withBackoff(
              restart,
              () ->
                  Source.tick(Duration.ZERO, pollInterval, Done.getInstance())
                      .flatMapConcat(
                          tick -> journal.currentEventsByTag(Director.TAG, NoOffset.getInstance()))
                      .filter(
                          env -> env.sequenceNr() > applied.getOrDefault(env.persistenceId(), 0L))
                      .mapAsync(
                          1,
                          env ->
                              CompletableFuture.supplyAsync(
                                  () -> {
                                    if (env.event() instanceof Director.Event e) {
                                      apply(store, e);
                                    }
                                    applied.merge(env.persistenceId(), env.sequenceNr(), Math::max);
                                    return Done.getInstance();
                                  },
                                  blocking)));
    }
    return source
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.ignore(), Keep.left())
        .run(system);
  }
}
