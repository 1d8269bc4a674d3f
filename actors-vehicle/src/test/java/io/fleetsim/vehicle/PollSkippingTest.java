package io.fleetsim.vehicle;

import static io.fleetsim.vehicle.VirtualTimeTest.PROBE_VIN;
import static io.fleetsim.vehicle.VirtualTimeTest.expectAcks;
import static io.fleetsim.vehicle.VirtualTimeTest.publish;
import static io.fleetsim.vehicle.VirtualTimeTest.spec;
import static io.fleetsim.vehicle.VirtualTimeTest.vin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fleetsim.cloud.CheckHorizon;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/**
 * Polls whose check is known to find nothing new are counted, not made ({@link ForeseenPoll}): a
 * fleet that skips them and one that makes every poll give the same outcomes at the same simulated
 * instants, and count the same polls.
 *
 * <p>The fleet idles for a few polls (each vehicle's first check verifies both repositories; the
 * next ones would find nothing new), then every vehicle is assigned at the instant of one of the
 * probe vehicle's polls, so that the probe is woken while that poll's check would still be on its
 * link, and time runs on past the Director's and the image repository's timestamp re-signing, after
 * which polls are made again.
 */
class PollSkippingTest {

  static final String SETTINGS =
      """
      fleetsim.seed = 4242
      fleetsim.time.mode = manual
      fleetsim.vehicle.poll-interval = 1h
      fleetsim.vehicle.poll-jitter = 10m
      """;

  record Run(Map<String, VirtualTimeTest.Update> updates, long made, long foreseen) {}

  static Run run(String name, boolean notify, String extra, int vehicles, long assignAt) {
    TestFleet fleet =
        TestFleet.start(
            name,
            ConfigFactory.parseString(extra).withFallback(ConfigFactory.parseString(SETTINGS)),
            tk -> notify ? VehicleSharding.notifier(tk.system()) : (vin, campaign) -> {});
    try {
      SimClock clock = SimClock.get(fleet.testKit().system());
      byte[][] bytes = VirtualTimeTest.images();
      FirmwareImage v1 = publish(fleet, "1.0.0", 1, bytes[0]);
      FirmwareImage v2 = publish(fleet, "2.0.0", 2, bytes[1]);
      String[] profiles = {"5g", "lte", "rural"};
      TestProbe<StatusReply<Done>> replies = fleet.testKit().createTestProbe();
      for (int i = 0; i < vehicles; i++) {
        VehicleSharding.vehicle(fleet.testKit().system(), vin(i))
            .tell(new Vehicle.Provision(spec(vin(i), profiles[i % 3], v1), replies.ref()));
      }
      expectAcks(replies, vehicles);

      clock.advance(Duration.ofMillis(assignAt));
      List<String> vins = IntStream.range(0, vehicles).mapToObj(VirtualTimeTest::vin).toList();
      VirtualTimeTest.assignAll(fleet, vins, "skipping", v2);
      clock.advance(Duration.ofHours(26));
      Map<String, VirtualTimeTest.Update> updates = VirtualTimeTest.updates(fleet, vins);
      CheckHorizon horizon = CheckHorizon.get(fleet.testKit().system());
      return new Run(updates, horizon.pollsMade(), horizon.pollsForeseen());
    } finally {
      fleet.testKit().shutdownTestKit();
    }
  }

  /** The probe's {@code n}th poll (from 1) after simulated time zero. */
  static long probePoll(int n) {
    VehicleSettings vs =
        VehicleSettings.fromConfig(
            ConfigFactory.parseString(SETTINGS).withFallback(ConfigFactory.load()));
    long seed = Seeds.entitySeed(4242, "vehicle-poll:" + PROBE_VIN);
    long at = 0;
    for (int i = 0; i < n; i++) {
      at += vs.untilNextPoll(seed, at).toMillis();
    }
    return at;
  }

  static long millisSinceEpoch(Instant at) {
    return at.toEpochMilli()
        - Instant.parse(ConfigFactory.load().getString("fleetsim.time.epoch")).toEpochMilli();
  }

  @Test
  void skippedPollsChangeNoOutcomeAndNoInstant() {
    int n = 12;
    long assignAt = probePoll(4);
    Run made = run("PollsMade", true, "fleetsim.vehicle.skip-foreseen-polls = off", n, assignAt);
    Run skipped = run("PollsSkipped", true, "", n, assignAt);

    assertEquals(made.updates(), skipped.updates());
    assertEquals(n, skipped.updates().size());
    skipped
        .updates()
        .values()
        .forEach(u -> assertEquals(UpdateOutcome.SUCCEEDED, u.outcome(), u.toString()));
    assertEquals(0, made.foreseen(), "with skipping off, every poll is made");
    assertEquals(made.made(), skipped.made() + skipped.foreseen(), "every poll is counted");
    assertTrue(skipped.foreseen() > skipped.made(), "most polls find nothing new: " + skipped);
    // The probe was woken while its foreseen check was still on the link: it waited for the
    // check's end, as a vehicle that made the check waits for its answer.
    long started = millisSinceEpoch(skipped.updates().get(PROBE_VIN).startedAt());
    assertTrue(started > assignAt, "found after the poll's check ended: " + started);
  }

  @Test
  void anAssignmentWithoutWakeUpIsFoundAtTheNextPollAsWhenEveryPollIsMade() {
    int n = 8;
    long assignAt = probePoll(3) + 1;
    Run made =
        run("PollsMadeQuiet", false, "fleetsim.vehicle.skip-foreseen-polls = off", n, assignAt);
    Run skipped = run("PollsSkippedQuiet", false, "", n, assignAt);
    assertEquals(made.updates(), skipped.updates());
    long started = millisSinceEpoch(skipped.updates().get(PROBE_VIN).startedAt());
    assertTrue(started > probePoll(4), "the probe found it at its next poll: " + started);
    assertEquals(made.made(), skipped.made() + skipped.foreseen());
  }
}
