package io.fleetsim.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * What {@code demo} and {@code bench fleet} share: checking their options, preparing a fresh data
 * directory, and running one {@link CampaignRun} on a fresh node.
 */
final class RunOptions {

  private RunOptions() {}

  /**
   * Accepts {@code 90s}, {@code 10m}, {@code 1h}, {@code 7d}, {@code 500ms} or ISO-8601 ({@code
   * PT10M}).
   */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      Matcher m = SHORT.matcher(v);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      try {
        return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration such as 90s, 10m, 1h or 7d");
      }
    }
  }

  static void check(
      CommandSpec spec, int vehicles, double pace, Duration timeout, Duration horizon) {
    if (vehicles < 1) {
      throw new ParameterException(
          spec.commandLine(), "--vehicles must be at least 1, was " + vehicles);
    }
    if (vehicles > 1_000_000) {
      throw new ParameterException(
          spec.commandLine(), "--vehicles must be at most 1,000,000 on one node, was " + vehicles);
    }
    if (!(pace >= 0) || Double.isInfinite(pace)) {
      throw new ParameterException(
          spec.commandLine(),
          "--pace must be 0 (as fast as possible) or a positive number, was " + pace);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new ParameterException(spec.commandLine(), "--timeout must be positive");
    }
    if (horizon.isNegative() || horizon.isZero()) {
      throw new ParameterException(spec.commandLine(), "--horizon must be positive");
    }
  }

  /** How a run's pace reads in its first line and its report. */
  static String paceText(double pace) {
    return pace == 0
        ? "virtual time as fast as possible"
        : "virtual time paced at " + Report.number(pace) + " simulated s per wall s";
  }

  /**
   * Empties {@code dir} for a fresh run, but only if it holds nothing except fleetsim's own
   * database files: a mistyped {@code --data-dir} must never delete someone's files.
   *
   * @return whether there was anything to wipe
   */
  static boolean wipe(CommandSpec spec, Path dir) {
    try {
      if (!Files.exists(dir)) {
        Files.createDirectories(dir);
        return false;
      }
      if (!Files.isDirectory(dir)) {
        throw new ParameterException(
            spec.commandLine(), "--data-dir " + dir + " is not a directory");
      }
      List<Path> entries;
      try (Stream<Path> s = Files.list(dir)) {
        entries = s.toList();
      }
      for (Path p : entries) {
        if (!Files.isRegularFile(p) || !p.getFileName().toString().startsWith("fleetsim.")) {
          throw new ParameterException(
              spec.commandLine(),
              "--data-dir "
                  + dir
                  + " holds "
                  + p.getFileName()
                  + ", which is not a fleetsim database file; refusing to wipe it");
        }
      }
      for (Path p : entries) {
        Files.delete(p);
      }
      return !entries.isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir, e);
    }
  }

  /** Deletes a directory tree this program created (temporary benchmark data). */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
