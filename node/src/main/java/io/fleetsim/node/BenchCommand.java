package io.fleetsim.node;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fleetsim bench}: groups the measurements; it does nothing on its own. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measures how fast this machine runs fleetsim.",
    subcommands = {BenchFleetCommand.class, BenchCryptoCommand.class})
final class BenchCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "bench needs a subcommand, e.g. `fleetsim bench fleet`");
  }
}
