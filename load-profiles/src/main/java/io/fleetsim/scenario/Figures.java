package io.fleetsim.scenario;

import java.util.OptionalDouble;

/**
 * What a run measured, as assertions ask for it: the value of {@code statistic} (a {@link
 * Statistic#key()}) over {@code scope} ({@code run}, {@code campaign:<id>}, {@code
 * wave:<campaignId>:<n>}, {@code region:<name>}). Time statistics are in simulated seconds, rates
 * are shares between 0 and 1. Empty when the run has no such figure (a wave that never started).
 */
@FunctionalInterface
public interface Figures {
  OptionalDouble value(String scope, String statistic);
}
