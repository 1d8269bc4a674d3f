package io.fleetsim.vehicle;

import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.manifest.UpdateReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the vehicle tells the Director about an ended update: one {@link UpdateReport} per
 * assignment, signed into the vehicle version manifest. The ECUs of one assignment combine by
 * {@link UpdateOutcome#combine} (the one precedence of the system), and the report names the phase
 * and attack of the part that decided the outcome. Refused metadata yields one REJECTED report per
 * assignment it names, or one with an empty assignment id (every open assignment) when the
 * director's own metadata was refused.
 */
final class UpdateReports {

  private UpdateReports() {}

  /** How the update ended: the most severe result of all its parts. */
  static UpdateOutcome outcome(VehicleState.Update u) {
    List<UpdateOutcome> all = new ArrayList<>();
    u.results().values().forEach(r -> all.add(r.outcome()));
    if (u.refusal() != null) {
      all.add(UpdateOutcome.REJECTED);
    }
    return UpdateOutcome.combine(all);
  }

  /** The reports of an update whose every part has a result. */
  static List<UpdateReport> of(VehicleState.Update u) {
    List<UpdateReport> out = new ArrayList<>();
    VehicleState.Refusal refusal = u.refusal();
    if (refusal != null) {
      List<String> ids = refusal.assignmentIds().isEmpty() ? List.of("") : refusal.assignmentIds();
      for (String id : ids) {
        out.add(
            new UpdateReport(
                id,
                UpdateOutcome.REJECTED,
                Vehicle.Phase.CHECKING.name(),
                refusal.attack(),
                refusal.reason()));
      }
    }
    Map<String, List<VehicleState.PlannedInstall>> byAssignment =
        u.plan().installs().stream()
            .collect(
                Collectors.groupingBy(
                    VehicleState.PlannedInstall::assignmentId,
                    LinkedHashMap::new,
                    Collectors.toList()));
    byAssignment.forEach(
        (id, installs) -> {
          List<VehicleState.EcuResult> results =
              installs.stream().map(i -> u.results().get(i.ecuId())).toList();
          UpdateOutcome o =
              UpdateOutcome.combine(results.stream().map(VehicleState.EcuResult::outcome).toList());
          VehicleState.EcuResult decisive =
              results.stream().filter(r -> r.outcome() == o).findFirst().orElseThrow();
          out.add(
              new UpdateReport(
                  id, o, decisive.phase().name(), decisive.attack(), detail(u, installs)));
        });
    return out;
  }

  /** The attack that ended the update, empty when none did. */
  static String attack(VehicleState.Update u) {
    if (u.refusal() != null) {
      return u.refusal().attack();
    }
    return u.results().values().stream()
        .map(VehicleState.EcuResult::attack)
        .filter(a -> a != null && !a.isEmpty())
        .findFirst()
        .orElse("");
  }

  /** What went wrong, per ECU of {@code installs}; empty when every part succeeded. */
  static String detail(VehicleState.Update u, List<VehicleState.PlannedInstall> installs) {
    StringBuilder b = new StringBuilder(u.refusal() == null ? "" : u.refusal().reason());
    for (VehicleState.PlannedInstall i : installs) {
      VehicleState.EcuResult r = u.results().get(i.ecuId());
      if (r != null && !r.outcome().succeeded()) {
        b.append(b.length() == 0 ? "" : "; ").append(i.ecuId()).append(": ").append(r.outcome());
        b.append(r.reason() == null || r.reason().isEmpty() ? "" : " (" + r.reason() + ")");
      }
    }
    return b.toString();
  }

  /** The update as the vehicle's history keeps it, finished at {@code now}. */
  static Vehicle.UpdateRecord record(VehicleState.Update u, java.time.Instant now) {
    List<VehicleState.PlannedInstall> installs = u.plan().installs();
    return new Vehicle.UpdateRecord(
        u.refusal() != null ? u.refusal().campaignId() : installs.get(0).campaignId(),
        u.plan().startedAt(),
        now,
        outcome(u),
        attack(u),
        detail(u, installs),
        u.downloadedBytes());
  }

  /** The update, reported and accepted, ends: its record for the history, what the ECUs run now. */
  static Vehicle.UpdateFinished finished(
      VehicleState.Update u, Map<String, VehicleState.Installed> before, java.time.Instant now) {
    return new Vehicle.UpdateFinished(record(u, now), installedAfter(u, before));
  }

  /** What the ECUs run after the update: the new image where an install succeeded. */
  static Map<String, VehicleState.Installed> installedAfter(
      VehicleState.Update u, Map<String, VehicleState.Installed> before) {
    Map<String, VehicleState.Installed> installed = new java.util.TreeMap<>(before);
    for (VehicleState.PlannedInstall i : u.plan().installs()) {
      if (u.results().get(i.ecuId()).outcome().succeeded()) {
        installed.put(
            i.ecuId(),
            new VehicleState.Installed(
                io.fleetsim.uptane.metadata.ImageName.versionOf(i.targetName()),
                i.sha256(),
                i.releaseCounter()));
      }
    }
    return installed;
  }
}
