package io.fleetsim.uptane.bench;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.client.MetadataFetcher;
import io.fleetsim.uptane.client.PrimaryVerifier;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.crypto.VerifiedSignatures;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.repository.DirectorSigner;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.Repository;
import io.fleetsim.uptane.repository.VehicleMetadata;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Measures, on one thread: Ed25519 signing and verification, and Uptane full verification on a
 * primary (director and image repository, a fresh client each time), then relates the full
 * verification's cost to the signature checks it contains. That ratio shows whether parsing and
 * canonical JSON stay small next to the cryptography.
 */
public final class CryptoBench {
  /** Signatures a fresh full verification checks: root, timestamp, snapshot, targets, twice. */
  public static final int SIGNATURES_PER_FULL_VERIFICATION = 8;

  public record Result(
      double signPerSecond,
      double verifyPerSecond,
      double fullVerificationsPerSecond,
      int signaturesPerFullVerification,
      int imageTargets,
      int ecus,
      double ratio,
      int rounds) {
    /**
     * Cost of one full verification over the cost of the signature checks inside it: the median
     * over rounds, each comparing a verify slice and a full-verification slice run back to back so
     * that other load on the machine affects both alike.
     */
    @Override
    public double ratio() {
      return ratio;
    }
  }

  private CryptoBench() {}

  @FunctionalInterface
  private interface Op {
    Object run() throws Exception;
  }

  private static volatile Object sink;

  /**
   * Runs op repeatedly for warmup, then for measure; returns operations per second. Each of the
   * three measurements runs for {@code measure} in total, in interleaved rounds of 100 ms.
   */
  private static double rate(Op op, Duration warmup, Duration measure) throws Exception {
    long end = System.nanoTime() + warmup.toNanos();
    while (System.nanoTime() < end) {
      sink = op.run();
    }
    long start = System.nanoTime();
    end = start + measure.toNanos();
    long n = 0;
    long now;
    do {
      for (int i = 0; i < 16; i++) {
        sink = op.run();
      }
      n += 16;
      now = System.nanoTime();
    } while (now < end);
    return n / ((now - start) / 1e9);
  }

  /**
   * Measures on the calling thread, every signature checked in full (the cache of signatures found
   * valid would otherwise answer all but the first check).
   */
  public static Result run(Duration warmup, Duration measure) throws Exception {
    return VerifiedSignatures.bypassed(() -> measure(warmup, measure));
  }

  private static Result measure(Duration warmup, Duration measure) throws Exception {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");
    Random rng = new Random(2030);
    SigningKey key = SigningKey.generate(rng);
    PublicKey pub = key.publicKey();

    Repository images = Repository.create("images", rng, now, Expiries.defaults());
    int imageTargets = 20;
    int ecus = 4;
    List<TargetFile> assigned = new ArrayList<>();
    Map<String, String> inventory = new LinkedHashMap<>();
    for (int i = 0; i < imageTargets; i++) {
      byte[] image = new byte[64];
      rng.nextBytes(image);
      String hw = "hw-" + (i % ecus);
      TargetFile t =
          TargetFile.of("fw-" + i + ".bin", image, Json.obj("hardware_id", Json.str(hw)));
      images.addTarget(t);
      if (i < ecus) {
        String serial = "ecu-" + i;
        inventory.put(serial, hw);
        assigned.add(t.forEcu(new EcuTargetCustom(serial, hw, i + 1)));
      }
    }
    images.publish(now);
    DirectorSigner director = DirectorSigner.create(rng, now, Expiries.defaults());
    VehicleMetadata vm = director.signFor("VIN-BENCH", 1, assigned, now);
    MetadataFetcher directorFetcher = MetadataFetcher.fromMap(director.files(vm));
    MetadataFetcher imageFetcher = MetadataFetcher.fromMap(images.files());
    byte[] directorRoot = director.root(1);
    byte[] imageRoot = images.root(1);

    // Messages the size of the metadata signed in a full verification.
    byte[] message = images.signedTargets().canonicalSigned();
    byte[] signature = key.sign(message);

    Op signOp = () -> key.sign(message);
    Op verifyOp =
        () -> {
          if (!pub.verify(message, signature)) {
            throw new IllegalStateException("benchmark signature does not verify");
          }
          return Boolean.TRUE;
        };
    Op fullOp =
        () -> {
          List<VerifiedTarget> out =
              new PrimaryVerifier(directorRoot, imageRoot)
                  .verify(directorFetcher, imageFetcher, inventory, now);
          if (out.size() != ecus) {
            throw new VerificationException(
                io.fleetsim.uptane.Attack.MALFORMED, "expected " + ecus + " targets");
          }
          return out;
        };
    // Warm all three up, then interleave short rounds and keep each one's best round, so that
    // other load on the machine hits the compared measurements alike.
    rate(signOp, warmup.dividedBy(3), Duration.ZERO);
    rate(verifyOp, warmup.dividedBy(3), Duration.ZERO);
    rate(fullOp, warmup.dividedBy(3), Duration.ZERO);
    int rounds = (int) Math.max(10, measure.toMillis() / 100);
    Duration slice = measure.dividedBy(rounds);
    double sign = 0;
    double verify = 0;
    double full = 0;
    double[] ratios = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      sign = Math.max(sign, rate(signOp, Duration.ZERO, slice));
      double v = rate(verifyOp, Duration.ZERO, slice);
      double f = rate(fullOp, Duration.ZERO, slice);
      verify = Math.max(verify, v);
      full = Math.max(full, f);
      ratios[i] = (1.0 / f) / (SIGNATURES_PER_FULL_VERIFICATION / v);
    }
    java.util.Arrays.sort(ratios);
    double ratio = ratios[rounds / 2];
    return new Result(
        sign, verify, full, SIGNATURES_PER_FULL_VERIFICATION, imageTargets, ecus, ratio, rounds);
  }

  public static void print(Result r, PrintStream out) {
    Runtime rt = Runtime.getRuntime();
    out.printf(
        Locale.ROOT,
        "fleetsim crypto benchmark (one thread; %d cores available, Java %s, %s)%n",
        rt.availableProcessors(),
        System.getProperty("java.version"),
        System.getProperty("os.arch"));
    out.println("--------------------------------------------------------------------------");
    out.printf(Locale.ROOT, "%-52s %12.0f /s%n", "Ed25519 sign", r.signPerSecond());
    out.printf(Locale.ROOT, "%-52s %12.0f /s%n", "Ed25519 verify", r.verifyPerSecond());
    out.printf(
        Locale.ROOT,
        "%-52s %12.0f /s%n",
        "full primary verification (fresh client, "
            + r.imageTargets()
            + " images, "
            + r.ecus()
            + " ECUs)",
        r.fullVerificationsPerSecond());
    out.printf(
        Locale.ROOT,
        "%-52s %12d%n",
        "signature checks per full verification",
        r.signaturesPerFullVerification());
    out.printf(
        Locale.ROOT,
        "%-52s %12.1f us%n",
        "full verification",
        1e6 / r.fullVerificationsPerSecond());
    out.printf(
        Locale.ROOT,
        "%-52s %12.1f us%n",
        "  of which signature checks",
        1e6 * r.signaturesPerFullVerification() / r.verifyPerSecond());
    out.printf(
        Locale.ROOT, "%-52s %12.3f (limit 1.3)%n", "ratio full / signature checks", r.ratio());
  }

  /** {@code java ... CryptoBench [measureSeconds]} */
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    if (!(seconds > 0)) {
      throw new IllegalArgumentException("seconds must be positive");
    }
    Duration measure = Duration.ofMillis((long) (seconds * 1000));
    Duration warmup = Duration.ofMillis(Math.max(1500, (long) (seconds * 1000)));
    print(run(warmup, measure), System.out);
  }
}
