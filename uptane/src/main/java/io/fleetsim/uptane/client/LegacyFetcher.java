package io.fleetsim.uptane.client;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;

/**
 * A name-only {@link MetadataFetcher} seen as a {@link RepositoryFetcher}. The client calls {@link
 * #fetch} directly so that refusals the old fetcher raises (ENDLESS_DATA) pass through as they did.
 */
final class LegacyFetcher implements RepositoryFetcher {
  private final MetadataFetcher fetcher;

  LegacyFetcher(MetadataFetcher fetcher) {
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
