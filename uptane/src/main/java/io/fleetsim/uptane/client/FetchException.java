package io.fleetsim.uptane.client;

/**
 * A refresh or download stopped because the repository did not deliver a file it needed (see {@link
 * FetchFailure}). Not a refusal: no attack is named, and what was verified before the failure stays
 * trusted ({@link RepositoryClient#state()}).
 */
public class FetchException extends Exception {
  private final FetchFailure failure;
  private final String fileName;

  public FetchException(FetchFailure failure, String fileName, String detail) {
    super(
        failure
            + ": "
            + fileName
            + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
    this.failure = failure;
    this.fileName = fileName;
  }

  public FetchFailure failure() {
    return failure;
  }

  public String fileName() {
    return fileName;
  }
}
