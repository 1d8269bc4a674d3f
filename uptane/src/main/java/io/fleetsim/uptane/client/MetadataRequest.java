package io.fleetsim.uptane.client;

import java.util.OptionalInt;

/**
 * One metadata file a client asks for: the role ({@code root}, {@code timestamp}, {@code snapshot},
 * {@code targets} or a delegated role's name), its version when the workflow knows it (always for
 * root; for snapshot and targets when the root says {@code consistent_snapshot}), the file name the
 * repository layout calls for ({@code 3.root.json}, {@code 7.snapshot.json}, {@code
 * timestamp.json}, ...) and the most bytes to accept.
 */
public record MetadataRequest(String role, OptionalInt version, String fileName, long maxLength) {
  /** The name without a version prefix ({@code snapshot.json}), the non-consistent layout. */
  public String plainFileName() {
    return RepositoryClient.encodeRoleName(role) + ".json";
  }
}
