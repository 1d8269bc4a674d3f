package io.fleetsim.scenario;

/**
 * One problem of a scenario file: where it is and what was expected there.
 *
 * @param file the file's name as given to the parser
 * @param line 1-based line of the value (or of the object missing a field); 0 when unknown
 * @param path the field, as {@code campaigns[1].waves[2]}; empty for a problem of the whole file
 * @param message what is expected and what was found
 */
public record ScenarioError(String file, int line, String path, String message) {

  /** {@code canary.conf:12: campaigns[0].soak: expected a duration such as 30m, was "soon"}. */
  @Override
  public String toString() {
    String where = line > 0 ? file + ":" + line : file;
    return path.isEmpty() ? where + ": " + message : where + ": " + path + ": " + message;
  }
}
