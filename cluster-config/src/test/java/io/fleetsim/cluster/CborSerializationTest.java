package io.fleetsim.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Records as other modules write them must survive the journal and the wire unchanged. */
class CborSerializationTest {

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(SingleNode.config("CborSerializationTest"));
    serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  public enum Bank {
    A,
    B
  }

  public record Ecu(String ecuId, Bank activeBank, Optional<String> installedTarget) {}

  public record Image(String name, long length, byte[] sha256) {}

  /** Fields typed by a sealed interface need the subtype written into the document. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Outcome.Installed.class, name = "installed"),
    @JsonSubTypes.Type(value = Outcome.Failed.class, name = "failed")
  })
  public sealed interface Outcome {
    record Installed(String version) implements Outcome {}

    record Failed(String reason, int attempts) implements Outcome {}
  }

  public record VehicleReported(
      String vin,
      Instant at,
      Duration took,
      List<Ecu> ecus,
      Map<String, Image> images,
      byte[] signature,
      Bank bank,
      List<Outcome> outcomes)
      implements CborSerializable {}

  private static Object roundTrip(Object value) throws Exception {
    Serializer serializer = serialization.findSerializerFor(value);
    assertEquals("jackson-cbor", nameOf(serializer), "bound through CborSerializable");
    byte[] bytes = serialization.serialize(value).get();
    String manifest = Serializers.manifestFor(serializer, value);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  private static String nameOf(Serializer serializer) {
    return serializer.identifier() == 33 ? "jackson-cbor" : serializer.getClass().getName();
  }

  @Test
  void aRecordWithNestedRecordsCollectionsBytesInstantsAndEnumsRoundTrips() throws Exception {
    byte[] hash = new byte[32];
    hash[0] = (byte) 0xde;
    hash[31] = (byte) 0xff;
    VehicleReported original =
        new VehicleReported(
            "VIN0000000000042",
            Instant.parse("2030-01-01T12:34:56.123456789Z"),
            Duration.ofMillis(1500),
            List.of(
                new Ecu("engine", Bank.A, Optional.of("engine-2.1.0.bin")),
                new Ecu("brakes", Bank.B, Optional.empty())),
            Map.of("engine-2.1.0.bin", new Image("engine-2.1.0.bin", 1_048_576L, hash)),
            new byte[] {0, 1, 2, (byte) 0x80, (byte) 0xff},
            Bank.B,
            List.of(new Outcome.Installed("2.1.0"), new Outcome.Failed("hash mismatch", 3)));

    VehicleReported copy = assertInstanceOf(VehicleReported.class, roundTrip(original));

    assertEquals(original.vin(), copy.vin());
    assertEquals(original.at(), copy.at());
    assertEquals(original.took(), copy.took());
    assertEquals(original.ecus(), copy.ecus());
    assertEquals(original.bank(), copy.bank());
    assertEquals(original.outcomes(), copy.outcomes());
    assertArrayEquals(original.signature(), copy.signature());
    Image image = copy.images().get("engine-2.1.0.bin");
    assertEquals(1_048_576L, image.length());
    assertArrayEquals(hash, image.sha256());
    assertEquals(original.images().keySet(), copy.images().keySet());
  }

  public record Empty() implements CborSerializable {}

  @Test
  void anEmptyRecordRoundTrips() throws Exception {
    assertEquals(new Empty(), roundTrip(new Empty()));
  }

  public record Plain(String value) {}

  @Test
  void classesWithoutTheMarkerAreNotSilentlyJavaSerialised() {
    // Java serialization is disabled by default; an unmarked message must fail loudly.
    assertThrows(Exception.class, () -> serialization.serialize(new Plain("x")).get());
  }
}
