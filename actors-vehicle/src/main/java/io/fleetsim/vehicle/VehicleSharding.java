package io.fleetsim.vehicle;

import io.fleetsim.cloud.Director;
import io.fleetsim.cloud.DirectorKeys;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cloud.VehicleNotifier;
import io.fleetsim.cluster.BlobStore;
import io.fleetsim.cluster.EntitySharding;
import io.fleetsim.ecu.BootModel;
import io.fleetsim.ecu.CanBus;
import io.fleetsim.ecu.Ecu;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/** Starts sharding for a vehicle and its insides: Vehicle, Ecu and CanBus entities. */
public final class VehicleSharding {

  private VehicleSharding() {}

  public static void init(ActorSystem<?> system) {
    Vehicle.Deps deps = deps(system);
    init(system, vin -> deps, ecuEntityId -> null);
  }

  /**
   * As {@link #init(ActorSystem)}, with what each vehicle reaches and how each ECU boots chosen per
   * entity: how a test puts a fault on chosen vehicles only.
   *
   * @param depsOf the dependencies of the vehicle with this VIN
   * @param bootOf the boot model of the ECU with this entity id ({@code VIN/ecuId}); null for the
   *     configured failure rate
   */
  public static void init(
      ActorSystem<?> system,
      Function<String, Vehicle.Deps> depsOf,
      Function<String, BootModel> bootOf) {
    ClusterSharding sharding = ClusterSharding.get(system);
    BlobStore blobs = BlobStore.get(system);
    EntitySharding.initHomed(
        system,
        Ecu.TYPE_KEY,
        home ->
            Ecu.create(
                home.entityId(),
                bootOf.apply(home.entityId()),
                vin -> sharding.entityRefFor(CanBus.TYPE_KEY, vin),
                home));
    EntitySharding.initHomed(
        system,
        CanBus.TYPE_KEY,
        home ->
            CanBus.create(
                home.entityId(), id -> sharding.entityRefFor(Ecu.TYPE_KEY, id), blobs, null, home));
    EntitySharding.initHomed(
        system,
        Vehicle.TYPE_KEY,
        home -> Vehicle.create(home.entityId(), depsOf.apply(home.entityId()), home));
  }

  /**
   * What a Vehicle reaches through sharding: its Director, the image repository, its ECUs and bus.
   */
  public static Vehicle.Deps deps(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return new Vehicle.Deps(
        vin -> sharding.entityRefFor(Director.TYPE_KEY, vin),
        sharding.entityRefFor(
            ImageRepository.TYPE_KEY,
            system.settings().config().getString("fleetsim.cloud.image-repository-id")),
        id -> sharding.entityRefFor(Ecu.TYPE_KEY, id),
        vin -> sharding.entityRefFor(CanBus.TYPE_KEY, vin),
        BlobStore.get(system),
        DirectorKeys.get(system));
  }

  /** The cloud's wake-up port, delivered to the vehicle through sharding. */
  public static VehicleNotifier notifier(ActorSystem<?> system) {
    return (vin, campaignId) -> vehicle(system, vin).tell(new Vehicle.Notify(campaignId));
  }

  public static EntityRef<Vehicle.Command> vehicle(ActorSystem<?> system, String vin) {
    return ClusterSharding.get(system).entityRefFor(Vehicle.TYPE_KEY, vin);
  }
}
