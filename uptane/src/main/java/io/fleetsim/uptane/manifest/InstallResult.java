package io.fleetsim.uptane.manifest;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.json.Json;
import java.util.Map;
import java.util.Optional;

/**
 * How an ECU's last install ended, tied to the assignment it was for. An ECU carries it in the
 * {@code custom} of its version report's installed image ({@code assignment}, {@code
 * install_result}, {@code install_detail}); Uptane leaves that object to the implementation.
 * Because the assignment id comes from the director targets the ECU verified, a result can only
 * ever close the assignment it belongs to, never a later one.
 *
 * @param assignmentId the assignment the director signed into the targets of that install
 * @param outcome SUCCEEDED when the image runs, otherwise why not
 * @param detail a human-readable reason, empty when there is none
 */
public record InstallResult(String assignmentId, UpdateOutcome outcome, String detail) {

  public InstallResult {
    if (assignmentId == null || assignmentId.isEmpty()) {
      throw new IllegalArgumentException("assignmentId is required");
    }
    if (outcome == null) {
      throw new IllegalArgumentException("outcome is required");
    }
    detail = detail == null ? "" : detail;
  }

  /** Adds the three fields to an installed image's custom object. */
  public void addTo(Map<String, Json> custom) {
    custom.put("assignment", Json.str(assignmentId));
    custom.put("install_result", Json.str(outcome.name()));
    custom.put("install_detail", Json.str(detail));
  }

  /** The result in an installed image's custom object; empty when the ECU never installed. */
  public static Optional<InstallResult> from(Json custom, String where)
      throws VerificationException {
    if (!(custom instanceof Json.Obj o) || !(o.get("assignment") instanceof Json.Str a)) {
      return Optional.empty();
    }
    if (!(o.get("install_result") instanceof Json.Str r)) {
      throw io.fleetsim.uptane.json.JsonFields.malformed(
          where, "assignment without install_result");
    }
    String detail = o.get("install_detail") instanceof Json.Str d ? d.value() : "";
    if (a.value().isEmpty()) {
      throw io.fleetsim.uptane.json.JsonFields.malformed(where, "empty assignment id");
    }
    return Optional.of(
        new InstallResult(
            a.value(), UpdateOutcome.parse(r.value(), where + ".install_result"), detail));
  }
}
