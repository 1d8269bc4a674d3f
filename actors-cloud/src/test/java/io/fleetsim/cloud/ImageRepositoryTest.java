package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cluster.SingleNode;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import io.fleetsim.uptane.repository.Expiries;
import io.sigpipe.jbsdiff.Patch;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImageRepositoryTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          "ImageRepositoryTest",
          ConfigFactory.parseString("fleetsim.time.mode = manual")
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(SingleNode.config("ImageRepositoryTest")));
  static final SimClock clock = SimClock.get(testKit.system());
  static final ImageRepository.Settings SETTINGS =
      new ImageRepository.Settings(1 << 20, List.of("engine", "brake"), Expiries.defaults());

  EventSourcedBehaviorTestKit<ImageRepository.Command, ImageRepository.Event, ImageRepository.State>
      kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), ImageRepository.create("images", SETTINGS));
  }

  StatusReply<FirmwareImage> publish(
      String type, List<String> hw, String version, long rc, byte[] bytes, long size) {
    return kit.<StatusReply<FirmwareImage>>runCommand(
            replyTo -> new ImageRepository.Publish(type, hw, version, rc, bytes, size, replyTo))
        .reply();
  }

  byte[] blob(String sha) {
    return kit.<StatusReply<byte[]>>runCommand(replyTo -> new ImageRepository.GetBlob(sha, replyTo))
        .reply()
        .getValue();
  }

  byte[] metadata(String name) {
    return kit.<StatusReply<byte[]>>runCommand(
            replyTo -> new ImageRepository.GetMetadata(name, replyTo))
        .reply()
        .getValue();
  }

  @Test
  void publishesImagesWithDeltasAndSignedMetadata() throws Exception {
    FirmwareImage v1 = publish("engine", List.of("hw-a"), "1.0", 1, null, 200_000).getValue();
    FirmwareImage v2 =
        publish("engine", List.of("hw-a", "hw-b"), "1.1", 1, null, 210_000).getValue();
    byte[] b1 = blob(v1.sha256());
    byte[] b2 = blob(v2.sha256());
    assertEquals(200_000, b1.length);
    assertEquals(v2.sha256(), Hashing.sha256Hex(b2));
    assertFalse(v1.hasDelta());
    assertEquals("1.0", v2.deltaFromVersion());
    assertTrue(v2.deltaLength() < v2.length() / 4, "a generated release changes few blocks");
    ByteArrayOutputStream patched = new ByteArrayOutputStream();
    Patch.patch(b1, blob(v2.deltaSha256()), patched);
    assertArrayEquals(b2, patched.toByteArray(), "the delta turns 1.0 into 1.1");

    var targets = TargetsMetadata.parse(metadata("targets.json")).signed();
    assertEquals(v2.sha256(), targets.targets().get("engine/1.1.img").sha256());
    assertEquals(2, targets.targets().size());
    assertTrue(new String(metadata("1.root.json")).contains("\"_type\":\"root\""));
    var keysFile =
        kit.<StatusReply<byte[]>>runCommand(
            replyTo -> new ImageRepository.GetMetadata("keys/keys.json", replyTo));
    assertTrue(keysFile.reply().isError(), "private keys are never served");

    // Recovery serves the very same signed bytes and keeps signing with the same keys.
    byte[] timestampBefore = metadata("timestamp.json");
    byte[] rootBefore = metadata("1.root.json");
    kit.restart();
    assertArrayEquals(timestampBefore, metadata("timestamp.json"));
    FirmwareImage v3 =
        publish("engine", List.of("hw-a"), "1.2", 2, new byte[] {1, 2, 3}, 0).getValue();
    assertArrayEquals(rootBefore, metadata("1.root.json"));
    assertArrayEquals(new byte[] {1, 2, 3}, blob(v3.sha256()));
    assertEquals(3, TargetsMetadata.parse(metadata("targets.json")).signed().targets().size());
  }

  @Test
  void generatedImagesAreTheSameForTheSameSeed() {
    FirmwareImage a = publish("brake", List.of("hw-x"), "7.0", 0, null, 10_000).getValue();
    var other =
        EventSourcedBehaviorTestKit
            .<ImageRepository.Command, ImageRepository.Event, ImageRepository.State>create(
                testKit.system(), ImageRepository.create("images", SETTINGS));
    FirmwareImage b =
        other
            .<StatusReply<FirmwareImage>>runCommand(
                replyTo ->
                    new ImageRepository.Publish(
                        "brake", List.of("hw-x"), "7.0", 0, null, 10_000, replyTo))
            .reply()
            .getValue();
    assertEquals(a.sha256(), b.sha256());
  }

  @Test
  void timestampIsResignedBeforeItExpires() throws Exception {
    publish("engine", List.of("hw-a"), "1.0", 1, null, 1000);
    var before = TimestampMetadata.parse(metadata("timestamp.json"));
    // Re-signed at half the timestamp's lifetime after the repository started, not before.
    Duration half = Expiries.defaults().timestamp().dividedBy(2);
    clock.advance(half.minusMillis(1));
    assertEquals(
        before.version(),
        TimestampMetadata.parse(kit.getState().repository().get("timestamp.json")).version());
    clock.advance(Duration.ofMillis(1));
    var after = TimestampMetadata.parse(kit.getState().repository().get("timestamp.json"));
    assertEquals(before.version() + 1, after.version());
    assertEquals(clock.now().plus(Expiries.defaults().timestamp()), after.signed().expires());
  }

  @Test
  void badInputNamesTheFieldAndPersistsNothing() {
    publish("engine", List.of("hw-a"), "1.0", 3, null, 1000);
    List<String[]> cases =
        List.of(
            new String[] {"wiper", "hw-a", "2.0", "3", "1000", "ecuType: unknown ECU type wiper"},
            new String[] {"engine", "", "2.0", "3", "1000", "hardwareIds: must name at least one"},
            new String[] {
              "engine", "hw-a", "1.0", "3", "1000", "version: 1.0 of engine is already published"
            },
            new String[] {
              "engine", "hw-a", "2.0", "2", "1000", "releaseCounter: must not go below 3"
            },
            new String[] {
              "engine",
              "hw-a",
              "2.0",
              "3",
              "2000000",
              "image: 2000000 bytes exceeds the limit of 1048576"
            },
            new String[] {
              "engine", "hw-a", "2.0", "3", "0", "image: give bytes or a positive generated size"
            });
    for (String[] c : cases) {
      var r =
          kit.<StatusReply<FirmwareImage>>runCommand(
              replyTo ->
                  new ImageRepository.Publish(
                      c[0],
                      c[1].isEmpty() ? List.of() : List.of(c[1]),
                      c[2],
                      Long.parseLong(c[3]),
                      null,
                      Long.parseLong(c[4]),
                      replyTo));
      assertTrue(r.reply().isError(), c[5]);
      assertTrue(
          r.reply().getError().getMessage().startsWith(c[5]), r.reply().getError().getMessage());
      assertTrue(r.hasNoEvents(), c[5]);
    }
    var unknown =
        kit.<StatusReply<FirmwareImage>>runCommand(
            replyTo -> new ImageRepository.GetImage("engine", "9.9", replyTo));
    assertEquals(
        "version: no image 9.9 of ECU type engine", unknown.reply().getError().getMessage());
  }
}
