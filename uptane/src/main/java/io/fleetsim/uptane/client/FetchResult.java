package io.fleetsim.uptane.client;

import java.util.Objects;

/** What a {@link RepositoryFetcher} got: the bytes, or the typed reason it got none. */
public sealed interface FetchResult {
  record Found(byte[] data) implements FetchResult {
    public Found {
      Objects.requireNonNull(data);
    }
  }

  record Failed(FetchFailure failure, String detail) implements FetchResult {
    public Failed {
      Objects.requireNonNull(failure);
    }
  }

  static FetchResult found(byte[] data) {
    return new Found(data);
  }

  static FetchResult notFound(String fileName) {
    return new Failed(FetchFailure.NOT_FOUND, fileName);
  }

  static FetchResult failed(FetchFailure failure, String detail) {
    return new Failed(failure, detail);
  }
}
