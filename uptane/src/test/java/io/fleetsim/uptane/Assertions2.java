package io.fleetsim.uptane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Asserts that a check refuses with a given attack, and nothing else escapes. */
public final class Assertions2 {
  private Assertions2() {}

  @FunctionalInterface
  public interface Check {
    void run() throws Exception;
  }

  public static VerificationException assertRefused(Attack expected, Check check) {
    try {
      check.run();
    } catch (VerificationException e) {
      assertEquals(expected, e.attack(), "wrong attack named: " + e.getMessage());
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected " + expected + " refusal, got " + e, e);
    }
    fail("expected a " + expected + " refusal, but the check passed");
    return null;
  }
}
