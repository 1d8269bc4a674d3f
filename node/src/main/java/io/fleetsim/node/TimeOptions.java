package io.fleetsim.node;

import java.time.Duration;
import picocli.CommandLine.Option;

/** How simulated time goes in a run: the options {@code demo} and {@code bench fleet} share. */
final class TimeOptions {

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
}
