package io.fleetsim.cloud;

import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.metadata.DirectorTargetCustom;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.TargetFile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.pattern.StatusReply;

/** What the Director checks of a request before it touches its state, each problem named. */
final class DirectorRequests {

  private DirectorRequests() {}

  /** See {@link Director#registered}. */
  static Director.Registered registered(String vin, Director.Register c, Instant at) {
    List<String> problems = registrationProblems(c);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("vehicle " + vin + ": " + String.join("; ", problems));
    }
    return new Director.Registered(
        vin,
        c.region(),
        c.environment(),
        c.tags() == null ? Set.of() : Set.copyOf(c.tags()),
        c.primarySerial(),
        c.primaryKeyHex(),
        List.copyOf(c.ecus()),
        at);
  }

  /** The director's target for one ECU: the image plus who installs it and on what terms. */
  static TargetFile targetFor(Director.Assignment a, Director.EcuInfo ecu) {
    FirmwareImage image = a.image();
    DirectorTargetCustom custom =
        new DirectorTargetCustom(
            new EcuTargetCustom(ecu.serial(), ecu.hardwareId(), image.releaseCounter()),
            a.assignmentId(),
            a.campaignId(),
            a.constraints().requireParked(),
            a.constraints().requireConsent());
    return new TargetFile(
        image.targetName(), image.length(), Map.of("sha256", image.sha256()), custom.toJson());
  }

  static List<String> registrationProblems(Director.Register c) {
    List<String> problems = new ArrayList<>();
    if (c.region() == null || c.region().isBlank()) {
      problems.add("region: must not be empty");
    }
    if (!"blue".equals(c.environment()) && !"green".equals(c.environment())) {
      problems.add("environment: must be blue or green, was " + c.environment());
    }
    if (c.primarySerial() == null || c.primarySerial().isBlank()) {
      problems.add("primarySerial: must not be empty");
    }
    keyProblem("primaryKey", c.primaryKeyHex()).ifPresent(problems::add);
    if (c.ecus() == null || c.ecus().isEmpty()) {
      problems.add("ecus: a vehicle has at least one ECU");
      return problems;
    }
    Set<String> serials = new LinkedHashSet<>();
    for (Director.EcuInfo e : c.ecus()) {
      if (e.serial() == null || e.serial().isBlank() || !serials.add(e.serial())) {
        problems.add("ecus.serial: empty or duplicate serial " + e.serial());
      }
      if (e.ecuType() == null || e.ecuType().isBlank()) {
        problems.add("ecus[" + e.serial() + "].ecuType: must not be empty");
      }
      if (e.hardwareId() == null || e.hardwareId().isBlank()) {
        problems.add("ecus[" + e.serial() + "].hardwareId: must not be empty");
      }
      keyProblem("ecus[" + e.serial() + "].publicKey", e.publicKeyHex()).ifPresent(problems::add);
    }
    return problems;
  }

  private static Optional<String> keyProblem(String field, String hex) {
    try {
      PublicKey.fromHex(hex);
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(field + ": not an Ed25519 public key in hex (" + e.getMessage() + ")");
    }
  }

  /**
   * The reply for {@code root.json} (the latest in force at {@code now}) or {@code N.root.json};
   * null for any other name. The root is the same for every vehicle, so it comes from the keys, not
   * from the state; a root whose rotation is still to come is not there yet.
   */
  static StatusReply<byte[]> rootFile(DirectorKeys keys, String name, Instant now) {
    int latest = keys.rootVersionAt(now.toEpochMilli());
    if (name.equals("root.json")) {
      return StatusReply.success(keys.root(latest));
    }
    if (!name.endsWith(".root.json")) {
      return null;
    }
    try {
      int v = Integer.parseInt(name.substring(0, name.length() - ".root.json".length()));
      if (v < 1 || v > latest) {
        return StatusReply.error(
            "fileName: no director root version " + v + " (latest is " + latest + ")");
      }
      return StatusReply.success(keys.root(v));
    } catch (NumberFormatException e) {
      return StatusReply.error("fileName: not a root file name: " + name);
    }
  }

  /** The per-vehicle files: timestamp, snapshot and targets. */
  static boolean isRoleFile(String name) {
    return name.equals("timestamp.json")
        || name.equals("snapshot.json")
        || name.equals("targets.json");
  }

  static byte[] file(Director.SignedMetadata md, String name) {
    return switch (name) {
      case "timestamp.json" -> md.timestamp();
      case "snapshot.json" -> md.snapshot();
      default -> md.targets();
    };
  }

  /** The ECUs of the vehicle of {@code s} that {@code image} is for: its type, a hardware id. */
  static List<Director.EcuInfo> fitting(Director.State s, FirmwareImage image) {
    return s.ecus().values().stream()
        .filter(
            e ->
                e.ecuType().equals(image.ecuType()) && image.hardwareIds().contains(e.hardwareId()))
        .toList();
  }

  /**
   * Why the Director refuses assignment {@code c} to the ECUs {@code fits} of vehicle {@code vin},
   * naming the field; null when it may be made.
   */
  static String assignRefusal(
      String vin, Director.State s, Director.Assign c, List<Director.EcuInfo> fits) {
    FirmwareImage image = c.image();
    if (c.timeLimit() != null && (c.timeLimit().isNegative() || c.timeLimit().isZero())) {
      return "timeLimit: must be positive, was " + c.timeLimit();
    }
    if (fits.isEmpty()) {
      return "ecuType: vehicle "
          + vin
          + " has no ECU of type "
          + image.ecuType()
          + " with a hardware id in "
          + image.hardwareIds();
    }
    for (Director.EcuInfo e : fits) {
      Director.Assignment open = s.assignments().get(e.serial());
      if (open != null && !open.campaignId().equals(c.campaignId())) {
        return "ecu "
            + e.serial()
            + ": already assigned by campaign "
            + open.campaignId()
            + " (version "
            + open.image().version()
            + "), refusing campaign "
            + c.campaignId();
      }
      if (image.releaseCounter() < e.releaseCounter()) {
        return "releaseCounter: ecu "
            + e.serial()
            + " is at release counter "
            + e.releaseCounter()
            + ", image "
            + image.targetName()
            + " has "
            + image.releaseCounter()
            + " and would be refused as a rollback";
      }
    }
    return null;
  }
}
