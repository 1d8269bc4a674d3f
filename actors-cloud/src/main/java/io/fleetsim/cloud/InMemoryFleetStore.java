package io.fleetsim.cloud;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Collectors;

/** The read model in a map, for unit tests and single-node runs without a database. */
public final class InMemoryFleetStore implements FleetStore {
  private final Map<String, FleetVehicle> vehicles = new ConcurrentSkipListMap<>();
  private final Map<String, Long> offsets = new ConcurrentHashMap<>();

  @Override
  public synchronized void apply(FleetChanges changes, String projection, long offset) {
    for (FleetVehicle v : changes.registered()) {
      vehicles.put(v.vin(), v);
    }
    for (FleetChanges.Change c : changes.changed()) {
      vehicles.computeIfPresent(c.vin(), (vin, v) -> FleetChanges.applyTo(v, c));
    }
    if (projection != null) {
      offsets.put(projection, offset);
    }
  }

  @Override
  public Optional<FleetVehicle> get(String vin) {
    return Optional.ofNullable(vehicles.get(vin));
  }

  @Override
  public List<FleetVehicle> list(TargetFilter filter, int offset, int limit) {
    return vehicles.values().stream().filter(filter::matches).skip(offset).limit(limit).toList();
  }

  @Override
  public List<FleetVehicle> all(TargetFilter filter) {
    return vehicles.values().stream().filter(filter::matches).toList();
  }

  @Override
  public long count(TargetFilter filter) {
    return vehicles.values().stream().filter(filter::matches).count();
  }

  @Override
  public Map<String, Long> countByState(TargetFilter filter) {
    return vehicles.values().stream()
        .filter(filter::matches)
        .collect(
            Collectors.groupingBy(FleetVehicle::updateState, TreeMap::new, Collectors.counting()));
  }

  @Override
  public long loadOffset(String projection) {
    return offsets.getOrDefault(projection, -1L);
  }

  @Override
  public void saveOffset(String projection, long offset) {
    offsets.put(projection, offset);
  }
}
