package io.fleetsim.uptane;

import io.fleetsim.uptane.client.MetadataFetcher;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.repository.DirectorSigner;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.Repository;
import io.fleetsim.uptane.repository.VehicleMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A small image repository and director for one vehicle with two ECUs. */
public final class Fixtures {
  public static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  public static final String VIN = "VIN0001";
  public static final Map<String, String> INVENTORY =
      Map.of("ecu-brake", "hw-brake", "ecu-tcu", "hw-tcu");

  public final Repository images;
  public final DirectorSigner director;
  public final byte[] brakeImage = "brake firmware 2.0".getBytes(StandardCharsets.UTF_8);
  public final byte[] tcuImage =
      "tcu firmware 5.1 with a longer body".getBytes(StandardCharsets.UTF_8);
  public final TargetFile brake;
  public final TargetFile tcu;

  public Fixtures(long seed) {
    Random rng = new Random(seed);
    images = Repository.create("images", rng, T0, Expiries.defaults());
    director = DirectorSigner.create(rng, T0, Expiries.defaults());
    brake =
        TargetFile.of("brake-2.0.bin", brakeImage, Json.obj("hardware_id", Json.str("hw-brake")));
    tcu = TargetFile.of("tcu-5.1.bin", tcuImage, null);
    images.addTarget(brake);
    images.addTarget(tcu);
    images.publish(T0);
  }

  public VehicleMetadata assign(int version) {
    return director.signFor(
        VIN,
        version,
        List.of(
            brake.forEcu(new EcuTargetCustom("ecu-brake", "hw-brake", 3)),
            tcu.forEcu(new EcuTargetCustom("ecu-tcu", "hw-tcu", 7))),
        T0);
  }

  public MetadataFetcher imageFetcher() {
    return MetadataFetcher.fromMap(images.files());
  }

  public MetadataFetcher directorFetcher(VehicleMetadata vm) {
    return MetadataFetcher.fromMap(director.files(vm));
  }
}
