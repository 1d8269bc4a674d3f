package io.fleetsim.cloud;

import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

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

  static Plan plan(Campaign.State s) {
    Map<String, List<String>> byVersion = new TreeMap<>();
    new TreeMap<>(s.targets())
        .forEach(
            (vin, t) -> {
              String previous = s.previousVersions().get(vin);
              if (t.settled() && t.outcome() == UpdateOutcome.SUCCEEDED && previous != null) {
                byVersion.computeIfAbsent(previous, v -> new ArrayList<>()).add(vin);
              }
            });
    return new Plan(byVersion);
  }

  /** The id of the rollback campaign for the k-th previous version (from 1). */
  static String campaignId(String undone, int k) {
    return undone + "-rollback-" + k;
  }

  /**
   * Republishes each previous version, creates and starts one rollback campaign per version, and
   * completes with their ids. Every step is idempotent, so asking again after a failure is safe.
   */
  static CompletionStage<List<String>> launch(
      ActorSystem<?> system, CloudRefs refs, Campaign.State s, Plan plan, Duration timeout) {
    Campaign.Spec original = s.spec();
    String ecuType = original.filter().ecuType();
    CompletionStage<List<String>> all = CompletableFuture.completedFuture(new ArrayList<>());
    int k = 0;
    for (Map.Entry<String, List<String>> group : plan.groups().entrySet()) {
      String id = campaignId(s.campaignId(), ++k);
      all =
          all.thenCompose(
              ids ->
                  AskPattern.<ImageRepository.Command, FirmwareImage>askWithStatus(
                          refs.imageRepository(),
                          r -> new ImageRepository.Republish(ecuType, group.getKey(), r),
                          timeout,
                          system.scheduler())
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
                            return AskPattern.<Campaign.Command, Done>askWithStatus(
                                    refs.campaign(id),
                                    r -> new Campaign.Create(spec, r),
                                    timeout,
                                    system.scheduler())
                                .exceptionally(alreadyThere -> Done.getInstance());
                          })
                      .thenCompose(
                          done ->
                              AskPattern.<Campaign.Command, CampaignProgress>ask(
                                  refs.campaign(id),
                                  Campaign.GetProgress::new,
                                  timeout,
                                  system.scheduler()))
                      .thenCompose(
                          progress ->
                              progress.status() != Campaign.Status.DRAFT
                                  ? CompletableFuture.completedFuture(progress)
                                  : AskPattern.<Campaign.Command, CampaignProgress>askWithStatus(
                                      refs.campaign(id),
                                      Campaign.Start::new,
                                      timeout,
                                      system.scheduler()))
                      .thenApply(
                          started -> {
                            ids.add(id);
                            return ids;
                          }));
    }
    return all.thenApply(List::copyOf);
  }
}
