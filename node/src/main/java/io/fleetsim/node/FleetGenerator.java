package io.fleetsim.node;

import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cloud.ImageRepository;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.ecu.Bank;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import io.fleetsim.vehicle.Vehicle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Builds a fleet from the scenario seed: the same seed and size always give the same vehicles, with
 * three ECUs each, spread over regions, environments and network profiles, all running the 1.0.0
 * images this class first publishes to the ImageRepository.
 */
public final class FleetGenerator {

  public static final String BASE_VERSION = "1.0.0";
  public static final long BASE_RELEASE_COUNTER = 1;

  /** A region of the fleet and the two letters its VINs carry. */
  public record Region(String name, String code) {}

  /**
   * One ECU slot every vehicle has: its hardware variants (one picked per vehicle), how the gateway
   * reaches each variant, how fast it flashes and how large its 1.0.0 image is.
   */
  public record EcuModel(
      EcuType type,
      String ecuId,
      List<String> hardwareIds,
      List<Transport> transports,
      long flashBytesPerSecond,
      long baseImageBytes) {}

  public static final List<Region> REGIONS =
      List.of(
          new Region("Munich", "MU"),
          new Region("Berlin", "BE"),
          new Region("Hamburg", "HH"),
          new Region("Stuttgart", "ST"),
          new Region("Cologne", "KO"),
          new Region("Frankfurt", "FR"),
          new Region("Leipzig", "LE"),
          new Region("Dresden", "DD"));

  /**
   * Engine controllers sit on classic CAN and flash slowly; ADAS units are on CAN FD or, for the
   * newest variant, automotive Ethernet; head units are always on DoIP.
   */
  public static final List<EcuModel> ECUS =
      List.of(
          new EcuModel(
              EcuType.ENGINE,
              "engine",
              List.of("ENG-MED17-A", "ENG-SIM2K-B"),
              List.of(Transport.CLASSIC_CAN, Transport.CLASSIC_CAN),
              64 * 1024,
              128 * 1024),
          new EcuModel(
              EcuType.ADAS,
              "adas",
              List.of("ADAS-EQ4-A", "ADAS-PROAI-B", "ADAS-SVA-C"),
              List.of(Transport.CAN_FD, Transport.CAN_FD, Transport.DOIP),
              512 * 1024,
              256 * 1024),
          new EcuModel(
              EcuType.INFOTAINMENT,
              "infotainment",
              List.of("IVI-MIB3-A", "IVI-WEBOS-B"),
              List.of(Transport.DOIP, Transport.DOIP),
              4 * 1024 * 1024,
              512 * 1024));

  /** Rural coverage is the exception, not the rule: 40 % 5G, 45 % LTE, 15 % rural. */
  private static final String[] NETWORK_PROFILES = {"5g", "lte", "rural"};

  private static final double[] NETWORK_SHARE = {0.40, 0.85, 1.0};
  private static final String[] BODY_STYLES = {"sedan", "estate", "suv", "van"};

  private final long seed;
  private final FleetShape shape;

  public FleetGenerator(long seed) {
    this(seed, null);
  }

  /** A fleet of {@code shape} (null: this class's own regions, ECUs and shares). */
  FleetGenerator(long seed, FleetShape shape) {
    this.seed = seed;
    this.shape = shape;
  }

  /** The ECU slots of this fleet's vehicles. */
  List<EcuModel> ecuModels() {
    return shape == null ? ECUS : shape.ecuModels();
  }

  public long seed() {
    return seed;
  }

  /** The {@code count} vehicles of this seed, running the given base images. */
  public List<Vehicle.Spec> fleet(int count, Map<EcuType, FirmwareImage> baseImages) {
    if (count < 0) {
      throw new IllegalArgumentException("vehicle count must not be negative, was " + count);
    }
    List<Vehicle.Spec> fleet = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      fleet.add(vehicle(i, baseImages));
    }
    return fleet;
  }

  /**
   * Vehicle number {@code index}. Each vehicle draws from its own generator seeded by (seed,
   * index), so vehicle 7 is the same whether the fleet has ten vehicles or ten thousand.
   */
  public Vehicle.Spec vehicle(int index, Map<EcuType, FirmwareImage> baseImages) {
    if (index < 0 || index > 999_999_999) {
      throw new IllegalArgumentException("vehicle index must be within 0..999999999, was " + index);
    }
    if (shape != null) {
      return shape.vehicle(seed, index, baseImages);
    }
    Random rnd = Seeds.random(seed, "fleet/vehicle/" + index);
    Region region = REGIONS.get(rnd.nextInt(REGIONS.size()));
    String vin = vin(region, index);
    String environment = rnd.nextBoolean() ? "blue" : "green";
    String network = pick(rnd.nextDouble());
    String body = BODY_STYLES[rnd.nextInt(BODY_STYLES.length)];
    List<Vehicle.EcuSpec> ecus = new ArrayList<>(ECUS.size());
    for (EcuModel m : ECUS) {
      int variant = rnd.nextInt(m.hardwareIds().size());
      FirmwareImage image = baseImages.get(m.type());
      if (image == null) {
        throw new IllegalArgumentException("no base image for ECU type " + m.type());
      }
      ecus.add(
          new Vehicle.EcuSpec(
              m.ecuId(),
              m.type(),
              m.hardwareIds().get(variant),
              vin + "-" + m.ecuId(),
              m.transports().get(variant),
              m.flashBytesPerSecond(),
              installedBank(image)));
    }
    return new Vehicle.Spec(vin, region.name(), environment, Set.of(body), network, ecus);
  }

  /**
   * {@code FSIM}, two letters of region, model-year letter and a ten-digit serial: 17 characters
   * like a real VIN, unique per index, and readable at a glance in logs.
   */
  static String vin(Region region, int index) {
    return String.format("FSIM%sR%010d", region.code(), index);
  }

  private static String pick(double u) {
    for (int i = 0; i < NETWORK_SHARE.length; i++) {
      if (u < NETWORK_SHARE[i]) {
        return NETWORK_PROFILES[i];
      }
    }
    return NETWORK_PROFILES[NETWORK_PROFILES.length - 1];
  }

  /** The bank a factory-fresh ECU boots from: the published base image, marked valid. */
  static Bank installedBank(FirmwareImage image) {
    return new Bank(
        image.targetName(), image.sha256(), image.length(), image.releaseCounter(), true);
  }

  /**
   * Publishes the 1.0.0 image of every ECU type (or reads it back when a previous run on the same
   * journal already did), so the fleet's installed banks match what the repository vouches for.
   */
  public CompletionStage<Map<EcuType, FirmwareImage>> publishBaseImages(
      ActorSystem<?> system, RecipientRef<ImageRepository.Command> repository) {
    CompletableFuture<Map<EcuType, FirmwareImage>> all =
        CompletableFuture.completedFuture(new EnumMap<>(EcuType.class));
    // One at a time: each publish re-signs the repository's targets, so parallel publishes would
    // only queue up in the entity anyway.
    for (EcuModel m : ecuModels()) {
      all =
          all.thenCompose(
              map ->
                  publishOrGet(
                          system,
                          repository,
                          m.type().name(),
                          m.hardwareIds(),
                          BASE_VERSION,
                          BASE_RELEASE_COUNTER,
                          m.baseImageBytes())
                      .thenApply(
                          image -> {
                            map.put(m.type(), image);
                            return map;
                          }));
    }
    return all.thenApply(Map::copyOf);
  }

  /** Publishes a generated image, or returns the one already published under that version. */
  public static CompletionStage<FirmwareImage> publishOrGet(
      ActorSystem<?> system,
      RecipientRef<ImageRepository.Command> repository,
      String ecuType,
      List<String> hardwareIds,
      String version,
      long releaseCounter,
      long size) {
    Duration timeout = Duration.ofSeconds(60);
    return AskPattern.<ImageRepository.Command, FirmwareImage>askWithStatus(
            repository,
            replyTo ->
                new ImageRepository.Publish(
                    ecuType, hardwareIds, version, releaseCounter, null, size, replyTo),
            timeout,
            system.scheduler())
        .exceptionallyCompose(
            published ->
                AskPattern.<ImageRepository.Command, FirmwareImage>askWithStatus(
                        repository,
                        replyTo -> new ImageRepository.GetImage(ecuType, version, replyTo),
                        timeout,
                        system.scheduler())
                    // Not there either: the publish error is the one worth reporting.
                    .exceptionallyCompose(missing -> CompletableFuture.failedFuture(published)));
  }

  /**
   * Provisions the vehicles with at most {@code parallelism} in flight, reporting the number done
   * after each one. Provisioning is idempotent, so a vehicle whose reply is late is simply asked
   * again.
   */
  public static CompletionStage<Done> provision(
      ActorSystem<?> system,
      Function<String, RecipientRef<Vehicle.Command>> vehicles,
      List<Vehicle.Spec> fleet,
      int parallelism,
      IntConsumer progress) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
    }
    AtomicInteger done = new AtomicInteger();
    return Source.from(fleet)
        .mapAsyncUnordered(parallelism, spec -> provisionOne(system, vehicles, spec, 3))
        .runWith(Sink.foreach(x -> progress.accept(done.incrementAndGet())), system)
        .thenApply(x -> Done.getInstance());
  }

  private static CompletionStage<Done> provisionOne(
      ActorSystem<?> system,
      Function<String, RecipientRef<Vehicle.Command>> vehicles,
      Vehicle.Spec spec,
      int attemptsLeft) {
    CompletionStage<Done> attempt =
        AskPattern.askWithStatus(
            vehicles.apply(spec.vin()),
            replyTo -> new Vehicle.Provision(spec, replyTo),
            Duration.ofSeconds(30),
            system.scheduler());
    return attempt.exceptionallyCompose(
        e ->
            attemptsLeft > 1 && isTimeout(e)
                ? provisionOne(system, vehicles, spec, attemptsLeft - 1)
                : CompletableFuture.failedFuture(
                    new IllegalStateException(
                        "provisioning " + spec.vin() + " failed: " + rootMessage(e), e)));
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
