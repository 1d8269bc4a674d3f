package io.fleetsim.cloud;

import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.util.List;
import java.util.Map;

/**
 * A campaign as an operator sees it: its status, per wave the vehicles pending, in progress and
 * ended with each outcome, and per vehicle that did not succeed its outcome and reason.
 *
 * @param image the image being rolled out (null before the campaign is created)
 * @param reasons per vehicle that did not succeed: its outcome and why
 * @param undoes the campaign this one rolls back, or null
 * @param rolledBackBy the campaigns that roll this one back
 */
public record CampaignProgress(
    String campaignId,
    Campaign.Status status,
    FirmwareImage image,
    int currentWave,
    String reason,
    List<Wave> waves,
    Map<String, String> reasons,
    String undoes,
    List<String> rolledBackBy)
    implements CborSerializable {

  /** Vehicles with each outcome, over all waves. */
  public int count(UpdateOutcome o) {
    return waves.stream().mapToInt(w -> w.count(o)).sum();
  }

  public int targeted() {
    return waves.stream().mapToInt(Wave::size).sum();
  }

  public int inProgress() {
    return waves.stream().mapToInt(Wave::inProgress).sum();
  }

  public int settled() {
    return waves.stream().mapToInt(Wave::settled).sum();
  }

  /** Per-wave counts, as an operator dashboard shows them; {@code ended} counts each outcome. */
  public record Wave(
      int wave, int size, int pending, int inProgress, Map<UpdateOutcome, Integer> ended)
      implements CborSerializable {

    public Wave {
      ended = Map.copyOf(ended);
    }

    public int count(UpdateOutcome o) {
      return ended.getOrDefault(o, 0);
    }

    public int succeeded() {
      return count(UpdateOutcome.SUCCEEDED);
    }

    public int refused() {
      return count(UpdateOutcome.REFUSED);
    }

    /** Vehicles whose assignment the Director accepted (or that have not been assigned yet). */
    public int accepted() {
      return size - refused();
    }

    /**
     * Failed in any way the failure gate counts: every terminal outcome but success and refusal.
     */
    public int failures() {
      return settled() - succeeded() - refused();
    }

    public int settled() {
      return ended.values().stream().mapToInt(Integer::intValue).sum();
    }
  }
}
