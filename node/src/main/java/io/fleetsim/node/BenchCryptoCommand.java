package io.fleetsim.node;

import io.fleetsim.uptane.bench.CryptoBench;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fleetsim bench crypto}: Ed25519 sign/verify rates, Uptane full verification rate and the
 * ratio of its cost to the signature checks inside it, on one thread.
 */
@Command(
    name = "crypto",
    mixinStandardHelpOptions = true,
    description = {
      "Measure Ed25519 sign/s and verify/s on one core, full primary verification/s",
      "(director + image repository, fresh client each time), and the ratio of its cost",
      "to the signature checks it contains."
    })
public final class BenchCryptoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--seconds",
      defaultValue = "3",
      description = "Measuring time per figure, in seconds (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--max-ratio",
      description = "Exit 1 if the full-verification / signature-check ratio exceeds this.")
  Double maxRatio;

  @Override
  public Integer call() throws Exception {
    if (!(seconds > 0) || seconds > 600) {
      spec.commandLine().getErr().println("--seconds must be between 0 and 600");
      return 2;
    }
    Duration measure = Duration.ofMillis((long) (seconds * 1000));
    Duration warmup = Duration.ofMillis(Math.max(1500, measure.toMillis()));
    CryptoBench.Result r = CryptoBench.run(warmup, measure);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      CryptoBench.print(r, ps);
    }
    spec.commandLine().getOut().print(buf.toString(StandardCharsets.UTF_8));
    spec.commandLine().getOut().flush();
    if (maxRatio != null && r.ratio() > maxRatio) {
      spec.commandLine().getErr().printf("ratio %.3f exceeds %.3f%n", r.ratio(), maxRatio);
      return 1;
    }
    return 0;
  }
}
