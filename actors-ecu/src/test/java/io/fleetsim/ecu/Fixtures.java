package io.fleetsim.ecu;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetsim.uptane.metadata.DirectorTargetCustom;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.repository.DirectorSigner;
import io.fleetsim.uptane.repository.Expiries;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** Real director metadata, keys and image bytes shared by the entity tests. */
final class Fixtures {

  static final String VIN = "WVWZZZ1JZXW000001";
  static final String ECU_ID = "engine";
  static final String SERIAL = "ENG-0001";
  static final String HARDWARE = "bosch-med17";
  static final String CAMPAIGN = "c1";
  static final String ASSIGNMENT = "c1/1";

  /** Simulated time zero, when the director metadata is signed (the clocks start there). */
  static final Instant EPOCH = Instant.parse(config().getString("fleetsim.time.epoch"));

  final DirectorSigner director;
  final byte[] oldImage;
  final Bank oldBank;

  Fixtures(long seed) {
    Random rng = new Random(seed);
    director = DirectorSigner.create(rng, EPOCH, Expiries.defaults());
    oldImage = bytes(rng, 64 * 1024);
    oldBank =
        new Bank(
            "engine-1.0.bin",
            io.fleetsim.cluster.BlobStore.sha256Hex(oldImage),
            oldImage.length,
            1,
            true);
  }

  /**
   * The simulated clock in manual mode (time moves only in {@code SimClock.advance}), in-memory
   * journal, no remoting; the ECU compute model as configured by default.
   */
  static Config config() {
    return ConfigFactory.parseString(
            "pekko.actor.provider = local\n"
                + "pekko.loglevel = WARNING\n"
                + "fleetsim.time.mode = manual\n")
        .withFallback(EventSourcedBehaviorTestKit.config())
        .withFallback(ConfigFactory.load());
  }

  /**
   * As {@link #config()}, with checks that cost no simulated time: the ECU answers every request at
   * once, as the synchronous {@code EventSourcedBehaviorTestKit.runCommand} needs.
   */
  static Config configWithoutCompute() {
    return ConfigFactory.parseString("fleetsim.ecu.compute.enabled = off").withFallback(config());
  }

  /** The modelled time of the checks of {@link #profile()} under {@link #config()}. */
  static EcuComputeModel computeModel() {
    return EcuComputeModel.fromConfig(config());
  }

  static byte[] bytes(Random rng, int n) {
    byte[] b = new byte[n];
    rng.nextBytes(b);
    return b;
  }

  EcuProfile profile() {
    return profile(HARDWARE, SERIAL);
  }

  EcuProfile profile(String hardware, String serial) {
    return new EcuProfile(
        EcuType.ENGINE,
        hardware,
        serial,
        Transport.CLASSIC_CAN,
        256 * 1024,
        director.targetsKeys().stream().map(k -> k.hex()).toList(),
        director.targetsThreshold(),
        oldBank,
        null);
  }

  /**
   * Director targets assigning {@code image} to the ECU {@code serial}/{@code hardware} under
   * {@code assignmentId}, with the custom fleetsim's Director signs into every target.
   */
  byte[] targetsFor(
      byte[] image,
      String name,
      String serial,
      String hardware,
      long release,
      String assignmentId) {
    DirectorTargetCustom custom =
        new DirectorTargetCustom(
            new EcuTargetCustom(serial, hardware, release), assignmentId, CAMPAIGN, true, false);
    TargetFile t = TargetFile.of(name, image, null).withCustom(custom.toJson());
    return director.signFor(VIN, 1, List.of(t), EPOCH).targets();
  }

  byte[] targetsFor(byte[] image, String name, String serial, String hardware, long release) {
    return targetsFor(image, name, serial, hardware, release, ASSIGNMENT);
  }

  byte[] targetsFor(byte[] image) {
    return targetsFor(image, "engine-2.0.bin", SERIAL, HARDWARE, 2);
  }

  byte[] targetsFor(byte[] image, String assignmentId) {
    return targetsFor(image, "engine-2.0.bin", SERIAL, HARDWARE, 2, assignmentId);
  }

  /** Correctly signed targets with only the Uptane ECU custom: no assignment to report against. */
  byte[] targetsWithoutAssignment(byte[] image) {
    TargetFile t =
        TargetFile.of("engine-2.0.bin", image, null)
            .forEcu(new EcuTargetCustom(SERIAL, HARDWARE, 2));
    return director.signFor(VIN, 1, List.of(t), EPOCH).targets();
  }
}
