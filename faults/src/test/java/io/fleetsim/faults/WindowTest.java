package io.fleetsim.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WindowTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void containsItsStartButNotItsEnd() {
    Window w = Window.of(T0, Duration.ofSeconds(10));
    long start = T0.toEpochMilli();
    assertFalse(w.contains(start - 1));
    assertTrue(w.contains(start));
    assertTrue(w.contains(start + 9_999));
    assertFalse(w.contains(start + 10_000));
  }

  @Test
  void anOpenWindowLastsUntilTheRuleIsRemoved() {
    Window w = Window.from(T0);
    assertEquals(Window.OPEN, w.endMillis());
    assertTrue(w.contains(Long.MAX_VALUE - 1));
    assertFalse(w.contains(T0.toEpochMilli() - 1));
  }

  @Test
  void aWindowEndsAfterItStarts() {
    assertThrows(IllegalArgumentException.class, () -> new Window(100, 100));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Window(100, 99));
    assertTrue(e.getMessage().contains("start 100, end 99"), e.getMessage());
    assertEquals(1, new Window(100, 101).endMillis() - new Window(100, 101).startMillis());
  }

  @Test
  void aWindowLastsLongerThanZero() {
    assertThrows(IllegalArgumentException.class, () -> Window.of(T0, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> Window.of(T0, Duration.ofSeconds(-1)));
    assertEquals(
        T0.toEpochMilli() + 1, Window.of(T0, Duration.ofMillis(1)).endMillis(), "one millisecond");
  }
}
