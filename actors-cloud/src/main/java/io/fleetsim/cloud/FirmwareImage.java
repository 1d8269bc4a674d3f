package io.fleetsim.cloud;

import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.uptane.metadata.ImageName;
import java.util.List;

/**
 * A published image as the rest of the cloud refers to it: enough to build the Uptane target the
 * Director signs for each vehicle, and to find the bytes (or the delta from {@code
 * deltaFromVersion}) in the ImageRepository by sha256.
 */
public record FirmwareImage(
    String repositoryId,
    String targetName,
    String ecuType,
    String version,
    long releaseCounter,
    List<String> hardwareIds,
    long length,
    String sha256,
    String deltaFromVersion,
    String deltaSha256,
    long deltaLength)
    implements CborSerializable {

  public FirmwareImage {
    hardwareIds = List.copyOf(hardwareIds);
  }

  public static String targetName(String ecuType, String version) {
    return new ImageName(ecuType, version).targetName();
  }

  public boolean hasDelta() {
    return deltaSha256 != null;
  }
}
