package io.fleetsim.cloud;

import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;

/**
 * A fleet shaped like the node's generated one (eight regions, two environments, one body-style
 * tag, three ECUs with two or three hardware variants each), built from the vehicle's index alone
 * so any count can be recomputed with {@link TargetFilter#matches}.
 */
final class SyntheticFleet {
  static final List<String> REGIONS =
      List.of(
          "Munich", "Berlin", "Hamburg", "Stuttgart", "Cologne", "Frankfurt", "Leipzig", "Dresden");
  static final List<String> BODIES = List.of("sedan", "estate", "suv", "van");
  static final List<String> ENGINE_HW = List.of("ENG-MED17-A", "ENG-SIM2K-B");
  static final List<String> ADAS_HW = List.of("ADAS-EQ4-A", "ADAS-PROAI-B", "ADAS-SVA-C");
  static final List<String> IVI_HW = List.of("IVI-MIB3-A", "IVI-WEBOS-B");

  private SyntheticFleet() {}

  static String vin(int i) {
    return String.format("FSIM%sR%010d", REGIONS.get(i % 8).substring(0, 2).toUpperCase(), i);
  }

  static Director.Registered registered(int i) {
    String vin = vin(i);
    return new Director.Registered(
        vin,
        REGIONS.get(i % 8),
        (i / 8) % 2 == 0 ? "blue" : "green",
        Set.of(BODIES.get((i / 16) % 4)),
        vin + "-infotainment",
        "00",
        List.of(
            new Director.EcuInfo(
                vin + "-engine", "engine", "ENGINE", ENGINE_HW.get((i / 3) % 2), "00", "1.0.0", 1),
            new Director.EcuInfo(
                vin + "-adas", "adas", "ADAS", ADAS_HW.get((i / 5) % 3), "00", "1.0.0", 1),
            new Director.EcuInfo(
                vin + "-infotainment",
                "infotainment",
                "INFOTAINMENT",
                IVI_HW.get((i / 7) % 2),
                "00",
                "1.0.0",
                1)),
        Instant.ofEpochSecond(1_700_000_000L + i));
  }

  static Director.AssignmentMade assigned(int i) {
    return new Director.AssignmentMade(
        vin(i), "c1", List.of(), null, Instant.ofEpochSecond(1_800_000_000L + i));
  }

  static Director.AssignmentFetched fetched(int i) {
    return new Director.AssignmentFetched(
        vin(i), List.of(vin(i) + "-adas"), Instant.ofEpochSecond(1_800_000_001L + i));
  }

  /** The ADAS ECU reports {@code version}; the assignment closes with {@code outcome}. */
  static Director.ManifestAccepted manifest(int i, String version, UpdateOutcome outcome) {
    Instant at = Instant.ofEpochSecond(1_800_000_002L + i);
    return new Director.ManifestAccepted(
        vin(i),
        2,
        List.of(
            new Director.EcuOutcome(vin(i) + "-adas", version, 2),
            new Director.EcuOutcome(vin(i) + "-engine", "1.0.0", 1)),
        List.of(new Director.Outcome("c1/" + i, "c1", vin(i), outcome, "", version, at)),
        null,
        at);
  }

  /** Journal entries for {@code events}, with offsets from {@code firstOffset} on. */
  static List<EventEnvelope> envelopes(List<? extends Director.Event> events, long firstOffset) {
    List<EventEnvelope> out = new ArrayList<>(events.size());
    long offset = firstOffset;
    for (Director.Event e : events) {
      out.add(new EventEnvelope(Offset.sequence(offset++), "Director|" + e.vin(), 1, e, 0L));
    }
    return out;
  }
}
