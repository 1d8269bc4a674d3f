package io.fleetsim.cloud;

import java.util.ArrayList;
import java.util.List;

/** What makes a campaign spec acceptable, each problem naming its field. */
final class CampaignSpecs {

  private CampaignSpecs() {}

  static List<String> problems(Campaign.Spec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec: must be given");
      return problems;
    }
    if (spec.filter() == null) {
      problems.add("filter: must be given");
    } else {
      problems.addAll(spec.filter().problems());
    }
    if (spec.firmwareVersion() == null || spec.firmwareVersion().isBlank()) {
      problems.add("firmwareVersion: must not be empty");
    }
    if (spec.waves() == null) {
      problems.add("waves: must be given");
    } else {
      problems.addAll(spec.waves().problems());
    }
    if (spec.policy() == null) {
      problems.add("policy: must be given");
    } else {
      problems.addAll(spec.policy().problems());
    }
    return problems;
  }

  /** Why {@code image} cannot serve {@code spec}'s filter, or null when it fits. */
  static String fitProblem(Campaign.Spec spec, FirmwareImage image) {
    TargetFilter f = spec.filter();
    if (!image.ecuType().equals(f.ecuType())) {
      return "firmware: image "
          + image.targetName()
          + " is for ECU type "
          + image.ecuType()
          + ", the filter targets "
          + f.ecuType();
    }
    for (String hw : f.hardwareIds()) {
      if (!image.hardwareIds().contains(hw)) {
        return "filter.hardwareIds: image "
            + image.targetName()
            + " fits "
            + image.hardwareIds()
            + ", not "
            + hw;
      }
    }
    return null;
  }
}
