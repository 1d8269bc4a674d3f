package io.fleetsim.node;

import java.time.Duration;
import picocli.CommandLine.Option;

/** How simulated time goes in a run: the options {@code demo} and {@code bench fleet} share. */
final class FleetOptions {

  @Option(
      names = "--pace",
      defaultValue = "0",
      description =
          "At most this many simulated seconds per wall second, to watch a run; 0 (the default)"
              + " runs as fast as the machine goes. The results are the same at any pace."
              + " (Replaces --time-scale: simulated time no longer follows the wall clock.)")
  double pace;

  @Option(
      names = "--horizon",
      defaultValue = "30d",
      converter = RunOptions.DurationConverter.class,
      description =
          "Simulated-time limit for each campaign, e.g. 12h, 7d (default: ${DEFAULT-VALUE}).")
  Duration horizon;

  /** Whether idle entities passivate; the results are the same either way. */
  enum Passivation {
    auto,
    on,
    off
  }

  /** Fleets above this size passivate idle entities under {@code --passivation auto}. */
  static final int PASSIVATE_ABOVE = 10_000;

  @Option(
      names = "--passivation",
      defaultValue = "auto",
      description =
          "Whether idle vehicles, ECUs, buses and director records leave memory between updates:"
              + " on, off, or auto (on above "
              + PASSIVATE_ABOVE
              + " vehicles; the default). The results are the same either way; passivation keeps"
              + " a large fleet small in memory and costs a small one speed.")
  Passivation passivation;

  @Option(
      names = "--foreseen-polls",
      defaultValue = "skip",
      description =
          "What to do with a poll whose check is known to find nothing new: skip (count it, do not"
              + " wake the vehicle; the default) or make it. The results are the same either way.")
  ForeseenPolls foreseenPolls;

  enum ForeseenPolls {
    skip,
    make
  }

  /** The node options of a run of {@code vehicles} with these time options. */
  FleetNode.Options apply(FleetNode.Options o, int vehicles) {
    return o.withPassivation(passivate(vehicles))
        .withForeseenPollsSkipped(foreseenPolls == ForeseenPolls.skip);
  }

  /** How the fleet is provisioned; the fleet, and so every simulated figure, is the same. */
  enum Provisioning {
    auto,
    bulk,
    entities
  }

  @Option(
      names = "--provisioning",
      defaultValue = "auto",
      description =
          "How the fleet is provisioned: bulk (its events written straight into the journal, the"
              + " entities started when first needed), entities (vehicle by vehicle, each entity"
              + " in memory from the start), or auto (bulk above "
              + PASSIVATE_ABOVE
              + " vehicles; the default). The fleet and the results are the same; entities make"
              + " a small fleet's campaign faster, bulk a large fleet's provisioning.")
  Provisioning provisioning;

  /** What {@code --provisioning} means for a fleet of {@code vehicles}. */
  boolean bulk(int vehicles) {
    return switch (provisioning) {
      case bulk -> true;
      case entities -> false;
      case auto -> vehicles > PASSIVATE_ABOVE;
    };
  }

  /** What {@code --passivation} means for a fleet of {@code vehicles}. */
  boolean passivate(int vehicles) {
    return switch (passivation) {
      case on -> true;
      case off -> false;
      case auto -> vehicles > PASSIVATE_ABOVE;
    };
  }
}
