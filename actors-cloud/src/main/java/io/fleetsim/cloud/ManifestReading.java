package io.fleetsim.cloud;

import java.util.List;

/**
 * What the Director needs from a verified vehicle version manifest, independent of how the manifest
 * is encoded: the counter that orders manifests, and per ECU what it runs now and whether its last
 * install failed or was rolled back.
 */
public record ManifestReading(long counter, List<EcuReport> reports) {

  /**
   * {@code failure} is null unless the ECU reported a failed install; {@code rolledBack} means it
   * booted back into the previous bank. {@code releaseCounter} is -1 when not reported.
   */
  public record EcuReport(
      String ecuSerial,
      String installedTargetName,
      String installedSha256,
      long releaseCounter,
      String failure,
      boolean rolledBack) {}
}
