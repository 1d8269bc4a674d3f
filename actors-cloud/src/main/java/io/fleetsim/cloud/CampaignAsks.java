package io.fleetsim.cloud;

import io.fleetsim.cluster.Asks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a campaign asks of the image repository, the fleet and its target groups. Each answer, or
 * the failure to get one (named for the operator), comes back to the campaign as the command that
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

  private RecipientRef<CampaignTargets.Command> group(int n) {
    return refs.targets(CampaignTargets.groupId(campaignId, n));
  }

  /**
   * Initialises every target group (idempotent, all at once); answers with {@link
   * Campaign.GroupsCreated} carrying per wave the size of each group.
   */
  void createGroups(
      Campaign.State s,
      List<List<List<CampaignTargets.Member>>> waves,
      ActorRef<StatusReply<CampaignProgress>> replyTo) {
    List<CompletableFuture<Done>> inits = new ArrayList<>();
    List<List<Integer>> sizes = new ArrayList<>();
    int n = 0;
    for (int w = 0; w < waves.size(); w++) {
      List<Integer> waveSizes = new ArrayList<>();
      for (List<CampaignTargets.Member> members : waves.get(w)) {
        int group = n++;
        int wave = w;
        waveSizes.add(members.size());
        inits.add(
            asks.<CampaignTargets.Command, Done>askWithStatus(
                group(group),
                r ->
                    new CampaignTargets.Init(
                        campaignId,
                        group,
                        wave,
                        List.copyOf(members),
                        s.image(),
                        s.spec().policy(),
                        r)));
      }
      sizes.add(List.copyOf(waveSizes));
    }
    ctx.pipeToSelf(
        Asks.allOf(inits),
        (done, err) ->
            new Campaign.GroupsCreated(
                List.copyOf(sizes),
                err == null ? null : "targets: " + Asks.rootCause(err),
                replyTo));
  }

  /** Tells each of {@code groups} to assign its vehicles; they report to {@code reportTo}. */
  void launch(List<Integer> groups, ActorRef<CampaignTargets.Report> reportTo) {
    groups.forEach(g -> group(g).tell(new CampaignTargets.Launch(reportTo)));
  }

  /**
   * Hands each group its facts of a batch; answers with {@link Campaign.BatchApplied} holding every
   * report and the outcomes to acknowledge: the unrouted ones and those of the groups that
   * answered.
   */
  void applyBatch(
      Map<Integer, List<Campaign.Command>> byGroup,
      List<CampaignTargets.Report> direct,
      List<Campaign.RecordOutcome> unrouted,
      int soakEnded) {
    List<CompletableFuture<List<Object>>> answers = new ArrayList<>();
    byGroup.forEach(
        (g, facts) ->
            answers.add(
                asks.<CampaignTargets.Command, CampaignTargets.Report>ask(
                        group(g), r -> new CampaignTargets.Apply(List.copyOf(facts), r))
                    .<List<Object>>thenApply(
                        report -> {
                          List<Object> out = new ArrayList<>();
                          out.add(report);
                          facts.stream()
                              .filter(Campaign.RecordOutcome.class::isInstance)
                              .forEach(out::add);
                          return out;
                        })
                    .exceptionally(err -> List.of())));
    ctx.pipeToSelf(
        Asks.allOf(answers),
        (all, err) -> {
          List<CampaignTargets.Report> reports = new ArrayList<>(direct);
          List<Campaign.RecordOutcome> outcomes = new ArrayList<>(unrouted);
          if (all != null) {
            for (List<Object> answer : all) {
              for (Object o : answer) {
                if (o instanceof CampaignTargets.Report r) {
                  reports.add(r);
                } else {
                  outcomes.add((Campaign.RecordOutcome) o);
                }
              }
            }
          }
          return new Campaign.BatchApplied(reports, outcomes, soakEnded);
        });
  }

  /** Asks each of {@code groups} to retry its failed vehicles; answers with RetriesReplied. */
  void retryFailed(List<Integer> groups, ActorRef<StatusReply<Integer>> replyTo) {
    ctx.pipeToSelf(
        Asks.allOf(
            groups.stream()
                .map(
                    g ->
                        asks.<CampaignTargets.Command, CampaignTargets.Retried>ask(
                            group(g), CampaignTargets.RetryFailed::new))
                .toList()),
        (retried, err) ->
            new Campaign.RetriesReplied(
                retried, err == null ? null : Asks.rootCause(err), replyTo));
  }

  /** Gathers the reasons of every vehicle that did not succeed; answers with ProgressGathered. */
  void gatherReasons(int groups, ActorRef<CampaignProgress> replyTo) {
    List<CompletableFuture<Map<String, String>>> all = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      all.add(
          asks.<CampaignTargets.Command, Map<String, String>>ask(
                  group(g), CampaignTargets.GetReasons::new)
              .exceptionally(err -> Map.of()));
    }
    ctx.pipeToSelf(
        Asks.allOf(all),
        (maps, err) -> {
          Map<String, String> reasons = new TreeMap<>();
          if (maps != null) {
            maps.forEach(reasons::putAll);
          }
          return new Campaign.ProgressGathered(reasons, replyTo);
        });
  }

  /**
   * Gathers the vehicles the campaign updated, by previous version, in VIN order; answers with
   * {@link Campaign.RollbackPlanned}.
   */
  void planRollback(int groups, ActorRef<StatusReply<List<String>>> replyTo) {
    List<CompletableFuture<Map<String, List<String>>>> all = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      all.add(
          asks.<CampaignTargets.Command, Map<String, List<String>>>ask(
              group(g), CampaignTargets.ListUpdated::new));
    }
    ctx.pipeToSelf(
        Asks.allOf(all),
        (maps, err) ->
            new Campaign.RollbackPlanned(
                err == null ? CampaignRollback.merge(maps) : Map.of(),
                err == null ? null : "rollback: " + Asks.rootCause(err),
                replyTo));
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
