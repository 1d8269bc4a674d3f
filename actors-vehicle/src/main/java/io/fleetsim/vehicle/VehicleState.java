package io.fleetsim.vehicle;

import io.fleetsim.cluster.CborSerializable;
import io.fleetsim.ecu.Bank;
import io.fleetsim.uptane.client.TrustedState;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import io.fleetsim.uptane.metadata.ImageName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The parts of {@link Vehicle.State}: the update under way (its plan, how far it got, the ECUs'
 * results), what the ECUs run, the trusted metadata and the vehicle's history. Each part knows how
 * an event changes it; {@link Vehicle}'s event handler only picks the part.
 */
public final class VehicleState {

  /** How many finished updates the state keeps for status queries. */
  static final int HISTORY_LIMIT = 10;

  private VehicleState() {}

  /**
   * The metadata of both repositories this primary trusts, and until when all of it is valid (null
   * until a first full verification).
   */
  public record Trust(TrustedState director, TrustedState images, Instant until)
      implements CborSerializable {}

  /** What one ECU runs, as far as the primary knows. */
  public record Installed(String version, String sha256, long releaseCounter)
      implements CborSerializable {

    /** What the ECUs of {@code spec} run as they left the factory, by ECU id. */
    static Map<String, Installed> atFactory(Vehicle.Spec spec) {
      Map<String, Installed> m = new TreeMap<>();
      for (Vehicle.EcuSpec e : spec.ecus()) {
        Bank b = e.installed();
        m.put(
            e.ecuId(),
            new Installed(ImageName.versionOf(b.version()), b.sha256(), b.releaseCounter()));
      }
      return Map.copyOf(m);
    }
  }

  /** One ECU's part of an update, from the verified director target. */
  public record PlannedInstall(
      String ecuId,
      String ecuSerial,
      String targetName,
      long length,
      String sha256,
      long releaseCounter,
      String assignmentId,
      String campaignId)
      implements CborSerializable {}

  /** What an update is to do, fixed when the check that found it verified its targets. */
  public record UpdatePlan(
      String updateId,
      Instant startedAt,
      boolean requireConsent,
      boolean requireParked,
      List<PlannedInstall> installs,
      byte[] directorTargets)
      implements CborSerializable {
    public UpdatePlan {
      installs = List.copyOf(installs);
    }

    /** The plan of an update that is only the report of refused metadata: nothing to install. */
    static UpdatePlan ofRefusal(String updateId, Instant now) {
      return new UpdatePlan(updateId, now, false, false, List.of(), null);
    }
  }

  /** How one ECU's part ended, and in which phase; {@code attack} is empty unless refused. */
  public record EcuResult(
      UpdateOutcome outcome, Vehicle.Phase phase, String attack, String reason, String version)
      implements CborSerializable {}

  /**
   * Metadata refused by a check; {@code assignmentIds} is empty when the director's own metadata
   * was refused (the report then stands for every open assignment).
   */
  public record Refusal(List<String> assignmentIds, String campaignId, String attack, String reason)
      implements CborSerializable {
    public Refusal {
      assignmentIds = List.copyOf(assignmentIds);
    }

    static Refusal of(UptaneCheck.Refusal r) {
      return new Refusal(r.assignmentIds(), r.campaignId(), r.attack(), r.detail());
    }
  }

  /** An update under way: its plan, its phase and how far it got. */
  public record Update(
      UpdatePlan plan,
      Vehicle.Phase phase,
      boolean consentGiven,
      Set<String> transferred,
      Map<String, EcuResult> results,
      long downloadedBytes,
      Refusal refusal)
      implements CborSerializable {

    public Update {
      transferred = Set.copyOf(transferred);
      results = Map.copyOf(results);
    }

    /** A found update, waiting for consent (or for PARKED) before its download. */
    static Update start(UpdatePlan plan) {
      return new Update(plan, Vehicle.Phase.AWAITING_CONSENT, false, Set.of(), Map.of(), 0, null);
    }

    /** Refused metadata, reported at once. */
    static Update refused(UpdatePlan plan, Refusal refusal) {
      return new Update(plan, Vehicle.Phase.REPORTING, false, Set.of(), Map.of(), 0, refusal);
    }

    Update with(Vehicle.Phase p) {
      return new Update(plan, p, consentGiven, transferred, results, downloadedBytes, refusal);
    }

    Update consented() {
      return new Update(plan, phase, true, transferred, results, downloadedBytes, refusal);
    }

    Update downloaded(long bytes) {
      return new Update(
          plan, Vehicle.Phase.VERIFYING, consentGiven, transferred, results, bytes, refusal);
    }

    Update withTransferred(String ecuId) {
      Set<String> t = new HashSet<>(transferred);
      t.add(ecuId);
      Vehicle.Phase p = allTransferred(t) ? Vehicle.Phase.INSTALLING : phase;
      return new Update(plan, p, consentGiven, t, results, downloadedBytes, refusal);
    }

    /** An ECU's own result, in the phase the update is in. */
    Update reported(String ecuId, UpdateOutcome outcome, String reason, String version) {
      return withResults(Map.of(ecuId, new EcuResult(outcome, phase, "", reason, version)));
    }

    /** Every install without a result ends with {@code outcome}, in {@code in}. */
    Update ended(UpdateOutcome outcome, Vehicle.Phase in, String attack, String reason) {
      Map<String, EcuResult> ended = new TreeMap<>();
      for (PlannedInstall i : plan.installs()) {
        if (!results.containsKey(i.ecuId())) {
          ended.put(i.ecuId(), new EcuResult(outcome, in, attack, reason, null));
        }
      }
      return withResults(ended);
    }

    /**
     * With the last result the update reports; a distribution whose ECUs now all have the image or
     * a result is installing.
     */
    Update withResults(Map<String, EcuResult> add) {
      Map<String, EcuResult> m = new TreeMap<>(results);
      m.putAll(add);
      Update u = new Update(plan, phase, consentGiven, transferred, m, downloadedBytes, refusal);
      if (m.size() == plan.installs().size()) {
        return u.with(Vehicle.Phase.REPORTING);
      }
      return phase == Vehicle.Phase.DISTRIBUTING && u.allTransferred(transferred)
          ? u.with(Vehicle.Phase.INSTALLING)
          : u;
    }

    String updateId() {
      return plan.updateId();
    }

    /** The bus transfer of one ECU's image: the same id across restarts, so the bus resumes it. */
    String transferId(String ecuId) {
      return updateId() + "-" + ecuId;
    }

    private boolean allTransferred(Set<String> t) {
      return plan.installs().stream()
          .allMatch(i -> t.contains(i.ecuId()) || results.containsKey(i.ecuId()));
    }
  }

  /**
   * What the vehicle did so far: updates started (they number the update ids), the last finished
   * ones, attacks detected, and the last refused metadata it reported (see {@link
   * Vehicle.CheckRefused}).
   */
  public record History(
      long updatesStarted,
      List<Vehicle.UpdateRecord> finished,
      int attacksDetected,
      String refusalKey)
      implements CborSerializable {

    public History {
      finished = List.copyOf(finished);
    }

    static History none() {
      return new History(0, List.of(), 0, null);
    }

    History started() {
      return new History(updatesStarted + 1, finished, attacksDetected, refusalKey);
    }

    History attack() {
      return new History(updatesStarted, finished, attacksDetected + 1, refusalKey);
    }

    History refused(String key) {
      return new History(updatesStarted + 1, finished, attacksDetected + 1, key);
    }

    /** The update finished last; there is one once {@link #finished(Vehicle.UpdateRecord)} ran. */
    Vehicle.UpdateRecord last() {
      return finished.get(finished.size() - 1);
    }

    History finished(Vehicle.UpdateRecord r) {
      List<Vehicle.UpdateRecord> h = new ArrayList<>(finished);
      h.add(r);
      return new History(
          updatesStarted,
          h.subList(Math.max(0, h.size() - HISTORY_LIMIT), h.size()),
          attacksDetected,
          refusalKey);
    }
  }
}
