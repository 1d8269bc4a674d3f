package io.fleetsim.ecu;

import io.fleetsim.cluster.time.SimTimers;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The boot of a freshly written bank, run as a child of the Ecu so that a failure is an actor
 * failure: a crash is an exception the parent observes as {@code ChildFailed}, a hang is silence
 * the parent's watchdog catches, a failed self-test is a report followed by a stop.
 */
final class BootProcess {

  /** Thrown to simulate a boot crash; the message reaches the Ecu through death watch. */
  static final class BootCrash extends RuntimeException {
    BootCrash(String message) {
      super(message);
    }
  }

  private enum Tick {
    BOOT_TIME_ELAPSED
  }

  private BootProcess() {}

  static final String CHILD_PREFIX = "boot-";

  static String childName(int attempt) {
    return CHILD_PREFIX + attempt;
  }

  /**
   * The boot; a crash stops it as a failure the Ecu observes, without Pekko logging it as an error
   * with its stack trace: it is a modelled outcome, which the Ecu logs itself.
   */
  static Behavior<Object> create(
      BootModel.Outcome outcome, Duration bootTime, int attempt, ActorRef<Ecu.Command> ecu) {
    return Behaviors.supervise(boot(outcome, bootTime, attempt, ecu))
        .onFailure(BootCrash.class, SupervisorStrategy.stop().withLoggingEnabled(false));
  }

  private static Behavior<Object> boot(
      BootModel.Outcome outcome, Duration bootTime, int attempt, ActorRef<Ecu.Command> ecu) {
    return SimTimers.withTimers(
        timers -> {
          if (outcome != BootModel.Outcome.HANG) {
            timers.startSingleTimer(Tick.BOOT_TIME_ELAPSED, bootTime);
          }
          return Behaviors.receive(Object.class)
              .onMessageEquals(
                  Tick.BOOT_TIME_ELAPSED,
                  () -> {
                    switch (outcome) {
                      case OK -> {
                        // stays alive until the Ecu stops it, so that an unexpected stop is
                        // always a failure
                        ecu.tell(new Ecu.BootConfirmed(attempt));
                        return Behaviors.same();
                      }
                      case SELF_TEST_FAIL -> {
                        ecu.tell(new Ecu.BootSelfTestFailed(attempt, "self-test failed"));
                        return Behaviors.stopped();
                      }
                      case CRASH -> throw new BootCrash("boot crashed (attempt " + attempt + ")");
                      default -> {
                        return Behaviors.same();
                      }
                    }
                  })
              .build();
        });
  }
}
