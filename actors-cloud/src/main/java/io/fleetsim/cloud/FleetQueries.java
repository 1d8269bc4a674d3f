package io.fleetsim.cloud;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * What the rest of the system asks the fleet read model: listings and counts with filters and
 * paging, and a campaign's complete target set. Store calls may block on JDBC, so they run on the
 * blocking-io dispatcher rather than on an actor's thread.
 *
 * <p>That dispatcher is one the simulated clock counts ({@code CountedExecutorConfigurator}), and
 * it must stay so: a query in flight is simulation work, so the clock cannot move on while a
 * campaign's {@code Start} waits for its targets, and the campaign starts at the instant it was
 * asked to. On an uncounted executor (the common pool, a pool of its own) the node would look idle
 * during the query and the clock could run ahead of it. {@link #create} uses the node's blocking
 * dispatcher; whoever passes another executor must pass a counted one.
 *
 * <p>What the queries see is the read model, which follows the Directors' journal as it is written
 * (wall time, not simulated time): a campaign started just after vehicles were updated may not see
 * those updates yet.
 */
public final class FleetQueries {
  public static final int MAX_PAGE = 1000;

  private final FleetStore store;
  private final Executor executor;

  public FleetQueries(FleetStore store, Executor executor) {
    this.store = store;
    this.executor = executor;
  }

  public static FleetQueries create(ActorSystem<?> system, FleetStore store) {
    return new FleetQueries(store, system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  public FleetStore store() {
    return store;
  }

  public CompletionStage<List<FleetVehicle>> list(TargetFilter filter, int offset, int limit) {
    if (offset < 0) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("offset: must not be negative, was " + offset));
    }
    if (limit < 1 || limit > MAX_PAGE) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("limit: must be within 1.." + MAX_PAGE + ", was " + limit));
    }
    return CompletableFuture.supplyAsync(() -> store.list(filter, offset, limit), executor);
  }

  public CompletionStage<Long> count(TargetFilter filter) {
    return CompletableFuture.supplyAsync(() -> store.count(filter), executor);
  }

  /** How many matching vehicles are in each update state, in one query. */
  public CompletionStage<Map<String, Long>> countByState(TargetFilter filter) {
    return CompletableFuture.supplyAsync(() -> store.countByState(filter), executor);
  }

  public CompletionStage<Optional<FleetVehicle>> vehicle(String vin) {
    return CompletableFuture.supplyAsync(() -> store.get(vin), executor);
  }

  /**
   * Every vehicle the campaign filter matches, in VIN order (the campaign shuffles them), read in
   * one pass (not pages, whose offsets would make the database skip all earlier rows again). A
   * filter naming VINs is matched against them here, so the store's query never carries thousands
   * of parameters.
   */
  public CompletionStage<List<FleetVehicle>> targets(TargetFilter filter) {
    TargetFilter query = filter.vins().isEmpty() ? filter : filter.withVins(List.of());
    java.util.Set<String> only = java.util.Set.copyOf(filter.vins());
    return CompletableFuture.supplyAsync(
        () ->
            only.isEmpty()
                ? store.all(query)
                : store.all(query).stream().filter(v -> only.contains(v.vin())).toList(),
        executor);
  }
}
