package io.fleetsim.cloud;

import io.fleetsim.cluster.Asks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * A rollback as Uptane deployments do it: an ECU never accepts a lower release counter, so the
 * previous image is published again under a new, higher release counter ({@link
 * ImageRepository.Republish}) and rolled out as a campaign of its own, linked to the one it undoes,
 * to exactly the vehicles that campaign updated. One rollback campaign per previous version.
 */
final class CampaignRollback {

  private CampaignRollback() {}

  /** The vehicles a campaign updated, by the version each ran before. */
  record Plan(Map<String, List<String>> groups) {}

  /** The groups' lists of updated vehicles as one plan: by previous version, in VIN order. */
  static Map<String, List<String>> merge(List<Map<String, List<String>>> perGroup) {
    Map<String, List<String>> byVersion = new TreeMap<>();
    perGroup.forEach(
        m ->
            m.forEach(
                (v, vins) -> byVersion.computeIfAbsent(v, k -> new ArrayList<>()).addAll(vins)));
    byVersion.values().forEach(vins -> vins.sort(null));
    return byVersion;
  }

  /** The id of the rollback campaign for the k-th previous version (from 1). */
  static String campaignId(String undone, int k) {
    return undone + "-rollback-" + k;
  }

  /**
   * Republishes each previous version, creates and starts one rollback campaign per version, and
   * completes with their ids. Every step is idempotent, so asking again after a failure is safe.
   *
   * <p>The asks time out in simulated time and every step continues on the executor of {@code
   * asks}, the campaign's dispatcher: the chain is simulation work the clock counts, so it cannot
   * move on while a rollback is half launched (Pekko's own ask would continue on the common pool,
   * which the clock does not see).
   */
  static CompletionStage<List<String>> launch(
      Asks asks, CloudRefs refs, Campaign.State s, Plan plan) {
    Campaign.Spec original = s.spec();
    String ecuType = original.filter().ecuType();
    CompletionStage<List<String>> all = CompletableFuture.completedFuture(new ArrayList<>());
    int k = 0;
    for (Map.Entry<String, List<String>> group : plan.groups().entrySet()) {
      String id = campaignId(s.campaignId(), ++k);
      all =
          all.thenCompose(
              ids ->
                  asks.<ImageRepository.Command, FirmwareImage>askWithStatus(
                          refs.imageRepository(),
                          r -> new ImageRepository.Republish(ecuType, group.getKey(), r))
                      .thenCompose(
                          image -> {
                            Campaign.Spec spec =
                                new Campaign.Spec(
                                    "roll back "
                                        + s.campaignId()
                                        + ": "
                                        + ecuType
                                        + " "
                                        + image.version()
                                        + " (the image of "
                                        + group.getKey()
                                        + " under release counter "
                                        + image.releaseCounter()
                                        + ")",
                                    TargetFilter.ecuType(ecuType).withVins(group.getValue()),
                                    image.version(),
                                    WavePlan.percentages(100),
                                    original.policy(),
                                    s.campaignId());
                            return asks.<Campaign.Command, Done>askWithStatus(
                                    refs.campaign(id), r -> new Campaign.Create(spec, r))
                                .exceptionally(alreadyThere -> Done.getInstance());
                          })
                      .thenCompose(
                          done ->
                              asks.<Campaign.Command, CampaignProgress>ask(
                                  refs.campaign(id), Campaign.GetProgress::new))
                      .thenCompose(
                          progress ->
                              progress.status() != Campaign.Status.DRAFT
                                  ? CompletableFuture.completedFuture(progress)
                                  : asks.<Campaign.Command, CampaignProgress>askWithStatus(
                                      refs.campaign(id), Campaign.Start::new))
                      .thenApply(
                          started -> {
                            ids.add(id);
                            return ids;
                          }));
    }
    return all.thenApply(List::copyOf);
  }
}
