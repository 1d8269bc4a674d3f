package io.fleetsim.uptane.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.DirectorTargetCustom;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.ImageName;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The wire types that tie every report to its assignment, and the one outcome precedence. */
class UpdateContractTest {

  @Test
  void outcomesRankMostSevereFirst() {
    assertEquals(UpdateOutcome.REJECTED, UpdateOutcome.ROLLED_BACK.worse(UpdateOutcome.REJECTED));
    assertEquals(UpdateOutcome.ROLLED_BACK, UpdateOutcome.FAILED.worse(UpdateOutcome.ROLLED_BACK));
    assertEquals(UpdateOutcome.ROLLED_BACK, UpdateOutcome.ROLLED_BACK.worse(UpdateOutcome.FAILED));
    assertEquals(UpdateOutcome.FAILED, UpdateOutcome.SUCCEEDED.worse(UpdateOutcome.FAILED));
    assertEquals(UpdateOutcome.SUCCEEDED, UpdateOutcome.SUCCEEDED.worse(null));
    assertEquals(
        UpdateOutcome.FAILED,
        UpdateOutcome.combine(
            List.of(UpdateOutcome.SUCCEEDED, UpdateOutcome.FAILED, UpdateOutcome.SUCCEEDED)));
    assertNull(UpdateOutcome.combine(List.of()));
  }

  @Test
  void anUnknownOutcomeNameIsMalformed() {
    VerificationException e =
        assertThrows(VerificationException.class, () -> UpdateOutcome.parse("INSTALLED", "x"));
    assertEquals(Attack.MALFORMED, e.attack());
  }

  @Test
  void directorCustomRoundTrips() throws Exception {
    DirectorTargetCustom c =
        new DirectorTargetCustom(
            new EcuTargetCustom("S1", "HW-1", 3), "c1:V1:1", "c1", true, false);
    Json.Obj json = c.toJson();
    assertEquals(c, DirectorTargetCustom.fromJson(json, "t"));
    // The ECU part stays readable by anything that only knows EcuTargetCustom.
    assertEquals(c.ecu(), EcuTargetCustom.fromJson(json, "t"));
    Map<String, Json> withoutAssignment = new LinkedHashMap<>(json.fields());
    withoutAssignment.remove("assignment");
    assertThrows(
        VerificationException.class,
        () -> DirectorTargetCustom.fromJson(new Json.Obj(withoutAssignment), "t"));
  }

  @Test
  void installResultIsReadBackFromACustomObject() throws Exception {
    Map<String, Json> custom = new LinkedHashMap<>();
    assertTrue(InstallResult.from(new Json.Obj(custom), "c").isEmpty());
    new InstallResult("c1:V1:1", UpdateOutcome.ROLLED_BACK, "HANG").addTo(custom);
    InstallResult r = InstallResult.from(new Json.Obj(custom), "c").orElseThrow();
    assertEquals("c1:V1:1", r.assignmentId());
    assertEquals(UpdateOutcome.ROLLED_BACK, r.outcome());
    assertEquals("HANG", r.detail());
  }

  @Test
  void updateReportsAreSignedIntoTheManifestAndReadBack() throws Exception {
    SigningKey primary = SigningKey.generate(new Random(1));
    UpdateReport report =
        new UpdateReport(
            "c1:V1:1", UpdateOutcome.REJECTED, "VERIFYING", "ARBITRARY_SOFTWARE", "hash differs");
    byte[] m =
        VehicleVersionManifest.sign(
            primary, "V1", "V1-primary", List.of(), List.of(report), 5, Instant.EPOCH);
    VehicleVersionManifest read = ManifestVerifier.verify(m, primary.publicKey(), Map.of(), 4);
    assertEquals(List.of(report), read.updateReports());
    // A manifest without the field (older primaries) reads as no reports.
    byte[] plain =
        VehicleVersionManifest.sign(primary, "V1", "V1-primary", List.of(), 6, Instant.EPOCH);
    assertEquals(
        List.of(),
        ManifestVerifier.verify(plain, primary.publicKey(), Map.of(), 5).updateReports());
  }

  @Test
  void imageNamesParseInOnePlace() {
    assertEquals(new ImageName("ADAS", "1.1.0"), ImageName.parse("ADAS/1.1.0.img").orElseThrow());
    assertEquals("ADAS/1.0.0+r3.img", new ImageName("ADAS", "1.0.0+r3").targetName());
    assertTrue(ImageName.parse("ADAS/.img").isEmpty());
    assertTrue(ImageName.parse("a/b/c.img").isEmpty());
    assertTrue(ImageName.parse("fw.bin").isEmpty());
    assertEquals("fw.bin", ImageName.versionOf("fw.bin"));
  }
}
