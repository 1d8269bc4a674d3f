package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The parts of the bootloader that are arithmetic and naming. */
class BootloaderTest {

  @Test
  void flashTimeIsLengthOverSpeedWithAFloorOfAMillisecond() {
    assertEquals(Duration.ofSeconds(4), Bootloader.flashTime(1024 * 1024, 256 * 1024));
    assertEquals(Duration.ofMillis(500), Bootloader.flashTime(128 * 1024, 256 * 1024));
    assertEquals(Duration.ofMillis(1), Bootloader.flashTime(0, 256 * 1024));
  }

  @Test
  void onlyBootChildrenNameABootAttempt() {
    assertEquals(Optional.of(3), Bootloader.attemptOf(BootProcess.childName(3)));
    assertEquals(Optional.empty(), Bootloader.attemptOf("watchdog"));
    assertEquals(Optional.empty(), Bootloader.attemptOf("boot-"));
    assertEquals(Optional.empty(), Bootloader.attemptOf("boot-x"));
  }
}
