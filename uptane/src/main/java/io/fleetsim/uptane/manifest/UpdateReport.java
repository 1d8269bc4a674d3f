package io.fleetsim.uptane.manifest;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;

/**
 * The primary's own account of how an assignment ended, signed into the vehicle version manifest
 * under {@code update_reports}. ECU reports only say what an ECU installed; what the vehicle itself
 * refused or gave up on (metadata or an image that failed verification, a download or distribution
 * that timed out) never reaches an ECU, so the vehicle says it here, with the phase and the attack.
 *
 * @param assignmentId the assignment from the verified director targets; empty when the vehicle
 *     could not learn it because the director's own metadata was refused, in which case the report
 *     applies to every open assignment of the vehicle
 * @param outcome how it ended as far as the vehicle knows (the Director still checks a claimed
 *     success against the ECUs' signed reports)
 * @param phase the vehicle's update phase when it ended, e.g. {@code DOWNLOADING}
 * @param attack the {@code Attack} name of a refusal, empty otherwise
 * @param reason a human-readable reason, empty for a success
 */
public record UpdateReport(
    String assignmentId, UpdateOutcome outcome, String phase, String attack, String reason) {

  public UpdateReport {
    assignmentId = assignmentId == null ? "" : assignmentId;
    if (outcome == null) {
      throw new IllegalArgumentException("outcome is required");
    }
    phase = phase == null ? "" : phase;
    attack = attack == null ? "" : attack;
    reason = reason == null ? "" : reason;
  }

  /** Whether the report applies to every open assignment (the director metadata was refused). */
  public boolean allAssignments() {
    return assignmentId.isEmpty();
  }

  public Json.Obj toJson() {
    return Json.obj(
        "assignment", Json.str(assignmentId),
        "outcome", Json.str(outcome.name()),
        "phase", Json.str(phase),
        "attack", Json.str(attack),
        "reason", Json.str(reason));
  }

  public static UpdateReport fromJson(Json v, String where) throws VerificationException {
    Json.Obj o = JsonFields.asObj(v, where);
    String id = JsonFields.str(o, "assignment", where);
    return new UpdateReport(
        id,
        UpdateOutcome.parse(JsonFields.str(o, "outcome", where), where + ".outcome"),
        JsonFields.str(o, "phase", where),
        JsonFields.str(o, "attack", where),
        JsonFields.str(o, "reason", where));
  }
}
