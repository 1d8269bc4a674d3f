package io.fleetsim.uptane.client;

import java.util.Map;

/**
 * Where a client gets a repository's files, told what it asks for ({@link MetadataRequest}) and
 * answering with typed results, so a missing file or an unreachable server is never mistaken for an
 * attack. An implementation must stop reading past the request's limit and answer {@link
 * FetchFailure#TOO_LARGE}. {@link MetadataFetcher} is the older, name-only form.
 */
public interface RepositoryFetcher {
  FetchResult fetchMetadata(MetadataRequest request);

  /**
   * A target file by the name the layout calls for ({@code HASH.NAME} under consistent snapshots,
   * else {@code NAME}), at most {@code maxLength} bytes.
   */
  default FetchResult fetchTarget(String fileName, long maxLength) {
    return FetchResult.notFound(fileName);
  }

  /**
   * Files in memory by name; target files under {@code targets/} (so {@code targets/NAME} or {@code
   * targets/HASH.NAME}).
   */
  static RepositoryFetcher fromMap(Map<String, byte[]> files) {
    return new RepositoryFetcher() {
      @Override
      public FetchResult fetchMetadata(MetadataRequest r) {
        return get(r.fileName(), r.maxLength());
      }

      @Override
      public FetchResult fetchTarget(String fileName, long maxLength) {
        return get("targets/" + fileName, maxLength);
      }

      private FetchResult get(String name, long max) {
        byte[] b = files.get(name);
        if (b == null) {
          return FetchResult.notFound(name);
        }
        if (b.length > max) {
          return FetchResult.failed(
              FetchFailure.TOO_LARGE, name + " is " + b.length + " bytes, limit " + max);
        }
        return FetchResult.found(b);
      }
    };
  }

  /** The older name-only fetcher seen through this interface. */
  static RepositoryFetcher of(MetadataFetcher fetcher) {
    return new LegacyFetcher(fetcher);
  }
}
