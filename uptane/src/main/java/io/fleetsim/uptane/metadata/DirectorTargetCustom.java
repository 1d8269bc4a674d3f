package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole {@code custom} of a director target as fleetsim's Director signs it: the ECU part every
 * Uptane ECU checks ({@link EcuTargetCustom}) plus what the vehicle needs to carry out and report
 * the assignment: its id (echoed back by the vehicle and the ECUs in their reports), the campaign
 * that made it, and whether the install needs the vehicle parked or the driver's consent. One type
 * on both sides, so no field name is written twice.
 */
public record DirectorTargetCustom(
    EcuTargetCustom ecu,
    String assignmentId,
    String campaignId,
    boolean requireParked,
    boolean requireConsent) {

  public DirectorTargetCustom {
    if (ecu == null) {
      throw new IllegalArgumentException("ecu is required");
    }
    if (assignmentId == null || assignmentId.isEmpty()) {
      throw new IllegalArgumentException("assignmentId is required");
    }
    if (campaignId == null || campaignId.isEmpty()) {
      throw new IllegalArgumentException("campaignId is required");
    }
  }

  public Json.Obj toJson() {
    Map<String, Json> fields = new LinkedHashMap<>(ecu.toJson().fields());
    fields.put("assignment", Json.str(assignmentId));
    fields.put("campaign", Json.str(campaignId));
    fields.put("require_parked", Json.bool(requireParked));
    fields.put("require_consent", Json.bool(requireConsent));
    return new Json.Obj(fields);
  }

  public static DirectorTargetCustom fromJson(Json custom, String where)
      throws VerificationException {
    EcuTargetCustom ecu = EcuTargetCustom.fromJson(custom, where);
    Json.Obj o = JsonFields.asObj(custom, where);
    String assignment = JsonFields.str(o, "assignment", where);
    String campaign = JsonFields.str(o, "campaign", where);
    if (assignment.isEmpty() || campaign.isEmpty()) {
      throw JsonFields.malformed(where, "assignment and campaign must not be empty");
    }
    return new DirectorTargetCustom(
        ecu,
        assignment,
        campaign,
        JsonFields.bool(o, "require_parked", where),
        JsonFields.bool(o, "require_consent", where));
  }

  /** The director custom of {@code target}, MALFORMED if it lacks one. */
  public static DirectorTargetCustom of(TargetFile target) throws VerificationException {
    return fromJson(target.custom(), "target " + target.name() + ".custom");
  }
}
