package io.fleetsim.uptane.metadata;

import java.util.Optional;

/**
 * fleetsim's target names for firmware images, {@code TYPE/VERSION.img} (e.g. {@code
 * ADAS/1.1.0.img}): built and parsed here only.
 */
public record ImageName(String ecuType, String version) {

  private static final String SUFFIX = ".img";

  public ImageName {
    if (ecuType == null || ecuType.isEmpty() || ecuType.contains("/")) {
      throw new IllegalArgumentException("ecuType must be a non-empty name without '/'");
    }
    if (version == null || version.isEmpty()) {
      throw new IllegalArgumentException("version must not be empty");
    }
  }

  public String targetName() {
    return ecuType + "/" + version + SUFFIX;
  }

  /** {@code ADAS/1.1.0.img} → (ADAS, 1.1.0); empty for names of any other form. */
  public static Optional<ImageName> parse(String targetName) {
    if (targetName == null || !targetName.endsWith(SUFFIX)) {
      return Optional.empty();
    }
    int slash = targetName.indexOf('/');
    if (slash <= 0 || slash != targetName.lastIndexOf('/')) {
      return Optional.empty();
    }
    String version = targetName.substring(slash + 1, targetName.length() - SUFFIX.length());
    return version.isEmpty()
        ? Optional.empty()
        : Optional.of(new ImageName(targetName.substring(0, slash), version));
  }

  /** The version a target name stands for, or the name itself when it is of another form. */
  public static String versionOf(String targetName) {
    return parse(targetName).map(ImageName::version).orElse(targetName);
  }

  @Override
  public String toString() {
    return targetName();
  }
}
