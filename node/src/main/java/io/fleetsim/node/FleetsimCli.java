package io.fleetsim.node;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fleetsim} command line: the one entry point users start everything from. */
@Command(
    name = "fleetsim",
    mixinStandardHelpOptions = true,
    versionProvider = FleetsimCli.Version.class,
    description = {
      "Simulates a connected-vehicle fleet receiving secure over-the-air updates:",
      "real Uptane/TUF metadata and Ed25519 signatures, simulated radio, CAN bus and flash."
    },
    subcommands = {
      CommandLine.HelpCommand.class,
      DemoCommand.class,
      RunCommand.class,
      BenchCommand.class,
      UptaneCommand.class
    })
public final class FleetsimCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    // No subcommand given: show what there is to do rather than doing nothing silently.
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command tree; tests use it to run commands in-process. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new FleetsimCli());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  public static void main(String[] args) {
    // SLF4J announces its provider on stderr; the terminal is for the simulation's output.
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    LibraryChatter.install();
    commonPoolForSmallMachines();
    System.exit(commandLine().execute(args));
  }

  /**
   * With fewer than three cores the common fork-join pool has parallelism 1, and the JDK then runs
   * every asynchronous CompletableFuture stage on a thread of its own; the stages Pekko's ask
   * returns are all asynchronous, so a fleet would start thousands of threads a second. Must run
   * before anything touches the common pool; an explicit -D setting wins.
   */
  static void commonPoolForSmallMachines() {
    String key = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(key) == null) {
      System.setProperty(
          key, String.valueOf(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
  }

  /** Reads the version Maven wrote into the jar at build time. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties props = new Properties();
      try (InputStream in = FleetsimCli.class.getResourceAsStream("/fleetsim-version.properties")) {
        if (in != null) {
          props.load(in);
        }
      }
      return new String[] {
        "fleetsim " + props.getProperty("version", "unknown"),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + ")"
      };
    }
  }
}
