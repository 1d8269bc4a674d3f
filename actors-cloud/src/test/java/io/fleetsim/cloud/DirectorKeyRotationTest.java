package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cluster.SingleNode;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.uptane.client.TrustedMetadataSet;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.RootMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The Director's keys: a targets threshold of two, and a rotation of the timestamp key at a
 * simulated instant after which the Director serves the next root and re-signs what it serves.
 */
class DirectorKeyRotationTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          "DirectorKeyRotationTest",
          ConfigFactory.parseString("fleetsim.time.mode = manual")
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(SingleNode.config("DirectorKeyRotationTest")));
  static final SimClock clock = SimClock.get(testKit.system());
  static final Duration AFTER = Duration.ofHours(1);
  static final DirectorKeys keys =
      DirectorKeys.forSeed(
          42,
          new DirectorKeys.Layout(2, 2, List.of(new DirectorKeys.Rotation(Role.TIMESTAMP, AFTER))),
          clock.epoch());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  byte[] file(
      EventSourcedBehaviorTestKit<Director.Command, Director.Event, Director.State> kit,
      String name) {
    var r = kit.<StatusReply<byte[]>>runCommand(replyTo -> new Director.GetMetadata(name, replyTo));
    assertTrue(r.reply().isSuccess(), () -> name + ": " + r.reply());
    return r.reply().getValue();
  }

  @Test
  void theRotationComesIntoForceAtItsInstantAndTheDirectorReSigns() throws Exception {
    FakeVehicle car = new FakeVehicle("VINROT0001", "Munich", "hw-a", "1.0");
    EventSourcedBehaviorTestKit<Director.Command, Director.Event, Director.State> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), Director.create(car.vin, keys, (vin, c) -> {}, id -> null));
    var reg = kit.<StatusReply<Done>>runCommand(car::register);
    assertTrue(reg.reply().isSuccess(), () -> reg.reply().toString());
    Instant start = clock.now();
    assertEquals(1, keys.rootVersionAt(start.toEpochMilli()));
    assertEquals(2, keys.rootVersionAt(clock.epoch().plus(AFTER).toEpochMilli()));
    assertEquals(
        clock.epoch().plus(AFTER).toEpochMilli(), keys.nextRotationAfter(start.toEpochMilli()));

    // Before: root v1 is the latest, v2 is not there yet.
    byte[] ts1 = file(kit, "timestamp.json");
    assertArrayEquals(keys.root(1), file(kit, "root.json"));
    var none =
        kit.<StatusReply<byte[]>>runCommand(
            replyTo -> new Director.GetMetadata("2.root.json", replyTo));
    assertEquals(
        "fileName: no director root version 2 (latest is 1)", none.reply().getError().getMessage());
    TrustedMetadataSet before = new TrustedMetadataSet(keys.root(1), clock.now());
    before.updateTimestamp(ts1);

    clock.advance(Duration.between(start, clock.epoch().plus(AFTER)));
    // After: root v2 is served, and the timestamp is signed again with its key.
    byte[] root2 = file(kit, "2.root.json");
    assertEquals(2, RootMetadata.parse(root2).version());
    byte[] ts2 = file(kit, "timestamp.json");
    assertNotEquals(new String(ts1), new String(ts2));
    TrustedMetadataSet after = new TrustedMetadataSet(keys.root(1), clock.now());
    after.updateRoot(root2);
    assertTrue(after.updateTimestamp(ts2).version() > before.timestamp().orElseThrow().version());
    // The old timestamp no longer verifies under the new root.
    TrustedMetadataSet stale = new TrustedMetadataSet(keys.root(1), clock.now());
    stale.updateRoot(root2);
    assertThrows(io.fleetsim.uptane.VerificationException.class, () -> stale.updateTimestamp(ts1));
    // The targets role keeps its two keys, both of which must sign.
    assertEquals(2, keys.targetsKeys().size());
    assertEquals(2, keys.threshold(Role.TARGETS));
  }

  @Test
  void aLayoutThatCannotWorkIsRefusedWithItsSetting() {
    assertEquals(
        "fleetsim.director.key-rotations: only the timestamp and snapshot keys rotate, not targets",
        assertThrows(
                IllegalArgumentException.class,
                () -> new DirectorKeys.Rotation(Role.TARGETS, Duration.ofHours(1)))
            .getMessage());
    assertEquals(
        "fleetsim.director: need 1 <= targets-threshold <= targets-keys, got 3 of 2",
        assertThrows(IllegalArgumentException.class, () -> new DirectorKeys.Layout(2, 3, List.of()))
            .getMessage());
    assertEquals(
        "fleetsim.director.key-rotations: unknown role 'tiemstamp'",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    DirectorKeys.Layout.of(
                        ConfigFactory.parseString(
                                "key-rotations = [{ role = tiemstamp, after = 1h }]")
                            .withFallback(
                                ConfigFactory.parseString(
                                    "targets-keys = 2, targets-threshold = 2"))))
            .getMessage());
  }
}
