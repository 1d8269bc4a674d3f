package io.fleetsim.node;

import io.fleetsim.cloud.Campaign;
import io.fleetsim.cloud.CampaignProgress;
import io.fleetsim.cloud.CheckHorizon;
import io.fleetsim.cloud.FirmwareImage;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.faults.Faults;
import io.fleetsim.persistence.EventHistory;
import io.fleetsim.uptane.crypto.CryptoOps;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.vehicle.Vehicle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The campaigns of a run, started as their steps say and followed until every one ended: each step
 * without {@code after} at its {@code startAt}, each step with one once the campaign it names
 * completed; a campaign that ended otherwise is rolled back when its step asks for it, and the
 * steps waiting for it never start.
 *
 * <p>The run looks at its campaigns every {@link CampaignRun#OBSERVE_EVERY} of simulated time (and
 * at each step's start instant): the clock runs to the next such instant and stands there, idle,
 * while every running campaign's progress is read. So what the run sees, and when it acts next (a
 * campaign started after another, a rollback), depends only on simulated time, never on how fast
 * the node got there.
 */
final class Rollout {

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  private final CampaignRun run;
  private final CampaignPlan plan;
  private final FleetNode node;
  private final ActorSystem<?> system;
  private final SimClock clock;
  private final CampaignRun.Listener listener;
  private final List<Vehicle.Spec> fleet;
  private final Map<EcuType, FleetGenerator.EcuModel> models;

  /** The instant the run's timeline counts from: its first campaign's start. */
  private Instant origin;

  private final List<Watched> watched = new ArrayList<>();
  private final List<CampaignRun.CampaignFacts> notStarted = new ArrayList<>();

  Rollout(
      CampaignRun run,
      FleetNode node,
      CampaignPlan plan,
      CampaignRun.Listener listener,
      List<Vehicle.Spec> fleet,
      Map<EcuType, FleetGenerator.EcuModel> models) {
    this.run = run;
    this.node = node;
    this.plan = plan;
    this.system = node.system();
    this.clock = SimClock.get(system);
    this.listener = listener;
    this.fleet = fleet;
    this.models = models;
  }

  /** One campaign followed: what it was at its start, and what it was last seen as. */
  private final class Watched {
    final String id;
    final CampaignStep step;
    final FleetGenerator.EcuModel model;
    final RecipientRef<Campaign.Command> ref;
    final long journalBefore = node.journalEvents();
    final long wallStart = System.nanoTime();
    final long wallDeadline = wallStart + plan.timeout().toNanos();
    final Instant simStart = clock.now();
    final Instant horizon = simStart.plus(plan.horizon());
    final long advancesBefore = clock.advances();
    final long signaturesBefore = CryptoOps.signatures();
    final long verificationsBefore = CryptoOps.verifications();
    final long recalledBefore = CryptoOps.recalled();
    final CheckHorizon polls = CheckHorizon.get(system);
    final long madeBefore = polls.pollsMade();
    final long foreseenBefore = polls.pollsForeseen();
    final RunTimeline timeline = new RunTimeline();
    CampaignRun.Tick tick;
    CampaignProgress progress;
    String problem;
    int stoppedAfter;
    boolean ended;
    // measured when it ended
    Duration wall;
    long advances;
    long signatures;
    long verifications;
    long recalled;
    long pollsMade;
    long pollsForeseen;
    long journalEvents = -1;

    Watched(String id, CampaignStep step, FleetGenerator.EcuModel model) {
      this.id = id;
      this.step = step;
      this.model = model;
      this.ref = node.cloud().refs().campaign(id);
    }

    boolean completed() {
      return ended && problem == null && tick != null && tick.status() == Campaign.Status.COMPLETED;
    }

    /** The counters of the campaign, taken when it ended (or once its last records closed). */
    void measure() {
      if (journalEvents >= 0) {
        return;
      }
      signatures = CryptoOps.signatures() - signaturesBefore;
      verifications = CryptoOps.verifications() - verificationsBefore;
      recalled = CryptoOps.recalled() - recalledBefore;
      pollsMade = polls.pollsMade() - madeBefore;
      pollsForeseen = polls.pollsForeseen() - foreseenBefore;
      journalEvents = node.journalEvents() - journalBefore;
    }
  }

  /**
   * Runs {@code steps} to their end; {@code started} runs once the first campaigns started (the run
   * lets the clock go there). Returns every campaign's facts in the order they started, rollback
   * campaigns included, then the steps that never started.
   */
  List<CampaignRun.CampaignFacts> run(
      List<CampaignStep> steps, Instant fleetStart, Runnable started) {
    List<CampaignStep> pending = new ArrayList<>(steps);
    Map<String, Watched> byId = new HashMap<>();
    startDue(pending, byId, fleetStart);
    started.run();
    List<Watched> active = new ArrayList<>(watched);
    follow(active, pending, byId, fleetStart);
    return facts();
  }

  /**
   * Rolls back {@code campaignId} (which completed) and follows its rollback campaigns to their
   * end; returns their facts.
   */
  List<CampaignRun.CampaignFacts> rollBack(String campaignId, FleetGenerator.EcuModel model) {
    listener.phase("rolling back " + campaignId);
    origin = clock.now();
    List<Watched> active = launchRollback(campaignId, model);
    follow(active, new ArrayList<>(), new HashMap<>(), origin);
    return facts();
  }

  private void follow(
      List<Watched> active, List<CampaignStep> pending, Map<String, Watched> byId, Instant base) {
    boolean timedOut = false;
    while (!active.isEmpty() || !pending.isEmpty()) {
      Instant next = clock.now().plus(CampaignRun.OBSERVE_EVERY);
      long deadline = Long.MAX_VALUE;
      for (Watched w : active) {
        next = w.horizon.isBefore(next) ? w.horizon : next;
        deadline = Math.min(deadline, w.wallDeadline);
      }
      for (CampaignStep s : pending) {
        Instant due = base.plus(s.startAt());
        if (ready(s, byId) && due.isAfter(clock.now()) && due.isBefore(next)) {
          next = due;
        }
      }
      if (active.isEmpty() && deadline == Long.MAX_VALUE) {
        deadline = System.nanoTime() + plan.timeout().toNanos();
      }
      if (!run.awaitInstant(next, deadline)) {
        for (Watched w : active) {
          w.problem = "timed out after " + Report.duration(plan.timeout()) + " of wall time";
          end(w);
        }
        active.clear();
        timedOut = true;
        break;
      }
      List<Watched> endedNow = new ArrayList<>();
      for (Watched w : active) {
        if (observe(w)) {
          endedNow.add(w);
        }
      }
      active.removeAll(endedNow);
      for (Watched w : endedNow) {
        end(w);
        if (!w.completed() && w.step != null && w.step.rollbackOnFailure()) {
          if (w.tick.succeeded() == 0) {
            listener.phase("nothing to roll back of " + w.id + ": it updated no vehicle");
          } else {
            listener.phase("rolling back " + w.id);
            active.addAll(launchRollback(w.id, w.model));
          }
        }
      }
      active.addAll(startDue(pending, byId, base));
      if (!active.isEmpty() || !pending.isEmpty()) {
        endedNow.forEach(Watched::measure);
      }
    }
    if (!timedOut) {
      // A vehicle closes its own record of the update a link round trip after the cloud counted
      // it; one more observation period lets every record close before they are read back.
      run.awaitInstant(
          clock.now().plus(CampaignRun.OBSERVE_EVERY),
          System.nanoTime() + plan.timeout().toNanos());
    }
    watched.forEach(Watched::measure);
    listener.finished();
  }

  /** Whether nothing {@code s} waits for is still to come. */
  private static boolean ready(CampaignStep s, Map<String, Watched> byId) {
    return s.after() == null || (byId.containsKey(s.after()) && byId.get(s.after()).completed());
  }

  /**
   * Starts every pending step that may start now, and gives up on those that wait for a campaign
   * that ended without completing (or never started); returns the campaigns started.
   */
  private List<Watched> startDue(
      List<CampaignStep> pending, Map<String, Watched> byId, Instant base) {
    List<Watched> started = new ArrayList<>();
    boolean changed = true;
    while (changed) {
      changed = false;
      for (CampaignStep s : List.copyOf(pending)) {
        Watched before = s.after() == null ? null : byId.get(s.after());
        boolean neverStarts =
            s.after() != null
                && (notStarted.stream().anyMatch(f -> f.campaignId().equals(s.after()))
                    || (before != null && before.ended && !before.completed()));
        if (neverStarts) {
          pending.remove(s);
          String why =
              "not started: it waits for "
                  + s.after()
                  + (before == null
                      ? ", which never started"
                      : ", which ended " + before.tick.status());
          listener.phase("campaign " + s.id() + " " + why);
          notStarted.add(CampaignRun.CampaignFacts.notStarted(s, why));
          changed = true;
        } else if (ready(s, byId) && !clock.now().isBefore(base.plus(s.startAt()))) {
          pending.remove(s);
          Watched w = launch(s);
          byId.put(s.id(), w);
          started.add(w);
          changed = true;
        }
      }
    }
    return started;
  }

  private Watched launch(CampaignStep s) {
    FleetGenerator.EcuModel model = models.get(s.ecuType());
    if (model == null) {
      throw new CampaignRun.RunFailed("no vehicle has an ECU of type " + s.ecuType(), null);
    }
    listener.phase("starting campaign " + s.id());
    Campaign.Spec spec =
        new Campaign.Spec(s.description(), s.filter(), s.version(), s.waves(), s.policy());
    RecipientRef<Campaign.Command> ref = node.cloud().refs().campaign(s.id());
    CampaignRun.await(
        AskPattern.<Campaign.Command, Done>askWithStatus(
            ref, r -> new Campaign.Create(spec, r), ASK_TIMEOUT, system.scheduler()),
        "create campaign " + s.id());
    Watched w = new Watched(s.id(), s, model);
    if (origin == null) {
      origin = w.simStart;
    }
    watched.add(w);
    CampaignRun.await(
        AskPattern.<Campaign.Command, CampaignProgress>askWithStatus(
            ref, r -> new Campaign.Start(r), ASK_TIMEOUT, system.scheduler()),
        "start campaign " + s.id());
    return w;
  }

  private List<Watched> launchRollback(String campaignId, FleetGenerator.EcuModel model) {
    List<String> ids =
        CampaignRun.await(
            AskPattern.<Campaign.Command, List<String>>askWithStatus(
                node.cloud().refs().campaign(campaignId),
                Campaign.Rollback::new,
                ASK_TIMEOUT,
                system.scheduler()),
            "roll back " + campaignId);
    List<Watched> started = new ArrayList<>();
    for (String id : ids) {
      Watched w = new Watched(id, null, model);
      watched.add(w);
      started.add(w);
    }
    return started;
  }

  /** Reads the campaign's progress; true when it ended (or will never end within the horizon). */
  private boolean observe(Watched w) {
    w.progress = progress(w);
    w.tick =
        CampaignRun.Tick.of(
            w.progress,
            Duration.ofNanos(System.nanoTime() - w.wallStart),
            Duration.between(w.simStart, clock.now()));
    listener.progress(w.tick);
    w.timeline.sample(
        Report.seconds(Duration.between(origin, clock.now())),
        w.progress,
        Faults.get(system).rules(),
        clock.now().toEpochMilli());
    if (finished(w.progress)) {
      return true;
    }
    if (w.progress.undoes() == null && firstWavesCounted(w.progress, plan.untilWave())) {
      w.stoppedAfter = plan.untilWave();
      String why = "the run ends after wave " + w.stoppedAfter + " (--until-wave)";
      CampaignRun.await(
          AskPattern.<Campaign.Command, Done>askWithStatus(
              w.ref, r -> new Campaign.Abort(why, r), ASK_TIMEOUT, system.scheduler()),
          "stop campaign " + w.id);
      w.progress = progress(w);
      w.tick = CampaignRun.Tick.of(w.progress, w.tick.wall(), w.tick.simulated());
      listener.progress(w.tick);
      return true;
    }
    if (!clock.now().isBefore(w.horizon)) {
      w.problem =
          "campaign "
              + w.id
              + " did not end within the horizon of "
              + Report.duration(plan.horizon())
              + " of simulated time";
      return true;
    }
    return false;
  }

  private CampaignProgress progress(Watched w) {
    return CampaignRun.await(
        AskPattern.<Campaign.Command, CampaignProgress>ask(
            w.ref, Campaign.GetProgress::new, ASK_TIMEOUT, system.scheduler()),
        "read the progress of campaign " + w.id);
  }

  private void end(Watched w) {
    w.ended = true;
    w.wall = Duration.ofNanos(System.nanoTime() - w.wallStart);
    w.advances = clock.advances() - w.advancesBefore;
    if (w.tick == null) {
      throw new CampaignRun.RunFailed(
          "campaign " + w.id + " never answered a progress query: " + w.problem, null);
    }
    if (w.problem == null && w.tick.status() != Campaign.Status.COMPLETED && w.stoppedAfter == 0) {
      CampaignRun.Tick t = w.tick;
      w.problem =
          "campaign "
              + w.id
              + " is "
              + t.status()
              + (t.reason() == null ? "" : ": " + t.reason())
              + " ("
              + t.settled()
              + " of "
              + t.targeted()
              + " vehicles counted)";
    }
  }

  /**
   * Every campaign followed, with each vehicle read back once for all of them: the update times of
   * its successful updates and whether its ECU runs each campaign's image.
   */
  private List<CampaignRun.CampaignFacts> facts() {
    listener.phase("reading back " + fleet.size() + " vehicles");
    Map<String, Map<String, Duration>> times = new LinkedHashMap<>();
    Map<String, Integer> atVersion = new HashMap<>();
    for (Watched w : watched) {
      times.put(w.id, new TreeMap<>());
      atVersion.put(w.id, 0);
    }
    run.forEachStatus(
        fleet,
        s -> {
          for (Vehicle.UpdateRecord r : s.history()) {
            Map<String, Duration> t = r.campaignId() == null ? null : times.get(r.campaignId());
            if (t != null
                && r.startedAt() != null
                && r.finishedAt() != null
                && r.outcome() == UpdateOutcome.SUCCEEDED) {
              t.put(s.vin(), Duration.between(r.startedAt(), r.finishedAt()));
            }
          }
          for (Watched w : watched) {
            if (atVersion(s, w.model.ecuId(), w.progress.image())) {
              atVersion.merge(w.id, 1, Integer::sum);
            }
          }
        });
    List<CampaignRun.CampaignFacts> out = new ArrayList<>();
    for (Watched w : watched) {
      CampaignProgress p = w.progress;
      CampaignRun.Tick t = w.tick;
      Map<String, Duration> updated = times.get(w.id);
      Instant[] span = simulatedSpan(w.id, w.simStart);
      out.add(
          new CampaignRun.CampaignFacts(
              w.id,
              p.undoes(),
              t.status(),
              w.problem,
              p.image().version(),
              p.image().releaseCounter(),
              t.waves(),
              t.targeted(),
              t.outcomes(),
              atVersion.get(w.id),
              w.wall,
              Duration.between(span[0], span[1]),
              w.advances,
              updated,
              w.journalEvents,
              w.signatures,
              w.verifications,
              w.recalled,
              w.pollsMade,
              w.pollsForeseen,
              w.stoppedAfter,
              w.timeline.end(fleet, p, updated),
              span[0]));
    }
    out.addAll(notStarted);
    watched.clear();
    notStarted.clear();
    return out;
  }

  /** Whether the first {@code n} waves (n > 0) have every vehicle counted. */
  static boolean firstWavesCounted(CampaignProgress p, int n) {
    if (n <= 0 || p.waves().size() < n) {
      return false;
    }
    return p.waves().subList(0, n).stream().allMatch(w -> w.settled() == w.size());
  }

  /**
   * The campaign's own account of when it ran: from its start to the event that ended it
   * (completed, paused, aborted), or to now if none did; exact simulated instants from its journal.
   */
  private Instant[] simulatedSpan(String campaignId, Instant fallbackStart) {
    List<EventEnvelope> events =
        CampaignRun.await(
            EventHistory.events(
                system, PersistenceId.of(Campaign.TYPE_KEY.name(), campaignId).id()),
            "read the history of campaign " + campaignId);
    Instant started = fallbackStart;
    Instant ended = clock.now();
    for (EventEnvelope e : events) {
      Object event = e.event();
      if (event instanceof Campaign.Started st) {
        started = st.at();
      } else if (event instanceof Campaign.Completed c) {
        ended = c.at();
      } else if (event instanceof Campaign.Paused c) {
        ended = c.at();
      } else if (event instanceof Campaign.Aborted c) {
        ended = c.at();
      }
    }
    return new Instant[] {started, ended};
  }

  /**
   * Done when the campaign completed (every target counted) or was rolled back; or, paused or
   * aborted, once every vehicle of the waves it started has its outcome: those assigned before it
   * stopped still update, and a rollback then undoes them too.
   */
  static boolean finished(CampaignProgress p) {
    return switch (p.status()) {
      case COMPLETED, ROLLED_BACK -> true;
      case PAUSED, ABORTED ->
          p.waves().stream()
              .filter(w -> w.wave() <= p.currentWave())
              .allMatch(w -> w.pending() == 0 && w.inProgress() == 0);
      default -> false;
    };
  }

  /** Whether the ECU runs the new image, whichever way the vehicle names it. */
  static boolean atVersion(Vehicle.Status s, String ecuId, FirmwareImage image) {
    String v = s.installedVersions().get(ecuId);
    return image.version().equals(v) || image.targetName().equals(v);
  }
}
