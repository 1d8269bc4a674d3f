package io.fleetsim.scenario;

import java.util.Arrays;
import java.util.Optional;

/** What an assertion measures. Time statistics are simulated seconds; rates are shares (0 to 1). */
public enum Statistic {
  /** Share of the scope's assignments that succeeded. */
  SUCCESS_RATE("successRate", false),
  /** Assignments that ended failed (timed out included). */
  FAILURE_COUNT("failureCount", false),
  /** Assignments that ended rolled back. */
  ROLLBACKS("rollbacks", false),
  /** Median time from assignment to a successful outcome. */
  UPDATE_TIME_P50("updateTimeP50", true),
  UPDATE_TIME_P90("updateTimeP90", true),
  UPDATE_TIME_P99("updateTimeP99", true),
  UPDATE_TIME_MAX("updateTimeMax", true),
  /** Attacks injected that no check caught. */
  UNDETECTED_ATTACKS("undetectedAttacks", false),
  /** Refusals where nothing was injected. */
  FALSE_ALARMS("falseAlarms", false),
  /** From the campaign's start to its end (completed, aborted or paused for good). */
  CAMPAIGN_DURATION("campaignDuration", true);

  private final String key;
  private final boolean time;

  Statistic(String key, boolean time) {
    this.key = key;
    this.time = time;
  }

  /** The name a scenario file writes and {@link Figures} is asked for. */
  public String key() {
    return key;
  }

  /** Whether its values are durations (seconds; a file may write {@code 15m}). */
  public boolean isTime() {
    return time;
  }

  public static Optional<Statistic> of(String key) {
    return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
  }

  public static String known() {
    return String.join(", ", Arrays.stream(values()).map(Statistic::key).toList());
  }
}
