package io.fleetsim.cloud;

import io.fleetsim.uptane.manifest.InstallResult;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.manifest.UpdateReport;
import io.fleetsim.uptane.metadata.ImageName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which open assignments a verified manifest closes, and how. Pure: the Director persists and
 * reports what this returns.
 *
 * <p>Every result is matched by assignment id, so a result can only close the assignment it was
 * made for: an ECU's {@link InstallResult} counts only when it names the open assignment (a
 * rollback reported for an earlier update never closes a newer one), and so does the vehicle's own
 * {@link UpdateReport}. An assignment closes when the vehicle reported it, or when every ECU it
 * covers reported a result for it. A success must be confirmed by each ECU's signed report running
 * the assigned image; the vehicle's word alone is not enough. When results differ, the most severe
 * wins ({@link UpdateOutcome#combine}).
 */
final class AssignmentClosing {

  private AssignmentClosing() {}

  static List<Director.Outcome> close(
      String vin, Map<String, Director.Assignment> open, ManifestReading reading, Instant now) {
    Map<String, List<Director.Assignment>> byId = new LinkedHashMap<>();
    open.values()
        .forEach(a -> byId.computeIfAbsent(a.assignmentId(), k -> new ArrayList<>()).add(a));
    Map<String, ManifestReading.EcuReport> reports = new LinkedHashMap<>();
    reading.reports().forEach(r -> reports.put(r.ecuSerial(), r));
    List<Director.Outcome> closed = new ArrayList<>();
    for (Map.Entry<String, List<Director.Assignment>> e : byId.entrySet()) {
      closeOne(vin, e.getKey(), e.getValue(), reports, reading.updateFor(e.getKey()), now)
          .ifPresent(closed::add);
    }
    return closed;
  }

  private static Optional<Director.Outcome> closeOne(
      String vin,
      String assignmentId,
      List<Director.Assignment> ecus,
      Map<String, ManifestReading.EcuReport> reports,
      Optional<UpdateReport> vehicleReport,
      Instant now) {
    List<UpdateOutcome> results = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    boolean allEcusReported = true;
    String installed = null;
    for (Director.Assignment a : ecus) {
      ManifestReading.EcuReport r = reports.get(a.ecuSerial());
      if (r != null && installed == null) {
        installed = ImageName.versionOf(r.installedTargetName());
      }
      Optional<InstallResult> last =
          r == null
              ? Optional.empty()
              : r.lastInstall().filter(i -> i.assignmentId().equals(assignmentId));
      if (last.isEmpty()) {
        allEcusReported = false;
        continue;
      }
      UpdateOutcome o = last.get().outcome();
      if (o.succeeded() && !r.installedSha256().equals(a.image().sha256())) {
        o = UpdateOutcome.FAILED;
        reasons.add(a.ecuSerial() + ": reports success but runs " + r.installedTargetName());
      } else if (!o.succeeded()) {
        reasons.add(a.ecuSerial() + ": " + o + detail(last.get().detail()));
      }
      results.add(o);
    }
    UpdateOutcome outcome;
    if (vehicleReport.isPresent()) {
      UpdateReport u = vehicleReport.get();
      UpdateOutcome ecuOutcome = UpdateOutcome.combine(results);
      if (u.outcome().succeeded()) {
        outcome =
            allEcusReported && ecuOutcome != null
                ? ecuOutcome
                : UpdateOutcome.FAILED.worse(ecuOutcome);
        if (!allEcusReported) {
          reasons.add("the vehicle reports success, but not every ECU confirmed it");
        }
      } else {
        outcome = u.outcome().worse(ecuOutcome);
        reasons.add(0, vehicleReason(u));
      }
    } else if (allEcusReported && !results.isEmpty()) {
      outcome = UpdateOutcome.combine(results);
    } else {
      return Optional.empty();
    }
    Director.Assignment first = ecus.get(0);
    return Optional.of(
        new Director.Outcome(
            assignmentId,
            first.campaignId(),
            vin,
            outcome,
            String.join("; ", reasons),
            installed,
            now));
  }

  private static String vehicleReason(UpdateReport u) {
    StringBuilder b = new StringBuilder();
    if (!u.phase().isEmpty()) {
      b.append(u.phase()).append(": ");
    }
    if (!u.attack().isEmpty()) {
      b.append(u.attack()).append(": ");
    }
    b.append(u.reason().isEmpty() ? u.outcome().name() : u.reason());
    return b.toString();
  }

  private static String detail(String d) {
    return d == null || d.isEmpty() ? "" : " (" + d + ")";
  }
}
