package io.fleetsim.vehicle;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;

/**
 * The timers of an update, in simulated time. The HMI's consent dialog answers after {@code
 * consent-delay}, unless the driver answers first. Every phase but AWAITING_CONSENT (which waits
 * for the driver as long as it takes) is bounded by {@code phase-timeout}: a phase that makes no
 * progress that long ends the update, and in REPORTING the manifest is signed again. Each step of
 * the update arms it again for the phase it is then in. A download that failed on the way is
 * fetched again after {@code download-retry-after}.
 */
final class UpdateTimers {

  private final SimTimers<Vehicle.Command> timers;
  private final SimClock clock;
  private final VehicleSettings settings;

  UpdateTimers(SimTimers<Vehicle.Command> timers, SimClock clock, VehicleSettings settings) {
    this.timers = timers;
    this.clock = clock;
    this.settings = settings;
  }

  /** The consent dialog is shown; the driver's answer comes after the consent delay. */
  void askConsent() {
    timers.startSingleTimer(
        Vehicle.ConsentTimer.class, new Vehicle.ConsentTimer(), settings.consentDelay());
  }

  /** Arms the timeout of the phase {@code s} is in, or cancels it when no phase is bounded. */
  void arm(Vehicle.State s) {
    if (s.update() == null || s.phase() == Vehicle.Phase.AWAITING_CONSENT) {
      timers.cancel(Vehicle.PhaseTimeout.class);
      return;
    }
    timers.startSingleTimer(
        Vehicle.PhaseTimeout.class,
        new Vehicle.PhaseTimeout(s.phase(), s.update().updateId()),
        settings.phaseTimeout());
  }

  /** The download of {@code updateId} is tried again after the retry delay. */
  void retryDownload(String updateId) {
    timers.startSingleTimer(
        Vehicle.RetryDownload.class,
        new Vehicle.RetryDownload(updateId),
        settings.downloadRetryAfter());
  }
}
