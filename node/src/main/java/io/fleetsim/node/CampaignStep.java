package io.fleetsim.node;

import io.fleetsim.cloud.RolloutPolicy;
import io.fleetsim.cloud.TargetFilter;
import io.fleetsim.cloud.WavePlan;
import io.fleetsim.ecu.EcuType;
import java.util.Objects;

/**
 * One campaign of a {@link CampaignRun}: what it rolls out, to whom, in which waves, and when it
 * starts. A run starts every step without {@code after} at once, and a step with {@code after} when
 * the campaign it names completed; a step whose predecessor ended otherwise (aborted, paused, timed
 * out) never starts, and the run says so.
 *
 * @param id the campaign's id (the scope {@code campaign:<id>} of a scenario's assertions)
 * @param description what an operator would call it
 * @param ecuType the ECU type the new image is for
 * @param version the new image's version
 * @param imageBytes size of the new (generated) image
 * @param filter which vehicles it targets (its ECU type is {@code ecuType}'s)
 * @param waves how the targets are split
 * @param policy wave gates
 * @param after the step that must complete first, or null
 * @param rollbackOnFailure whether, when the campaign ends other than completed, the run rolls back
 *     the vehicles it updated, with the Director's rollback campaign, as an operator would
 * @param startAt when it may start, as an offset from the instant the provisioned fleet began to
 *     run (zero: at once); a step with {@code after} starts at the later of the two
 */
public record CampaignStep(
    String id,
    String description,
    EcuType ecuType,
    String version,
    long imageBytes,
    TargetFilter filter,
    WavePlan waves,
    RolloutPolicy policy,
    String after,
    boolean rollbackOnFailure,
    java.time.Duration startAt) {

  public CampaignStep {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ecuType, "ecuType");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(waves, "waves");
    Objects.requireNonNull(policy, "policy");
    startAt = startAt == null || startAt.isNegative() ? java.time.Duration.ZERO : startAt;
    if (!ecuType.name().equals(filter.ecuType())) {
      throw new IllegalArgumentException(
          "campaign " + id + ": its filter is for " + filter.ecuType() + ", not " + ecuType);
    }
  }

  /** The one campaign of {@code plan}: its image to every vehicle with an ECU of its type. */
  static CampaignStep of(CampaignPlan plan) {
    return new CampaignStep(
        (plan.ecuType().name() + "-" + plan.version()).toLowerCase(java.util.Locale.ROOT),
        plan.ecuType() + " " + plan.version() + " to the whole fleet",
        plan.ecuType(),
        plan.version(),
        plan.imageBytes(),
        TargetFilter.ecuType(plan.ecuType().name()),
        plan.waves(),
        plan.policy(),
        null,
        false,
        java.time.Duration.ZERO);
  }
}
