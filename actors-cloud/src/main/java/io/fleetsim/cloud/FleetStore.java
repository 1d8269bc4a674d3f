package io.fleetsim.cloud;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Storage of the fleet read model. Kept this small so the projection's event handler runs unchanged
 * against the in-memory store in unit tests and the JDBC tables in a node. Calls are blocking;
 * {@link FleetQueries} moves them off the actor threads.
 */
public interface FleetStore {

  /**
   * Writes a batch of changes and, when {@code projection} is not null, the offset reached, all or
   * nothing: the JDBC store does it in one transaction with one JDBC batch per table.
   */
  void apply(FleetChanges changes, String projection, long offset);

  default void upsert(FleetVehicle vehicle) {
    apply(FleetChanges.upsert(vehicle), null, -1);
  }

  Optional<FleetVehicle> get(String vin);

  /** Vehicles matching the filter (ECU type may be null for "any ECU"), ordered by VIN. */
  List<FleetVehicle> list(TargetFilter filter, int offset, int limit);

  /**
   * Every vehicle matching the filter, ordered by VIN: a campaign's targets. One pass over the
   * matching rows, where paging with an offset would make the database skip all earlier rows again
   * for every page.
   */
  List<FleetVehicle> all(TargetFilter filter);

  long count(TargetFilter filter);

  /**
   * How many vehicles matching the filter are in each update state (IDLE, ASSIGNED, ...); states no
   * matching vehicle is in are absent.
   */
  Map<String, Long> countByState(TargetFilter filter);

  /** Last processed offset of the named projection, -1 when it never ran. */
  long loadOffset(String projection);

  void saveOffset(String projection, long offset);
}
