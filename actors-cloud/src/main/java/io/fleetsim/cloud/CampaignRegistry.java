package io.fleetsim.cloud;

import io.fleetsim.cluster.CborSerializable;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * Knows which campaigns are running, so an emergency stop can halt all of them at once without
 * scanning every campaign. One entity for the whole cluster: it only changes when a campaign starts
 * or ends.
 */
public final class CampaignRegistry
    extends EventSourcedBehavior<
        CampaignRegistry.Command, CampaignRegistry.Event, CampaignRegistry.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "CampaignRegistry");
  public static final String ENTITY_ID = "all";

  public sealed interface Command {}

  public record Running(String campaignId) implements Command, CborSerializable {}

  public record Finished(String campaignId) implements Command, CborSerializable {}

  /** Halts every running campaign; replies with the ids it halted. */
  public record EmergencyStop(String reason, ActorRef<StatusReply<List<String>>> replyTo)
      implements Command, CborSerializable {}

  public record GetRunning(ActorRef<List<String>> replyTo) implements Command, CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record CampaignRunning(String campaignId) implements Event {}

  public record CampaignFinished(String campaignId) implements Event {}

  public record EmergencyStopped(String reason, List<String> campaignIds) implements Event {}

  public record State(Set<String> running) implements CborSerializable {
    public State {
      running = Set.copyOf(running);
    }
  }

  private final Function<String, RecipientRef<Campaign.Command>> campaigns;

  public static Behavior<Command> create(
      Function<String, RecipientRef<Campaign.Command>> campaigns) {
    return new CampaignRegistry(campaigns);
  }

  private CampaignRegistry(Function<String, RecipientRef<Campaign.Command>> campaigns) {
    super(PersistenceId.of(TYPE_KEY.name(), ENTITY_ID));
    this.campaigns = campaigns;
  }

  @Override
  public State emptyState() {
    return new State(Set.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(
            Running.class,
            (s, c) ->
                s.running().contains(c.campaignId())
                    ? Effect().none()
                    : Effect().persist(new CampaignRunning(c.campaignId())))
        .onCommand(
            Finished.class,
            (s, c) ->
                s.running().contains(c.campaignId())
                    ? Effect().persist(new CampaignFinished(c.campaignId()))
                    : Effect().none())
        .onCommand(
            GetRunning.class,
            (s, c) -> Effect().reply(c.replyTo(), List.copyOf(new TreeSet<>(s.running()))))
        .onCommand(
            EmergencyStop.class,
            (s, c) -> {
              if (c.reason() == null || c.reason().isBlank()) {
                return Effect()
                    .reply(c.replyTo(), StatusReply.error("reason: an emergency stop needs one"));
              }
              List<String> ids = List.copyOf(new TreeSet<>(s.running()));
              // Halted campaigns are paused, not finished: they stay registered so an operator
              // can resume them one by one.
              return Effect()
                  .persist(new EmergencyStopped(c.reason(), ids))
                  .thenRun(
                      x ->
                          ids.forEach(
                              id -> campaigns.apply(id).tell(new Campaign.Halt(c.reason()))))
                  .thenReply(c.replyTo(), x -> StatusReply.success(ids));
            })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            CampaignRunning.class,
            (s, e) -> {
              Set<String> r = new TreeSet<>(s.running());
              r.add(e.campaignId());
              return new State(r);
            })
        .onEvent(
            CampaignFinished.class,
            (s, e) -> {
              Set<String> r = new TreeSet<>(s.running());
              r.remove(e.campaignId());
              return new State(r);
            })
        .onEvent(EmergencyStopped.class, (s, e) -> s)
        .build();
  }
}
