package io.fleetsim.cloud;

import java.util.List;
import java.util.Optional;

/**
 * Storage of the fleet read model. Kept this small so the projection's event handler runs unchanged
 * against the in-memory store in unit tests and the JDBC table in a node. Calls are blocking;
 * {@link FleetQueries} moves them off the actor threads.
 */
public interface FleetStore {

  void upsert(FleetVehicle vehicle);

  Optional<FleetVehicle> get(String vin);

  /** Vehicles matching the filter (ECU type may be null for "any ECU"), ordered by VIN. */
  List<FleetVehicle> list(TargetFilter filter, int offset, int limit);

  long count(TargetFilter filter);

  /** Last processed offset of the named projection, -1 when it never ran. */
  long loadOffset(String projection);

  void saveOffset(String projection, long offset);
}
