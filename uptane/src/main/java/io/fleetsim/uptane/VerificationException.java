package io.fleetsim.uptane;

import java.util.Objects;

/**
 * The one refusal type of the library: every check that stops an attack throws this with the attack
 * named, so callers (actors, CLI, reports) can count detections by kind.
 */
public class VerificationException extends Exception {
  private final Attack attack;

  public VerificationException(Attack attack, String message) {
    super(attack + ": " + message);
    this.attack = Objects.requireNonNull(attack);
  }

  public VerificationException(Attack attack, String message, Throwable cause) {
    super(attack + ": " + message, cause);
    this.attack = Objects.requireNonNull(attack);
  }

  public Attack attack() {
    return attack;
  }

  /** The message without the attack prefix. */
  public String detail() {
    String m = getMessage();
    String prefix = attack + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }
}
