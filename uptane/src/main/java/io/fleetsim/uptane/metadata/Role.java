package io.fleetsim.uptane.metadata;

import java.util.Locale;
import java.util.Optional;

/** The four top-level TUF roles. */
public enum Role {
  ROOT,
  TARGETS,
  SNAPSHOT,
  TIMESTAMP;

  /** The name used in {@code _type}, in root's {@code roles} and in file names. */
  public String type() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String fileName() {
    return type() + ".json";
  }

  public static Optional<Role> fromType(String type) {
    for (Role r : values()) {
      if (r.type().equals(type)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
