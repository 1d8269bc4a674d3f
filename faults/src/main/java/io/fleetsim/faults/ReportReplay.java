package io.fleetsim.faults;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replaying device on a vehicle's bus ({@link FaultKind#REPLAYED_REPORT}): it records the first
 * signed version report of each ECU it sees under a rule and, when the ECU later signs a new one,
 * hands the primary the recorded report instead. The bytes are the ECU's own, signed by its key;
 * only their nonce is old. Recordings are kept per node, per rule, vehicle and ECU, like the link
 * attacker's, and not persisted.
 */
public final class ReportReplay {

  private final Map<String, byte[]> recorded = new ConcurrentHashMap<>();

  /** The reports as the primary receives them, and the rules that replaced one (empty if none). */
  public record Outcome(List<byte[]> reports, List<FaultRule> applied) {}

  /**
   * The {@code reports} the ECUs {@code serials} signed (in the same order), as they reach the
   * primary through the rules {@code acting} on the vehicle's bus.
   */
  public Outcome apply(
      List<FaultRule> acting, String vin, List<String> serials, List<byte[]> reports) {
    List<byte[]> out = new ArrayList<>(reports);
    List<FaultRule> applied = new ArrayList<>(1);
    for (FaultRule rule : acting) {
      if (rule.kind() != FaultKind.REPLAYED_REPORT) {
        continue;
      }
      boolean replayed = false;
      for (int i = 0; i < out.size(); i++) {
        byte[] first =
            recorded.putIfAbsent(rule.id() + '|' + vin + '|' + serials.get(i), out.get(i));
        if (first != null && !Arrays.equals(first, out.get(i))) {
          out.set(i, first);
          replayed = true;
        }
      }
      if (replayed) {
        applied.add(rule);
      }
    }
    return new Outcome(out, applied);
  }
}
