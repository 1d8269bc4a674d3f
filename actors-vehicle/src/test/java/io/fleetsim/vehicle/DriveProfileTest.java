package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DriveProfileTest {

  static final long SEED = 42;
  static final Instant MIDNIGHT = Instant.parse("2030-01-01T00:00:00Z");

  static List<Double> hours(double rest, int from, int to, double share) {
    List<Double> h = new ArrayList<>(Collections.nCopies(24, rest));
    for (int i = from; i < to; i++) {
      h.set(i, share);
    }
    return h;
  }

  @Test
  void theSameSeedVinAndHourGiveTheSameAnswer() {
    DriveProfile a = DriveProfile.parkedShare(0.5);
    DriveProfile b = DriveProfile.parkedShare(0.5);
    long h0 = DriveProfile.hourOf(MIDNIGHT);
    int differ = 0;
    for (long h = h0; h < h0 + 200; h++) {
      assertEquals(a.parked(SEED, "FSIMDRIVE00000001", h), b.parked(SEED, "FSIMDRIVE00000001", h));
      if (a.parked(SEED, "FSIMDRIVE00000001", h) != a.parked(SEED + 1, "FSIMDRIVE00000001", h)) {
        differ++;
      }
    }
    assertTrue(differ > 50, "another seed draws otherwise: " + differ);
    // the draws are pinned: a change of hash or mixing shows here
    StringBuilder day = new StringBuilder();
    for (long h = h0; h < h0 + 24; h++) {
      day.append(a.parked(SEED, "FSIMDRIVE00000001", h) ? '1' : '0');
    }
    assertEquals("110110010100000101001101", day.toString());
  }

  @Test
  void aShareOfOneIsAlwaysParked() {
    DriveProfile p = DriveProfile.parkedShare(1.0);
    assertTrue(p.alwaysParked());
    assertTrue(DriveProfile.ALWAYS_PARKED.alwaysParked());
    for (int v = 0; v < 100; v++) {
      for (long h = 0; h < 48; h++) {
        assertTrue(p.parked(SEED, "VIN" + v, DriveProfile.hourOf(MIDNIGHT) + h));
      }
      Instant t = MIDNIGHT.plusSeconds(v * 977L);
      assertEquals(Optional.of(t), p.nextParked(SEED, "VIN" + v, t));
    }
    assertTrue(DriveProfile.fromConfig(ConfigFactory.load()).alwaysParked(), "the default");
  }

  @Test
  void theNextParkedInstantSkipsHoursWithShareZero() {
    // driving from 06:00 to 10:00 every day, parked otherwise
    DriveProfile p = DriveProfile.parkedByHour(hours(1.0, 6, 10, 0.0));
    assertFalse(p.alwaysParked());
    Instant at0715 = MIDNIGHT.plusSeconds(7 * 3600 + 15 * 60);
    assertEquals(
        Optional.of(MIDNIGHT.plusSeconds(10 * 3600)),
        p.nextParked(SEED, "FSIMDRIVE00000002", at0715));
    Instant at0500 = MIDNIGHT.plusSeconds(5 * 3600 + 1);
    assertEquals(Optional.of(at0500), p.nextParked(SEED, "FSIMDRIVE00000002", at0500));
    // half parked at night only: whatever the draws, the answer is a night hour's start
    DriveProfile nights = DriveProfile.parkedByHour(hours(0.0, 0, 6, 0.5));
    for (int v = 0; v < 200; v++) {
      Instant next = nights.nextParked(SEED, "VIN" + v, at0715).orElseThrow();
      assertTrue(next.isAfter(at0715));
      assertEquals(0, next.toEpochMilli() % DriveProfile.HOUR_MILLIS);
      int hourOfDay = (int) Math.floorMod(DriveProfile.hourOf(next), 24L);
      assertTrue(hourOfDay < 6, next.toString());
      assertTrue(nights.parkedAt(SEED, "VIN" + v, next));
    }
    assertEquals(
        Optional.empty(),
        DriveProfile.parkedShare(0.0).nextParked(SEED, "FSIMDRIVE00000002", at0715),
        "never parked");
  }

  @Test
  void theParkedFractionOverManyVinsIsNearTheShare() {
    DriveProfile p = DriveProfile.parkedShare(0.8);
    long h0 = DriveProfile.hourOf(MIDNIGHT);
    int parked = 0;
    int n = 0;
    for (int v = 0; v < 5_000; v++) {
      for (long h = h0; h < h0 + 4; h++) {
        n++;
        parked += p.parked(SEED, String.format("FSIM%013d", v), h) ? 1 : 0;
      }
    }
    double share = parked / (double) n;
    assertTrue(Math.abs(share - 0.8) < 0.02, "parked " + share);
    DriveProfile byHour = DriveProfile.parkedByHour(hours(0.9, 8, 18, 0.3));
    int atNoon = 0;
    for (int v = 0; v < 5_000; v++) {
      atNoon += byHour.parked(SEED, String.format("FSIM%013d", v), h0 + 12) ? 1 : 0;
    }
    assertTrue(Math.abs(atNoon / 5_000.0 - 0.3) < 0.03, "parked at noon " + atNoon);
  }

  @Test
  void aParkedByHourOfTheWrongLengthIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DriveProfile.parkedByHour(Collections.nCopies(23, 0.5)));
    assertTrue(e.getMessage().contains("24"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> DriveProfile.parkedByHour(Collections.nCopies(25, 0.5)));
    assertThrows(IllegalArgumentException.class, () -> DriveProfile.parkedShare(1.5));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            DriveProfile.fromConfig(
                ConfigFactory.parseString("fleetsim.vehicle.drive.parked-by-hour = [0.5, 0.5]")
                    .withFallback(ConfigFactory.load())));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            DriveProfile.fromConfig(
                ConfigFactory.parseString(
                        "fleetsim.vehicle.drive { parked-share = 0.5\n"
                            + "parked-by-hour = [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1] }")
                    .withFallback(ConfigFactory.load())),
        "both set");
  }
}
