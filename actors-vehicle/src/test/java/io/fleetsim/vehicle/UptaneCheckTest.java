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

  static final Vehicle.Trust TRUST =
      new Vehicle.Trust(state("director-ts-7"), state("image-ts-3"), NOW.plusSeconds(3600));

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

  @Test
  void expiredTrustOrNoFullCheckYetMeansAFullCheck() {
    Map<String, byte[]> d = Map.of("timestamp.json", b("director-ts-7"));
    Map<String, byte[]> i = Map.of("timestamp.json", b("image-ts-3"));
    // Freeze: the repositories keep serving the same, now expired, timestamps.
    assertFalse(UptaneCheck.unchanged(TRUST, d, i, NOW.plusSeconds(3600)));
    Vehicle.Trust rootsOnly =
        new Vehicle.Trust(TrustedState.ofRoot(b("root")), TrustedState.ofRoot(b("root")), null);
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
            null);
    Vehicle.UpdatePlan plan =
        UptaneCheck.plan("V-u1", NOW, checked, Map.of("s-eng", "engine", "s-adas", "adas"));
    assertTrue(plan.requireConsent());
    assertTrue(plan.requireParked());
    assertEquals(List.of("engine", "adas"), plan.installs().stream().map(i -> i.ecuId()).toList());
    Vehicle.PlannedInstall engine = plan.installs().get(0);
    assertEquals("a/1", engine.assignmentId());
    assertEquals("a", engine.campaignId());
    assertEquals("ENGINE/2.0.0.img", engine.targetName());
    assertEquals(3, engine.releaseCounter());
    assertEquals("b/1", plan.installs().get(1).assignmentId());

    Vehicle.UpdatePlan neither =
        UptaneCheck.plan(
            "V-u2",
            NOW,
            new UptaneCheck.Result(
                TRUST,
                List.of(target("s-eng", "ENGINE/2.0.0.img", "c/1", false, false)),
                null,
                0,
                null),
            Map.of("s-eng", "engine"));
    assertFalse(neither.requireConsent());
    assertFalse(neither.requireParked());
  }
}
