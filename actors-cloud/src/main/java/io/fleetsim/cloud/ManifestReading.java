package io.fleetsim.cloud;

import io.fleetsim.uptane.manifest.InstallResult;
import io.fleetsim.uptane.manifest.UpdateReport;
import java.util.List;
import java.util.Optional;

/**
 * What the Director needs from a verified vehicle version manifest, independent of how the manifest
 * is encoded: the counter that orders manifests, per ECU what it runs now and how its last install
 * ended (tied to that install's assignment), and the vehicle's own reports of assignments it ended.
 */
public record ManifestReading(long counter, List<EcuReport> reports, List<UpdateReport> updates) {

  public ManifestReading {
    reports = List.copyOf(reports);
    updates = List.copyOf(updates);
  }

  /**
   * One ECU's signed report. {@code releaseCounter} is -1 when not reported; {@code lastInstall} is
   * empty when the ECU never installed anything.
   */
  public record EcuReport(
      String ecuSerial,
      String installedTargetName,
      String installedSha256,
      long releaseCounter,
      Optional<InstallResult> lastInstall) {}

  /** The vehicle's report for {@code assignmentId}, or one for every assignment. */
  Optional<UpdateReport> updateFor(String assignmentId) {
    return updates.stream()
        .filter(u -> u.assignmentId().equals(assignmentId) || u.allAssignments())
        .findFirst();
  }
}
