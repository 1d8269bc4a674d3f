package io.fleetsim.uptane.client;

import io.fleetsim.uptane.metadata.TargetFile;

/** A target an ECU may install: checked against director and (for a primary) image repo. */
public record VerifiedTarget(
    String ecuSerial, String hardwareId, TargetFile target, long releaseCounter) {}
