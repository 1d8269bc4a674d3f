package io.fleetsim.uptane.client;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
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

  /** Raises a refusal from a legacy fetcher as it is; used by the adapter below. */
  final class Legacy implements RepositoryFetcher {
    private final MetadataFetcher fetcher;

    Legacy(MetadataFetcher fetcher) {
      this.fetcher = fetcher;
    }

    /**
     * The file the layout calls for; when a consistent-snapshot name ({@code 7.snapshot.json}) is
     * absent, the plain name, which is all fleetsim's own entities serve. The bytes are checked
     * against the version and hashes the referring metadata names either way.
     */
    byte[] fetch(MetadataRequest r) throws VerificationException {
      byte[] b = fetcher.fetch(r.fileName(), r.maxLength());
      if (b == null && !r.role().equals("root") && !r.fileName().equals(r.plainFileName())) {
        b = fetcher.fetch(r.plainFileName(), r.maxLength());
      }
      return b;
    }

    @Override
    public FetchResult fetchMetadata(MetadataRequest request) {
      try {
        byte[] b = fetch(request);
        return b == null ? FetchResult.notFound(request.fileName()) : FetchResult.found(b);
      } catch (VerificationException e) {
        return FetchResult.failed(
            e.attack() == Attack.ENDLESS_DATA ? FetchFailure.TOO_LARGE : FetchFailure.SERVER_ERROR,
            e.getMessage());
      }
    }
  }

  /** The older name-only fetcher seen through this interface. */
  static RepositoryFetcher of(MetadataFetcher fetcher) {
    return new Legacy(fetcher);
  }
}
