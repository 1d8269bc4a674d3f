package io.fleetsim.scenario;

import java.util.List;

/** A scenario file that cannot be run, with every problem found in it, in file order. */
public final class InvalidScenario extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<ScenarioError> errors;

  public InvalidScenario(List<ScenarioError> errors) {
    super(message(errors));
    this.errors = List.copyOf(errors);
  }

  public List<ScenarioError> errors() {
    return errors;
  }

  private static String message(List<ScenarioError> errors) {
    StringBuilder b = new StringBuilder();
    for (ScenarioError e : errors) {
      if (b.length() > 0) {
        b.append('\n');
      }
      b.append(e);
    }
    return b.toString();
  }
}
