package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.client.TrustedState;
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
}
