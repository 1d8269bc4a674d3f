package io.fleetsim.ecu;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The side effects of an Ecu's FLASHING and REBOOTING phases: the flash timer, the boot child
 * ({@link BootProcess}) and the watchdog over it, and the restart on the old bank after a power
 * loss. It decides nothing; what it observes comes back to the Ecu as commands, and the Ecu's
 * events say what happened.
 */
final class Bootloader {

  private static final String FLASH_TIMER = "flash";
  private static final String WATCHDOG_TIMER = "watchdog";
  private static final String POWER_TIMER = "power";

  private final String ecuId;
  private final ActorContext<Ecu.Command> context;
  private final SimTimers<Ecu.Command> timers;
  private final EcuSettings settings;
  private final SimClock clock;
  private final BootModel bootModel;
  private final FaultedEcu faulted;

  Bootloader(
      String ecuId,
      ActorContext<Ecu.Command> context,
      SimTimers<Ecu.Command> timers,
      EcuSettings settings,
      SimClock clock,
      BootModel bootModel,
      FaultedEcu faulted) {
    this.ecuId = ecuId;
    this.faulted = faulted;
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.clock = clock;
    this.bootModel = bootModel;
  }

  /**
   * The boot model an Ecu runs: {@code given}, or when null a draw from {@code
   * fleetsim.ecu.boot-failure-rate} with the entity's seeded generator.
   */
  static BootModel model(
      BootModel given,
      EcuSettings settings,
      SimClock clock,
      ActorContext<Ecu.Command> context,
      String entityId) {
    if (given != null) {
      return given;
    }
    return BootModel.failureRate(
        settings.bootFailureRate(),
        Seeds.entitySeed(Seeds.scenarioSeed(context.getSystem()), entityId),
        clock::nowMillis);
  }

  /** Simulated time to write {@code length} bytes at the provisioned flash speed. */
  static Duration flashTime(long length, long bytesPerSecond) {
    return BusTimingModel.toDuration(Math.max(length / (double) bytesPerSecond, 0.001));
  }

  /**
   * Starts writing the inactive bank. When a power-loss rule picks the write ({@link
   * FaultedEcu#powerLoss}), power fails once the bytes before the drawn one are written: {@link
   * Ecu.PowerLost} comes after their write time, {@link #partialFlashTime}, instead of {@link
   * Ecu.FlashComplete}.
   */
  void startFlash(EcuState.Download download, long bytesPerSecond, EcuProfile profile) {
    faulted.during(download);
    long lostAt = faulted.powerLoss(profile, download.image());
    if (lostAt >= 0) {
      timers.startSingleTimer(
          FLASH_TIMER,
          new Ecu.PowerLost(download.transferId(), lostAt),
          partialFlashTime(lostAt, bytesPerSecond));
      return;
    }
    Duration flash = flashTime(download.image().length(), bytesPerSecond);
    timers.startSingleTimer(FLASH_TIMER, new Ecu.FlashComplete(download.transferId()), flash);
  }

  /**
   * Simulated time to write the first {@code written} bytes of an image, up to the instant power
   * fails: less than {@link #flashTime} of the whole image, zero for none.
   */
  static Duration partialFlashTime(long written, long bytesPerSecond) {
    return BusTimingModel.toDuration(written / (double) bytesPerSecond);
  }

  /**
   * Power is back: the bootloader finds the bank being written incomplete and starts the active
   * one, which takes the boot time; {@link Ecu.PowerRestored} says it runs again.
   */
  void powerBack(String transferId) {
    timers.startSingleTimer(POWER_TIMER, new Ecu.PowerRestored(transferId), settings.bootTime());
  }

  /**
   * Starts boot {@code attempt} of {@code bank}, watched by the child's death watch and a timer.
   */
  void boot(Bank bank, int attempt, EcuProfile profile) {
    BootModel.Outcome outcome = faulted.boot(profile, bank.sha256(), attempt, bootModel);
    ActorRef<Object> child =
        context.spawn(
            BootProcess.create(outcome, settings.bootTime(), attempt, context.getSelf()),
            BootProcess.childName(attempt));
    context.watch(child);
    timers.startSingleTimer(
        WATCHDOG_TIMER, new Ecu.WatchdogExpired(attempt), settings.watchdogTimeout());
  }

  /** The boot attempt has been decided: stop watching it. */
  void end(int attempt) {
    timers.cancel(WATCHDOG_TIMER);
    context
        .getChild(BootProcess.childName(attempt))
        .ifPresent(
            child -> {
              context.unwatch(child);
              context.stop(child);
            });
  }

  /**
   * What the end of a boot child means for the Ecu: a crash if it failed, a failed boot if it
   * stopped without confirming; nothing for any other actor.
   */
  static Optional<Ecu.Command> onTerminated(Terminated terminated) {
    return attemptOf(terminated.getRef().path().name())
        .map(
            attempt ->
                terminated instanceof ChildFailed failed
                    ? new Ecu.BootCrashed(attempt, "CRASH: " + failed.cause().getMessage())
                    : new Ecu.BootStoppedSilently(attempt));
  }

  /** The boot attempt a child name stands for, if it is a boot child's. */
  static Optional<Integer> attemptOf(String childName) {
    if (!childName.startsWith(BootProcess.CHILD_PREFIX)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(childName.substring(BootProcess.CHILD_PREFIX.length())));
    } catch (NumberFormatException notABootChild) {
      return Optional.empty();
    }
  }
}
