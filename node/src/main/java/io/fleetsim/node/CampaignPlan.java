package io.fleetsim.node;

import io.fleetsim.cloud.RolloutPolicy;
import io.fleetsim.cloud.WavePlan;
import io.fleetsim.ecu.EcuType;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link CampaignRun} runs.
 *
 * @param vehicles fleet size
 * @param ecuType the ECU type the new image is for
 * @param version the new image's version
 * @param imageBytes size of the new (generated) image
 * @param waves how the targets are split
 * @param policy wave gates
 * @param timeout wall-clock limit for each campaign from start to the last vehicle counted
 * @param horizon simulated-time limit for each campaign
 * @param parallelism vehicles provisioned (and queried) at once
 * @param rollback whether to roll the campaign back once it completed (a rollback campaign of its
 *     own, as an operator would)
 * @param bulk whether the fleet is provisioned in bulk, straight into the journal ({@link
 *     io.fleetsim.vehicle.BulkProvisioning}), or vehicle by vehicle through the entities; the fleet
 *     is the same
 * @param untilWave 0 to run the campaign to its end; n to stop it (an operator's abort) once its
 *     first n waves are counted, to measure the start of a rollout over a fleet too large to update
 *     whole
 */
public record CampaignPlan(
    int vehicles,
    EcuType ecuType,
    String version,
    long imageBytes,
    WavePlan waves,
    RolloutPolicy policy,
    Duration timeout,
    Duration horizon,
    int parallelism,
    boolean rollback,
    boolean bulk,
    int untilWave,
    double attackShare) {

  public CampaignPlan {
    if (!(attackShare >= 0 && attackShare * AttackMix.KINDS.size() <= 1)) {
      throw new IllegalArgumentException(
          "the share of the fleet under each attack must be between 0 and 1/"
              + AttackMix.KINDS.size()
              + ", was "
              + attackShare);
    }
    if (untilWave < 0) {
      throw new IllegalArgumentException("untilWave must be at least 0, was " + untilWave);
    }
    if (vehicles < 1) {
      throw new IllegalArgumentException("vehicles must be at least 1, was " + vehicles);
    }
    Objects.requireNonNull(ecuType, "ecuType");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(waves, "waves");
    Objects.requireNonNull(policy, "policy");
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    if (horizon == null || horizon.isNegative() || horizon.isZero()) {
      throw new IllegalArgumentException("horizon must be positive, was " + horizon);
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
    }
  }

  /**
   * ADAS 1.1.0 (320 KiB) to everyone: 1 % canary, then 10 %, 50 % and 100 %; a wave advances at 95
   * % success after a 15-minute soak and the campaign pauses as soon as 5 % failed.
   */
  public static CampaignPlan standard(int vehicles, Duration timeout) {
    return new CampaignPlan(
        vehicles,
        EcuType.ADAS,
        "1.1.0",
        320 * 1024,
        WavePlan.percentages(1, 10, 50, 100),
        RolloutPolicy.of(95, 5, Duration.ofMinutes(15)),
        timeout,
        Duration.ofDays(30),
        256,
        false,
        true,
        0,
        0);
  }

  public CampaignPlan withRollback(boolean on) {
    return new CampaignPlan(
        vehicles,
        ecuType,
        version,
        imageBytes,
        waves,
        policy,
        timeout,
        horizon,
        parallelism,
        on,
        bulk,
        untilWave,
        attackShare);
  }

  public CampaignPlan withHorizon(Duration h) {
    return new CampaignPlan(
        vehicles,
        ecuType,
        version,
        imageBytes,
        waves,
        policy,
        timeout,
        h,
        parallelism,
        rollback,
        bulk,
        untilWave,
        attackShare);
  }

  public CampaignPlan withBulkProvisioning(boolean on) {
    return new CampaignPlan(
        vehicles,
        ecuType,
        version,
        imageBytes,
        waves,
        policy,
        timeout,
        horizon,
        parallelism,
        rollback,
        on,
        untilWave,
        attackShare);
  }

  /** These waves instead of the standard ones, and the campaign stopped after {@code until}. */
  /** Another campaign: {@code version} of {@code type}, {@code bytes} large, in {@code w}. */
  public CampaignPlan withCampaign(
      EcuType type, String newVersion, long bytes, WavePlan w, RolloutPolicy p) {
    return new CampaignPlan(
        vehicles,
        type,
        newVersion,
        bytes,
        w,
        p,
        timeout,
        horizon,
        parallelism,
        rollback,
        bulk,
        untilWave,
        attackShare);
  }

  public CampaignPlan withWaves(WavePlan w, int until) {
    return new CampaignPlan(
        vehicles,
        ecuType,
        version,
        imageBytes,
        w,
        policy,
        timeout,
        horizon,
        parallelism,
        rollback,
        bulk,
        until,
        attackShare);
  }

  /**
   * {@code share} of the fleet under each of the attacks of {@link AttackMix}, the vehicles drawn
   * from the seed. The campaign then goes on whatever the attacked vehicles do (each wave advances
   * after its soak, whatever its outcomes, and nothing stops it), and gives a vehicle 30 hours,
   * longer than a frozen timestamp stays valid, so that every attack meets its check within the
   * run.
   */
  public CampaignPlan withAttacks(double share) {
    return new CampaignPlan(
        vehicles,
        ecuType,
        version,
        imageBytes,
        waves,
        share == 0
            ? policy
            : RolloutPolicy.of(0, 100, policy.soak()).withTimeLimit(Duration.ofHours(30)),
        timeout,
        horizon,
        parallelism,
        rollback,
        bulk,
        untilWave,
        share);
  }
}
