package io.fleetsim.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportReplayTest {

  static FaultRule rule(String id, FaultKind kind) {
    return new FaultRule(id, kind, Selector.all(), Map.of(), Window.from(Instant.EPOCH));
  }

  static byte[] b(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void theFirstReportGoesThroughAndIsHandedOverAgainForEveryLaterOne() {
    ReportReplay replay = new ReportReplay();
    FaultRule r = rule("replay", FaultKind.REPLAYED_REPORT);
    List<String> serials = List.of("eng", "adas");
    List<byte[]> first = List.of(b("eng nonce 1"), b("adas nonce 1"));
    ReportReplay.Outcome o1 = replay.apply(List.of(r), "V1", serials, first);
    assertTrue(o1.applied().isEmpty(), "recorded, not replayed");
    assertSame(first.get(0), o1.reports().get(0));

    ReportReplay.Outcome o2 =
        replay.apply(List.of(r), "V1", serials, List.of(b("eng nonce 2"), b("adas nonce 2")));
    assertEquals(List.of(r), o2.applied());
    assertArrayEquals(first.get(0), o2.reports().get(0));
    assertArrayEquals(first.get(1), o2.reports().get(1));

    // another vehicle, another rule kind, no rule: nothing replayed
    assertTrue(replay.apply(List.of(r), "V2", serials, first).applied().isEmpty());
    List<byte[]> later = List.of(b("eng nonce 3"), b("adas nonce 3"));
    assertSame(
        later.get(0),
        replay
            .apply(List.of(rule("slow", FaultKind.LATENCY)), "V1", serials, later)
            .reports()
            .get(0));
    assertSame(later.get(1), replay.apply(List.of(), "V1", serials, later).reports().get(1));
  }
}
