package io.fleetsim.faults;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.metadata.MetaFile;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.SnapshotMetadata;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The interception point in the repositories' signing: an attacker holding keys it stole from the
 * Director signs what the Director serves one vehicle. It signs real Uptane metadata with the real
 * keys, so only the vehicle's checks (threshold, key rotation) stand between it and the vehicle.
 *
 * <ul>
 *   <li>{@link FaultKind#COMPROMISED_KEY}: the vehicle's targets, snapshot and timestamp, at the
 *       Director's own versions, with every target's hash replaced by one of the attacker's image,
 *       the targets signed by {@code keys} of the targets keys, the others by the online keys. It
 *       acts on metadata the Director signed while the rule acted (the vehicle has not seen that
 *       version yet) and naming at least one target (there is something to install).
 *   <li>{@link FaultKind#FAST_FORWARD}: the timestamp at its version plus {@code jump} (default
 *       1,000,000), signed by the timestamp key of the Director's root version {@code root}
 *       (default 1), while the root in force still trusts that key.
 *   <li>{@link FaultKind#REVOKED_KEY}: the timestamp signed by that key once a rotation revoked it.
 * </ul>
 *
 * <p>Forged files are kept per rule and vehicle for the genuine timestamp they replace, so the
 * three fetches of one check see one consistent forgery, and every check of the vehicle the same
 * one, signed once.
 */
public final class RepositorySigning {

  /** The Director's keys, as an attacker inside its signing could take them. */
  public interface Keys {
    /** The version of the Director's root in force at simulated instant {@code epochMillis}. */
    int rootVersionAt(long epochMillis);

    /** {@code role}'s private keys in root version {@code rootVersion}. */
    List<SigningKey> keys(Role role, int rootVersion);

    /** How many of {@code role}'s keys must sign. */
    int threshold(Role role);
  }

  /** What the Director serves a vehicle: its three role files and when they were signed. */
  public record Served(byte[] targets, byte[] snapshot, byte[] timestamp, long signedAtMillis) {
    byte[] file(String name) {
      return switch (name) {
        case "timestamp.json" -> timestamp;
        case "snapshot.json" -> snapshot;
        default -> targets;
      };
    }
  }

  private record Forgery(byte[] genuineTimestamp, Served files) {}

  private final Map<String, Forgery> forged = new ConcurrentHashMap<>();

  /**
   * The role file {@code fileName} of {@code genuine} as {@code vin} receives it at {@code
   * nowMillis} under the rules {@code acting} at the repository's signing.
   */
  public LinkTampering.Outcome serve(
      List<FaultRule> acting,
      String vin,
      Served genuine,
      String fileName,
      long nowMillis,
      Keys keys) {
    byte[] bytes = genuine.file(fileName);
    List<FaultRule> applied = new ArrayList<>(1);
    for (FaultRule rule : acting) {
      byte[] out = apply(rule, vin, genuine, fileName, bytes, nowMillis, keys);
      if (out != bytes) {
        applied.add(rule);
        bytes = out;
      }
    }
    return new LinkTampering.Outcome(bytes, applied);
  }

  private byte[] apply(
      FaultRule rule,
      String vin,
      Served genuine,
      String fileName,
      byte[] bytes,
      long nowMillis,
      Keys keys) {
    boolean timestamp = fileName.equals("timestamp.json");
    // The timestamp key of root version `root` (default 1), which the attacker stole.
    int latest = keys.rootVersionAt(Long.MAX_VALUE);
    int root = (int) Math.max(1, Math.min(latest, rule.param("root", 1)));
    List<SigningKey> stolen = keys.keys(Role.TIMESTAMP, root);
    boolean stillTrusted =
        sameKeys(stolen, keys.keys(Role.TIMESTAMP, keys.rootVersionAt(nowMillis)));
    return switch (rule.kind()) {
      case COMPROMISED_KEY -> {
        if (genuine.signedAtMillis() < rule.window().startMillis()) {
          yield bytes;
        }
        Served f = compromised(rule, vin, genuine, keys, nowMillis);
        yield f == null ? bytes : f.file(fileName);
      }
      case FAST_FORWARD ->
          timestamp && stillTrusted
              ? once(
                  rule,
                  vin,
                  genuine,
                  () ->
                      fastForwarded(
                          genuine.timestamp(), (int) rule.param("jump", 1_000_000), stolen))
              : bytes;
      case REVOKED_KEY ->
          timestamp && !stillTrusted
              ? once(rule, vin, genuine, () -> LinkTampering.signedBy(bytes, stolen))
              : bytes;
      default -> bytes;
    };
  }

  /**
   * The timestamp {@code sign} forges for the genuine one, signed once per genuine timestamp: a
   * vehicle under the rule fetches it at every check.
   */
  private byte[] once(
      FaultRule rule, String vin, Served genuine, java.util.function.Supplier<byte[]> sign) {
    String key = rule.id() + '|' + vin;
    Forgery f = forged.get(key);
    if (f != null && java.util.Arrays.equals(f.genuineTimestamp(), genuine.timestamp())) {
      return f.files().timestamp();
    }
    byte[] ts = sign.get();
    forged.put(
        key,
        new Forgery(
            genuine.timestamp(),
            new Served(genuine.targets(), genuine.snapshot(), ts, genuine.signedAtMillis())));
    return ts;
  }

  /**
   * The forged files for the genuine ones, made once per genuine timestamp; null: nothing to do.
   */
  private Served compromised(
      FaultRule rule, String vin, Served genuine, Keys keys, long nowMillis) {
    String key = rule.id() + '|' + vin;
    Forgery f = forged.get(key);
    if (f != null && java.util.Arrays.equals(f.genuineTimestamp(), genuine.timestamp())) {
      return f.files();
    }
    Served made = forge(rule, genuine, keys, keys.rootVersionAt(nowMillis));
    forged.put(key, new Forgery(genuine.timestamp(), made));
    return made;
  }

  private static Served forge(FaultRule rule, Served genuine, Keys keys, int root) {
    try {
      Signed<TargetsMetadata> t = TargetsMetadata.parse(genuine.targets());
      if (t.signed().targets().isEmpty()) {
        return null;
      }
      Map<String, TargetFile> evil = new LinkedHashMap<>();
      for (TargetFile file : t.signed().targets().values()) {
        String sha =
            Hashing.sha256Hex(
                ("attacker image for " + file.name()).getBytes(StandardCharsets.UTF_8));
        evil.put(
            file.name(),
            new TargetFile(file.name(), file.length(), Map.of("sha256", sha), file.custom()));
      }
      List<SigningKey> targetsKeys = keys.keys(Role.TARGETS, root);
      int threshold = keys.threshold(Role.TARGETS);
      int held = (int) rule.param("keys", Math.max(1, threshold - 1));
      held = Math.max(1, Math.min(targetsKeys.size(), held));
      byte[] tb =
          Signed.sign(
                  new TargetsMetadata(t.signed().version(), t.signed().expires(), evil),
                  targetsKeys.subList(0, held))
              .toBytes();
      Signed<SnapshotMetadata> s = SnapshotMetadata.parse(genuine.snapshot());
      Map<String, MetaFile> meta = new LinkedHashMap<>(s.signed().meta());
      meta.put("targets.json", MetaFile.describing(t.signed().version(), tb));
      byte[] sb =
          Signed.sign(
                  new SnapshotMetadata(s.signed().version(), s.signed().expires(), meta),
                  keys.keys(Role.SNAPSHOT, root))
              .toBytes();
      Signed<TimestampMetadata> ts = TimestampMetadata.parse(genuine.timestamp());
      byte[] tsb =
          Signed.sign(
                  new TimestampMetadata(
                      ts.signed().version(),
                      ts.signed().expires(),
                      MetaFile.describing(s.signed().version(), sb)),
                  keys.keys(Role.TIMESTAMP, root))
              .toBytes();
      return new Served(tb, sb, tsb, genuine.signedAtMillis());
    } catch (VerificationException e) {
      return null; // not what the Director signs: nothing the attacker can build on
    }
  }

  /** The timestamp at {@code jump} versions ahead, signed by {@code keys}. */
  static byte[] fastForwarded(byte[] timestamp, int jump, List<SigningKey> keys) {
    try {
      TimestampMetadata t = TimestampMetadata.parse(timestamp).signed();
      long version = Math.min(Integer.MAX_VALUE, (long) t.version() + Math.max(1, jump));
      return Signed.sign(new TimestampMetadata((int) version, t.expires(), t.snapshot()), keys)
          .toBytes();
    } catch (VerificationException e) {
      return timestamp;
    }
  }

  private static boolean sameKeys(List<SigningKey> a, List<SigningKey> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).keyId().equals(b.get(i).keyId())) {
        return false;
      }
    }
    return true;
  }
}
