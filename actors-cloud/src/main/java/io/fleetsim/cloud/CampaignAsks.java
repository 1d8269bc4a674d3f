package io.fleetsim.cloud;

import io.fleetsim.cluster.Asks;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a campaign asks of the image repository, the fleet and the Directors. Each answer, or the
 * failure to get one (named for the operator), comes back to the campaign as the command that
 * carries it, so the campaign decides on it in its own command handler. The asks time out in
 * simulated time and continue on the campaign's dispatcher ({@link Asks}).
 */
final class CampaignAsks {

  private final ActorContext<Campaign.Command> ctx;
  private final Asks asks;
  private final CloudRefs refs;
  private final String campaignId;

  CampaignAsks(ActorContext<Campaign.Command> ctx, Asks asks, CloudRefs refs, String campaignId) {
    this.ctx = ctx;
    this.asks = asks;
    this.refs = refs;
    this.campaignId = campaignId;
  }

  /** Fetches the image {@code spec} names; answers with {@link Campaign.FirmwareChecked}. */
  void fetchImage(Campaign.Spec spec, ActorRef<StatusReply<Done>> replyTo) {
    String ecuType = spec.filter().ecuType();
    ctx.pipeToSelf(
        asks.<ImageRepository.Command, FirmwareImage>askWithStatus(
            refs.imageRepository(),
            r -> new ImageRepository.GetImage(ecuType, spec.firmwareVersion(), r)),
        (image, err) ->
            new Campaign.FirmwareChecked(
                spec,
                image,
                err == null
                    ? null
                    : "firmware: no image "
                        + ecuType
                        + " "
                        + spec.firmwareVersion()
                        + " in the image repository ("
                        + Asks.rootCause(err)
                        + ")",
                replyTo));
  }

  /** Selects the vehicles {@code filter} matches; answers with {@link Campaign.TargetsSelected}. */
  void selectTargets(TargetFilter filter, ActorRef<StatusReply<CampaignProgress>> replyTo) {
    ctx.pipeToSelf(
        refs.fleet().targets(filter),
        (targets, err) ->
            new Campaign.TargetsSelected(
                targets, err == null ? null : "fleet: " + err.getMessage(), replyTo));
  }

  /**
   * Assigns the image to {@code vin} under its current attempt's id, unless the attempt is past
   * PENDING; answers with {@link Campaign.AssignmentReplied}.
   */
  void assignIfPending(Campaign.State s, String vin) {
    Campaign.Target t = s.targets().getOrDefault(vin, Campaign.Target.FIRST);
    if (t.stage() != Campaign.Stage.PENDING) {
      return;
    }
    String assignmentId = s.assignmentId(vin);
    RolloutPolicy p = s.spec().policy();
    ctx.pipeToSelf(
        asks.<Director.Command, Done>askWithStatus(
            refs.director(vin),
            replyTo ->
                new Director.Assign(
                    assignmentId,
                    campaignId,
                    s.image(),
                    new Director.Constraints(p.requireParked(), p.requireConsent()),
                    p.timeLimit(),
                    replyTo)),
        (done, err) ->
            new Campaign.AssignmentReplied(
                vin, assignmentId, err == null ? null : Asks.rootCause(err)));
  }

  /**
   * Launches the rollback campaigns of {@code plan}; answers with {@link
   * Campaign.RollbackLaunched}.
   */
  void launchRollback(
      Campaign.State s, CampaignRollback.Plan plan, ActorRef<StatusReply<List<String>>> replyTo) {
    ctx.pipeToSelf(
        CampaignRollback.launch(asks, refs, s, plan),
        (ids, err) ->
            new Campaign.RollbackLaunched(
                ids, err == null ? null : "rollback: " + Asks.rootCause(err), replyTo));
  }
}
