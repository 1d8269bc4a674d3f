package io.fleetsim.cloud;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a batch of Director events changes in the read model, folded per vehicle in event order, so
 * a store writes each vehicle once per batch and never reads a row back to change it.
 *
 * <p>A vehicle registered in the batch is a complete row ({@link #registered}); later events of the
 * batch are applied to that row here. Any other vehicle gets a {@link Change}: its new update state
 * (null when the batch leaves it as it is), the time of its last event and the versions its
 * manifests reported per ECU serial. A change to a vehicle the store does not have is dropped, as
 * is a version for a serial the vehicle does not have.
 */
public final class FleetChanges {

  /** Absolute values to write over a stored vehicle's row. */
  public record Change(String vin, String updateState, Instant at, Map<String, String> versions) {}

  private final Map<String, FleetVehicle> registered = new LinkedHashMap<>();
  private final Map<String, MutableChange> changed = new LinkedHashMap<>();
  private int events;

  private static final class MutableChange {
    String state;
    Instant at;
    final Map<String, String> versions = new LinkedHashMap<>();
  }

  /** The changes {@code batch} makes, in order. */
  public static FleetChanges of(Collection<? extends Director.Event> batch) {
    FleetChanges changes = new FleetChanges();
    for (Director.Event e : batch) {
      changes.add(e);
    }
    return changes;
  }

  /** A batch that stores {@code vehicle} as it is. */
  public static FleetChanges upsert(FleetVehicle vehicle) {
    FleetChanges changes = new FleetChanges();
    changes.registered.put(vehicle.vin(), vehicle);
    changes.events = 1;
    return changes;
  }

  /** Folds one more event into the batch. */
  public void add(Director.Event event) {
    events++;
    if (event instanceof Director.Registered r) {
      changed.remove(r.vin());
      registered.put(
          r.vin(),
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
      state(a.vin(), "ASSIGNED", a.at());
    } else if (event instanceof Director.AssignmentFetched f) {
      state(f.vin(), "IN_PROGRESS", f.at());
    } else if (event instanceof Director.AssignmentTimedOut t) {
      state(t.vin(), Director.summary(t.outcome().outcome()), t.outcome().at());
    } else if (event instanceof Director.AssignmentAlreadyMet m) {
      state(m.vin(), Director.summary(m.outcome().outcome()), m.outcome().at());
    } else if (event instanceof Director.ManifestAccepted m) {
      Map<String, String> installed = new LinkedHashMap<>();
      for (Director.EcuOutcome e : m.ecus()) {
        installed.put(e.serial(), e.installedVersion());
      }
      FleetVehicle v = registered.get(m.vin());
      if (v != null) {
        registered.put(
            m.vin(), v.withEcus(v.ecusWith(installed), m.summaryState(v.updateState()), m.at()));
      } else {
        MutableChange c = changed.computeIfAbsent(m.vin(), k -> new MutableChange());
        c.versions.putAll(installed);
        c.state = m.summaryState(c.state);
        c.at = m.at();
      }
    }
  }

  private void state(String vin, String state, Instant at) {
    FleetVehicle v = registered.get(vin);
    if (v != null) {
      registered.put(vin, v.withState(state, at));
    } else {
      MutableChange c = changed.computeIfAbsent(vin, k -> new MutableChange());
      c.state = state;
      c.at = at;
    }
  }

  /** Vehicles registered in the batch, as complete rows. */
  public Collection<FleetVehicle> registered() {
    return registered.values();
  }

  /** Changes to vehicles not registered in the batch. */
  public List<Change> changed() {
    List<Change> out = new ArrayList<>(changed.size());
    changed.forEach((vin, c) -> out.add(new Change(vin, c.state, c.at, Map.copyOf(c.versions))));
    return out;
  }

  /** Events folded in, including ones that change nothing. */
  public int events() {
    return events;
  }

  public boolean isEmpty() {
    return registered.isEmpty() && changed.isEmpty();
  }

  /** {@code change} applied to {@code v}, as the handler did it one event at a time. */
  public static FleetVehicle applyTo(FleetVehicle v, Change change) {
    List<FleetVehicle.Ecu> ecus =
        change.versions().isEmpty() ? v.ecus() : v.ecusWith(change.versions());
    return v.withEcus(
        ecus, change.updateState() == null ? v.updateState() : change.updateState(), change.at());
  }
}
