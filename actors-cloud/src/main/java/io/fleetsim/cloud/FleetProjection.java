package io.fleetsim.cloud;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
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
    if (event instanceof Director.Registered r) {
      store.upsert(
          new FleetVehicle(
              r.vin(),
              r.region(),
              r.environment(),
              r.tags(),
              r.ecus().stream()
                  .map(
                      e ->
                          new FleetVehicle.Ecu(
                              e.serial(), e.ecuType(), e.hardwareId(), e.installedVersion()))
                  .toList(),
              "IDLE",
              r.at()));
    } else if (event instanceof Director.AssignmentMade a) {
      store.get(a.vin()).ifPresent(v -> store.upsert(v.withState("ASSIGNED", a.at())));
    } else if (event instanceof Director.AssignmentFetched f) {
      store.get(f.vin()).ifPresent(v -> store.upsert(v.withState("IN_PROGRESS", f.at())));
    } else if (event instanceof Director.ManifestAccepted m) {
      store
          .get(m.vin())
          .ifPresent(
              v -> {
                Map<String, String> installed =
                    m.ecus().stream()
                        .collect(
                            Collectors.toMap(
                                Director.EcuOutcome::serial,
                                Director.EcuOutcome::installedVersion,
                                (x, y) -> y));
                List<FleetVehicle.Ecu> ecus = new ArrayList<>();
                for (FleetVehicle.Ecu e : v.ecus()) {
                  ecus.add(
                      new FleetVehicle.Ecu(
                          e.serial(),
                          e.ecuType(),
                          e.hardwareId(),
                          installed.getOrDefault(e.serial(), e.installedVersion())));
                }
                store.upsert(v.withEcus(ecus, m.summaryState(v.updateState()), m.at()));
              });
    }
  }

  /**
   * Runs the projection until the returned kill switch is shut down, restarting with backoff if the
   * journal or the store fails. {@code resume} picks up from the stored offset; only journals whose
   * tag offsets are global sequence numbers (the JDBC one) can resume, the in-memory test journal
   * starts from the beginning every time.
   */
  public static UniqueKillSwitch run(
      ActorSystem<?> system, String readJournalPluginId, FleetStore store, boolean resume) {
    EventsByTagQuery journal =
        PersistenceQuery.get(system).getReadJournalFor(EventsByTagQuery.class, readJournalPluginId);
    var blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    RestartSettings restart =
        RestartSettings.create(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2);
    Source<Done, ?> source =
        RestartSource.withBackoff(
            restart,
            () -> {
              Offset from = NoOffset.getInstance();
              if (resume) {
                long stored = store.loadOffset(NAME);
                from = stored < 0 ? NoOffset.getInstance() : Offset.sequence(stored);
              }
              return journal
                  .eventsByTag(Director.TAG, from)
                  .mapAsync(
                      1,
                      env ->
                          CompletableFuture.supplyAsync(
                              () -> {
                                if (env.event() instanceof Director.Event e) {
                                  apply(store, e);
                                }
                                if (resume && env.offset() instanceof Sequence s) {
                                  store.saveOffset(NAME, s.value());
                                }
                                return Done.getInstance();
                              },
                              blocking));
            });
    return source
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.ignore(), Keep.left())
        .run(system);
  }
}
