package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.client.TrustedState;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.metadata.DirectorTargetCustom;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.TargetFile;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a poll may stop after the timestamps, and when it must not. */
class UptaneCheckTest {

  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static TrustedState state(String timestamp) {
    return new TrustedState(b("root"), b(timestamp), b("snapshot"), b("targets"));
  }

  static final VehicleState.Trust TRUST =
      new VehicleState.Trust(state("director-ts-7"), state("image-ts-3"), NOW.plusSeconds(3600));

  @Test
  void theSameTimestampsFromBothRepositoriesMeanNothingNew() {
    assertTrue(
        UptaneCheck.unchanged(
            TRUST,
            Map.of("timestamp.json", b("director-ts-7")),
            Map.of("timestamp.json", b("image-ts-3")),
            NOW));
  }

  @Test
  void aNewTimestampOrANewRootMeansAFullCheck() {
    assertFalse(
        UptaneCheck.unchanged(
            TRUST,
            Map.of("timestamp.json", b("director-ts-8")),
            Map.of("timestamp.json", b("image-ts-3")),
            NOW));
    assertFalse(
        UptaneCheck.unchanged(
            TRUST,
            Map.of("timestamp.json", b("director-ts-7")),
            Map.of("timestamp.json", b("image-ts-3"), "2.root.json", b("root-2")),
            NOW));
  }

  /** Director targets that name no image: full verification stops after the Director. */
  static final byte[] NO_TARGETS =
      b(
          "{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"expires\":"
              + "\"2030-01-01T00:00:00Z\",\"spec_version\":\"1.0.31\",\"targets\":{},"
              + "\"version\":3}}");

  @Test
  void withNothingForItFromTheDirectorTheImageRepositorysNewTimestampChangesNothing() {
    VehicleState.Trust idle =
        new VehicleState.Trust(
            new TrustedState(b("root"), b("director-ts-7"), b("snapshot"), NO_TARGETS),
            state("image-ts-3"),
            NOW.plusSeconds(3600));
    assertFalse(UptaneCheck.directorHasTargets(idle));
    assertTrue(UptaneCheck.directorHasTargets(TRUST), "what does not parse is checked");
    assertTrue(
        UptaneCheck.unchanged(
            idle,
            Map.of("timestamp.json", b("director-ts-7")),
            Map.of("timestamp.json", b("image-ts-4")),
            NOW));
    assertFalse(
        UptaneCheck.unchanged(
            idle,
            Map.of("timestamp.json", b("director-ts-8")),
            Map.of("timestamp.json", b("image-ts-3")),
            NOW));
  }

  @Test
  void expiredTrustOrNoFullCheckYetMeansAFullCheck() {
    Map<String, byte[]> d = Map.of("timestamp.json", b("director-ts-7"));
    Map<String, byte[]> i = Map.of("timestamp.json", b("image-ts-3"));
    // Freeze: the repositories keep serving the same, now expired, timestamps.
    assertFalse(UptaneCheck.unchanged(TRUST, d, i, NOW.plusSeconds(3600)));
    VehicleState.Trust rootsOnly =
        new VehicleState.Trust(
            TrustedState.ofRoot(b("root")), TrustedState.ofRoot(b("root")), null);
    assertFalse(UptaneCheck.unchanged(rootsOnly, d, i, NOW));
  }

  @Test
  void refusedDirectorMetadataNamesNoAssignmentAndTheSameFilesTheSameRefusal() {
    Map<String, byte[]> director = Map.of("timestamp.json", b("not metadata"));
    Map<String, byte[]> images = Map.of("timestamp.json", b("image-ts-3"));
    UptaneCheck.Result r = UptaneCheck.run(TRUST, director, images, Map.of(), Map.of(), NOW);
    assertNotNull(r.refusal());
    assertEquals(List.of(), r.refusal().assignmentIds());
    assertEquals("", r.refusal().campaignId());
    assertEquals(TRUST, r.trust());
    assertTrue(r.targets().isEmpty());
    // The key depends on the refused files only.
    UptaneCheck.Result again =
        UptaneCheck.run(
            TRUST, Map.of("timestamp.json", b("not metadata")), Map.of(), Map.of(), Map.of(), NOW);
    assertEquals(r.refusal().key(), again.refusal().key());
    UptaneCheck.Result other =
        UptaneCheck.run(
            TRUST, Map.of("timestamp.json", b("other garbage")), images, Map.of(), Map.of(), NOW);
    assertNotEquals(r.refusal().key(), other.refusal().key());
  }

  static UptaneCheck.Target target(
      String serial, String name, String assignment, boolean parked, boolean consent) {
    EcuTargetCustom ecu = new EcuTargetCustom(serial, "hw-" + serial, 3);
    DirectorTargetCustom custom =
        new DirectorTargetCustom(ecu, assignment, assignment.split("/")[0], parked, consent);
    TargetFile file = new TargetFile(name, 100, Map.of("sha256", "ab".repeat(32)), custom.toJson());
    return new UptaneCheck.Target(new VerifiedTarget(serial, "hw-" + serial, file, 3), custom);
  }

  @Test
  void thePlanTakesEachAssignmentAndAsksForConsentOrParkingIfAnyAssignmentDoes() {
    UptaneCheck.Result checked =
        new UptaneCheck.Result(
            TRUST,
            List.of(
                target("s-eng", "ENGINE/2.0.0.img", "a/1", false, true),
                target("s-adas", "ADAS/2.0.0.img", "b/1", true, false)),
            b("director targets"),
            10,
            null,
            List.of());
    VehicleState.UpdatePlan plan =
        UptaneCheck.plan("V-u1", NOW, checked, Map.of("s-eng", "engine", "s-adas", "adas"));
    assertTrue(plan.requireConsent());
    assertTrue(plan.requireParked());
    assertEquals(List.of("engine", "adas"), plan.installs().stream().map(i -> i.ecuId()).toList());
    VehicleState.PlannedInstall engine = plan.installs().get(0);
    assertEquals("a/1", engine.assignmentId());
    assertEquals("a", engine.campaignId());
    assertEquals("ENGINE/2.0.0.img", engine.targetName());
    assertEquals(3, engine.releaseCounter());
    assertEquals("b/1", plan.installs().get(1).assignmentId());

    VehicleState.UpdatePlan neither =
        UptaneCheck.plan(
            "V-u2",
            NOW,
            new UptaneCheck.Result(
                TRUST,
                List.of(target("s-eng", "ENGINE/2.0.0.img", "c/1", false, false)),
                null,
                0,
                null,
                List.of()),
            Map.of("s-eng", "engine"));
    assertFalse(neither.requireConsent());
    assertFalse(neither.requireParked());
  }

  @Test
  void aTargetNamingTheImageItsEcuRunsInstallsNothing() {
    // Replayed targets (a frozen timestamp keeps old ones trusted) still list an install that has
    // finished: the ECU runs that very image, so there is nothing to do for it.
    String running = "ab".repeat(32);
    Vehicle.Spec spec =
        new Vehicle.Spec(
            "V1",
            "Munich",
            "blue",
            java.util.Set.of(),
            "5g",
            List.of(
                new Vehicle.EcuSpec(
                    "engine",
                    io.fleetsim.ecu.EcuType.ENGINE,
                    "hw-s-eng",
                    "s-eng",
                    io.fleetsim.ecu.Transport.CAN_FD,
                    1_000_000,
                    new io.fleetsim.ecu.Bank("ENGINE/1.0.0.img", "cd".repeat(32), 100, 1, true)),
                new Vehicle.EcuSpec(
                    "adas",
                    io.fleetsim.ecu.EcuType.ADAS,
                    "hw-s-adas",
                    "s-adas",
                    io.fleetsim.ecu.Transport.DOIP,
                    1_000_000,
                    new io.fleetsim.ecu.Bank("ADAS/1.0.0.img", "ef".repeat(32), 100, 1, true))));
    UptaneCheck.Result checked =
        new UptaneCheck.Result(
            TRUST,
            List.of(
                target("s-eng", "ENGINE/2.0.0.img", "a/1", false, false),
                target("s-adas", "ADAS/2.0.0.img", "b/1", false, false)),
            b("director targets"),
            10,
            null,
            List.of());
    // Both ECUs run their factory images: both install.
    assertEquals(checked, UptaneCheck.withoutRunning(checked, spec, Map.of()));
    // The ADAS ECU runs the target's image already: only the engine installs.
    UptaneCheck.Result left =
        UptaneCheck.withoutRunning(
            checked, spec, Map.of("adas", new VehicleState.Installed("2.0.0", running, 3)));
    assertEquals(
        List.of("s-eng"), left.targets().stream().map(t -> t.verified().ecuSerial()).toList());
    assertEquals(checked.trust(), left.trust());
    // Both run it: nothing is new.
    assertTrue(
        UptaneCheck.withoutRunning(
                checked,
                spec,
                Map.of(
                    "adas", new VehicleState.Installed("2.0.0", running, 3),
                    "engine", new VehicleState.Installed("2.0.0", running, 3)))
            .targets()
            .isEmpty());
  }

  @Test
  void whatVerifiedBeforeARefusalStaysTrusted() throws Exception {
    java.util.Random rng = new java.util.Random(5);
    io.fleetsim.uptane.repository.Expiries ex = io.fleetsim.uptane.repository.Expiries.defaults();
    io.fleetsim.uptane.repository.Repository images =
        io.fleetsim.uptane.repository.Repository.create("images", rng, NOW, ex);
    byte[] image = b("image bytes");
    TargetFile target =
        new TargetFile(
            "ADAS/2.0.img",
            image.length,
            Map.of("sha256", io.fleetsim.uptane.crypto.Hashing.sha256Hex(image)),
            null);
    images.addTarget(target);
    images.publish(NOW);
    io.fleetsim.uptane.repository.DirectorSigner director =
        io.fleetsim.uptane.repository.DirectorSigner.create(rng, NOW, ex);
    TargetFile assigned =
        target.withCustom(
            new DirectorTargetCustom(new EcuTargetCustom("S1", "hw", 2), "c1/1", "c1", false, false)
                .toJson());
    Map<String, byte[]> directorFiles =
        director.files(director.signFor("V1", 1, List.of(assigned), NOW));
    Map<String, byte[]> imageFiles = new java.util.HashMap<>(images.files());
    // The image repository's snapshot is changed on the way: its signature no longer verifies.
    byte[] snapshot = imageFiles.get("snapshot.json").clone();
    String text = new String(snapshot, StandardCharsets.UTF_8);
    int sig = text.indexOf("\"sig\":\"") + "\"sig\":\"".length();
    snapshot[sig] = (byte) (snapshot[sig] == 'a' ? 'b' : 'a');
    imageFiles.put("snapshot.json", snapshot);

    VehicleState.Trust roots =
        new VehicleState.Trust(
            TrustedState.ofRoot(director.root(1)), TrustedState.ofRoot(images.root(1)), null);
    UptaneCheck.Result r =
        UptaneCheck.run(roots, directorFiles, imageFiles, Map.of("S1", "hw"), Map.of(), NOW);
    assertNotNull(r.refusal(), "the changed snapshot is refused");
    assertEquals(List.of("c1/1"), r.refusal().assignmentIds());
    // Every role verified before the refusal is kept: the director's whole chain, and the image
    // repository's timestamp (a later rollback of it would be caught); the refused snapshot not.
    assertTrue(
        java.util.Arrays.equals(directorFiles.get("targets.json"), r.trust().director().targets()));
    assertTrue(
        java.util.Arrays.equals(imageFiles.get("timestamp.json"), r.trust().images().timestamp()));
    assertEquals(null, r.trust().images().snapshot());
    assertEquals(null, r.trust().until(), "nothing may be taken as unchanged after a refusal");
  }
}
