package io.fleetsim.faults;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.metadata.RoleMetadata;
import io.fleetsim.uptane.metadata.Signature;
import io.fleetsim.uptane.metadata.Signed;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The attacker on a vehicle's link to the cloud: what it does to the real bytes a vehicle fetches.
 * It changes the Uptane files and images the repositories served, replays ones it recorded, or
 * drops the request; it never touches the vehicle's checks, which must catch what it did.
 *
 * <p>Recordings (the first timestamp or snapshot an attacker saw for a vehicle) are kept per node,
 * per rule and vehicle, as a real attacker on that vehicle's path would keep them. They are not
 * persisted: an attacker on a node that restarts starts recording again.
 *
 * <ul>
 *   <li>{@link FaultKind#DROP_REQUEST}: every request fails ({@link Dropped}).
 *   <li>{@link FaultKind#BAD_SIGNATURE}: the Director timestamp's signature changed.
 *   <li>{@link FaultKind#UNTRUSTED_KEY}: the Director timestamp re-signed by the attacker's own
 *       key.
 *   <li>{@link FaultKind#FREEZE}: the first Director timestamp seen is served from then on.
 *   <li>{@link FaultKind#ROLLBACK}: once a newer Director timestamp went through, the first one
 *       seen is served again.
 *   <li>{@link FaultKind#MIX_AND_MATCH}: the first Director snapshot seen is served with later
 *       timestamps that name a newer one.
 *   <li>For these three, a recording signed by other keys than the repository signs with now (it
 *       rotated them) is recorded again: replaying one that no longer verifies would only repeat an
 *       untrusted-key attack.
 *   <li>{@link FaultKind#ARBITRARY_SOFTWARE}: a byte of the image changed; {@link
 *       FaultKind#ENDLESS_DATA}: bytes added after the image. Both keep the vehicle from fetching a
 *       delta (its description does not come through), so the image itself crosses the link.
 *   <li>{@link FaultKind#REPOSITORY_DOS}: every request to the image repository fails ({@link
 *       Dropped}); the Director's files come through.
 *   <li>{@link FaultKind#PARTIAL_BUNDLE}: the requests for some of an update's images fail ({@link
 *       #blocked}), the others come through.
 *   <li>{@link FaultKind#CORRUPT}: no attacker, the network: a seeded share {@code rate} of files
 *       and images arrive with one byte changed.
 * </ul>
 */
public final class LinkTampering {

  /** The repository a file comes from. */
  public enum Repo {
    DIRECTOR,
    IMAGES
  }

  /** The request never reaches the repository, or its answer never comes back. */
  public static final class Dropped extends RuntimeException {
    private final transient FaultRule rule;

    public Dropped(FaultRule rule) {
      super("request dropped on the link (fault rule " + rule.id() + ")", null, false, false);
      this.rule = rule;
    }

    /** The rule that dropped it. */
    public FaultRule rule() {
      return rule;
    }
  }

  /** The bytes the vehicle receives, and the rules that changed them (empty when none did). */
  public record Outcome(byte[] bytes, List<FaultRule> applied) {}

  private static final int MAX_METADATA = 1 << 20;

  private final long scenarioSeed;
  private final Map<String, byte[]> recorded = new ConcurrentHashMap<>();
  private final Map<String, Boolean> passedNewer = new ConcurrentHashMap<>();

  public LinkTampering(long scenarioSeed) {
    this.scenarioSeed = scenarioSeed;
  }

  /**
   * A metadata file {@code served} by {@code repo} to {@code vin}, as it arrives through the rules
   * acting on the link. Throws {@link Dropped} when a rule drops the request.
   */
  public Outcome metadata(
      List<FaultRule> acting, String vin, Repo repo, String fileName, byte[] served) {
    return metadata(acting, vin, repo, fileName, served, 0);
  }

  /**
   * As above, for a file fetched by the exchange that started at {@code startMillis}: a corruption
   * is drawn from (seed, rule, VIN, file, start), so each check draws anew and the same seed draws
   * the same.
   */
  public Outcome metadata(
      List<FaultRule> acting,
      String vin,
      Repo repo,
      String fileName,
      byte[] served,
      long startMillis) {
    byte[] bytes = served;
    List<FaultRule> applied = new ArrayList<>(1);
    for (FaultRule rule : acting) {
      byte[] before = bytes;
      bytes =
          rule.kind() == FaultKind.CORRUPT
              ? corrupt(rule, vin, repo + "/" + fileName, startMillis, bytes)
              : apply(rule, vin, repo, fileName, bytes);
      if (bytes != before) {
        applied.add(rule);
      }
    }
    return new Outcome(bytes, applied);
  }

  private byte[] apply(FaultRule rule, String vin, Repo repo, String fileName, byte[] bytes) {
    if (rule.kind() == FaultKind.DROP_REQUEST
        || (rule.kind() == FaultKind.REPOSITORY_DOS && repo == Repo.IMAGES)) {
      throw new Dropped(rule);
    }
    if (repo != Repo.DIRECTOR) {
      return bytes;
    }
    boolean timestamp = fileName.equals("timestamp.json");
    return switch (rule.kind()) {
      case BAD_SIGNATURE -> timestamp ? badSignature(bytes) : bytes;
      case UNTRUSTED_KEY -> timestamp ? signedBy(bytes, attackerKey(rule)) : bytes;
      case FREEZE -> timestamp ? replay(rule, vin, fileName, bytes, false) : bytes;
      case ROLLBACK -> timestamp ? replay(rule, vin, fileName, bytes, true) : bytes;
      case MIX_AND_MATCH ->
          fileName.equals("snapshot.json") ? replay(rule, vin, fileName, bytes, false) : bytes;
      default -> bytes;
    };
  }

  /** Whether the rules keep the vehicle from learning of a delta, so that it fetches the image. */
  public static boolean blocksDeltas(List<FaultRule> acting) {
    for (FaultRule r : acting) {
      if (r.kind() == FaultKind.ARBITRARY_SOFTWARE || r.kind() == FaultKind.ENDLESS_DATA) {
        return true;
      }
    }
    return false;
  }

  /**
   * A request for an image's description or bytes, all of which the image repository serves; throws
   * {@link Dropped} when one is dropped or the repository is denied.
   */
  public static void request(List<FaultRule> acting) {
    for (FaultRule r : acting) {
      if (r.kind() == FaultKind.DROP_REQUEST || r.kind() == FaultKind.REPOSITORY_DOS) {
        throw new Dropped(r);
      }
    }
  }

  /**
   * The images of an update (by SHA-256, in the update's order) whose fetches the first {@link
   * FaultKind#PARTIAL_BUNDLE} rule acting blocks, and that rule; empty when none acts. The rule's
   * {@code share} (0 to 1) of the images are blocked, rounded up, the last ones first; without it,
   * every image but the first. At least one is always blocked, so that an update of one image is
   * blocked whole and a bundle is never let through complete.
   */
  public static Map<String, FaultRule> blocked(List<FaultRule> acting, List<String> images) {
    for (FaultRule r : acting) {
      if (r.kind() == FaultKind.PARTIAL_BUNDLE && !images.isEmpty()) {
        int n = images.size();
        double share = r.param("share", -1);
        int count = share < 0 ? n - 1 : (int) Math.ceil(Math.min(share, 1) * n);
        count = Math.max(1, Math.min(n, count));
        Map<String, FaultRule> out = new java.util.LinkedHashMap<>();
        for (String sha : images.subList(n - count, n)) {
          out.put(sha, r);
        }
        return out;
      }
    }
    return Map.of();
  }

  /** Image bytes as they arrive through the rules acting on the link. */
  public Outcome image(List<FaultRule> acting, byte[] served) {
    return image(acting, "", "", served, 0);
  }

  /**
   * As above, for the blob {@code sha256} fetched by the download exchange that started at {@code
   * startMillis} (which a corruption's draw depends on, as for {@link #metadata}).
   */
  public Outcome image(
      List<FaultRule> acting, String vin, String sha256, byte[] served, long startMillis) {
    request(acting);
    byte[] bytes = served;
    List<FaultRule> applied = new ArrayList<>(1);
    for (FaultRule rule : acting) {
      if (rule.kind() == FaultKind.CORRUPT) {
        byte[] before = bytes;
        bytes = corrupt(rule, vin, "blob/" + sha256, startMillis, bytes);
        if (bytes != before) {
          applied.add(rule);
        }
      } else if (rule.kind() == FaultKind.ARBITRARY_SOFTWARE && bytes.length > 0) {
        bytes = bytes.clone();
        bytes[bytes.length / 2] ^= 0x5a;
        applied.add(rule);
      } else if (rule.kind() == FaultKind.ENDLESS_DATA) {
        int extra = (int) Math.max(1, Math.min(1 << 24, rule.param("bytes", 4096)));
        bytes = Arrays.copyOf(bytes, bytes.length + extra);
        applied.add(rule);
      }
    }
    return new Outcome(bytes, applied);
  }

  /**
   * The file recorded first for this rule and vehicle, instead of {@code bytes} when the repository
   * now serves a newer version; with {@code afterNewer}, only once one newer version went through
   * (so that the vehicle trusts something newer than what is replayed).
   */
  private byte[] replay(FaultRule rule, String vin, String fileName, byte[] bytes, boolean after) {
    String key = rule.id() + '|' + vin + '|' + fileName;
    byte[] first = recorded.putIfAbsent(key, bytes);
    if (first == null) {
      return bytes;
    }
    if (!signers(first).equals(signers(bytes))) {
      // The repository signs with other keys now (a rotation): what was recorded no longer
      // verifies, so the attacker records again and replays that.
      recorded.put(key, bytes);
      passedNewer.remove(key);
      return bytes;
    }
    int old = version(first);
    int now = version(bytes);
    if (now <= old) {
      return bytes;
    }
    if (after && passedNewer.putIfAbsent(key, Boolean.TRUE) == null) {
      return bytes;
    }
    return first;
  }

  /**
   * {@code bytes} with one byte changed, with probability {@code rate}; the draw and the byte's
   * position come from (seed, rule, VIN, what was fetched, when the exchange started).
   */
  private byte[] corrupt(FaultRule rule, String vin, String what, long startMillis, byte[] bytes) {
    if (bytes.length == 0) {
      return bytes;
    }
    long h =
        Seeds.splitMix64(
            Seeds.entitySeed(scenarioSeed, "corrupt:" + rule.id() + ":" + vin + ":" + what)
                ^ Seeds.splitMix64(startMillis));
    if (Seeds.unit(h) >= rule.param("rate", 0)) {
      return bytes;
    }
    int at = (int) Math.floorMod(Seeds.splitMix64(h), (long) bytes.length);
    byte[] b = bytes.clone();
    b[at] ^= 0x01;
    return b;
  }

  /** The attacker's own key for a rule: the same on every node and run with the seed. */
  private SigningKey attackerKey(FaultRule rule) {
    Random rng = Seeds.random(scenarioSeed, "attacker:" + rule.id());
    return SigningKey.generate(rng);
  }

  /** The envelope with a hex digit of each signature changed. */
  static byte[] badSignature(byte[] envelope) {
    Signed<? extends RoleMetadata> s = parse(envelope);
    if (s == null) {
      return flipOne(envelope);
    }
    List<Signature> bad = new ArrayList<>();
    for (Signature sig : s.signatures()) {
      char[] hex = sig.sig().toCharArray();
      hex[0] = hex[0] == '0' ? '1' : '0';
      bad.add(new Signature(sig.keyId(), new String(hex)));
    }
    return s.withSignatures(bad).toBytes();
  }

  /** The envelope signed by {@code key} alone. */
  static byte[] signedBy(byte[] envelope, SigningKey key) {
    return signedBy(envelope, List.of(key));
  }

  /** The envelope signed by {@code keys} and no others. */
  static byte[] signedBy(byte[] envelope, List<SigningKey> keys) {
    Signed<? extends RoleMetadata> s = parse(envelope);
    if (s == null) {
      return flipOne(envelope);
    }
    List<Signature> sigs = new ArrayList<>(keys.size());
    for (SigningKey key : keys) {
      sigs.add(new Signature(key.keyId(), Hex.encode(key.sign(s.canonicalSigned()))));
    }
    return s.withSignatures(sigs).toBytes();
  }

  /** The key ids that signed the envelope; empty when it does not parse. */
  private static java.util.Set<String> signers(byte[] envelope) {
    Signed<? extends RoleMetadata> s = parse(envelope);
    java.util.Set<String> ids = new java.util.TreeSet<>();
    if (s != null) {
      s.signatures().forEach(sig -> ids.add(sig.keyId()));
    }
    return ids;
  }

  private static int version(byte[] envelope) {
    Signed<? extends RoleMetadata> s = parse(envelope);
    return s == null ? -1 : s.version();
  }

  private static Signed<? extends RoleMetadata> parse(byte[] envelope) {
    try {
      return Signed.parseAny(envelope, MAX_METADATA);
    } catch (VerificationException | RuntimeException e) {
      return null;
    }
  }

  private static byte[] flipOne(byte[] bytes) {
    byte[] b = bytes.clone();
    if (b.length > 0) {
      b[b.length / 2] ^= 0x01;
    }
    return b;
  }
}
