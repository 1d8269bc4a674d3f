package io.fleetsim.cloud;

import com.typesafe.config.Config;
import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.faults.RepositorySigning;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.repository.DirectorSigner;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.VehicleMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The director repository's keys, one instance per node. Built from the scenario seed with a fixed
 * root signing time, so every node and every restart derives the same keys and signs a
 * byte-identical root: a vehicle provisioned with the root on one node trusts all of them.
 *
 * <p>The targets role has {@code fleetsim.director.targets-keys} keys of which {@code
 * targets-threshold} must sign (2 of 2 by default, so that one stolen online key cannot sign
 * targets); the root, snapshot and timestamp roles one key each. {@code key-rotations} lists the
 * rotations of the timestamp or snapshot key, each at a simulated offset from the clock's epoch:
 * each publishes the next root version, signed by the old and the new root keys, and from its
 * instant on the Director signs with the new key and serves the new root. The whole chain is
 * derived up front from the seed and the list, so every node agrees on which root is in force at
 * every instant. Rotating the targets keys would also have to re-key every secondary's partial
 * verification, which is not modelled, so it is refused.
 */
public final class DirectorKeys implements Extension, RepositorySigning.Keys {

  /** Root signing time; with the long root lifetime below it keeps root bytes stable. */
  static final Instant ROOT_SIGNED_AT = Instant.parse("2024-01-01T00:00:00Z");

  static final Duration ROOT_LIFETIME = Duration.ofDays(365L * 50);

  /** One rotation of {@code role}'s key, {@code after} the clock's epoch. */
  public record Rotation(Role role, Duration after) {
    public Rotation {
      if (role != Role.TIMESTAMP && role != Role.SNAPSHOT) {
        throw new IllegalArgumentException(
            "fleetsim.director.key-rotations: only the timestamp and snapshot keys rotate, not "
                + role.type());
      }
      if (after == null || after.isNegative()) {
        throw new IllegalArgumentException(
            "fleetsim.director.key-rotations: 'after' must be a duration >= 0, was " + after);
      }
    }
  }

  /** How the Director's keys are laid out and when they rotate. */
  public record Layout(int targetsKeys, int targetsThreshold, List<Rotation> rotations) {
    public static final Layout DEFAULT = new Layout(2, 2, List.of());

    public Layout {
      if (targetsThreshold < 1 || targetsThreshold > targetsKeys) {
        throw new IllegalArgumentException(
            "fleetsim.director: need 1 <= targets-threshold <= targets-keys, got "
                + targetsThreshold
                + " of "
                + targetsKeys);
      }
      rotations =
          rotations.stream().sorted(java.util.Comparator.comparing(Rotation::after)).toList();
    }

    static Layout of(Config c) {
      List<Rotation> rotations = new ArrayList<>();
      for (Config r : c.getConfigList("key-rotations")) {
        Role role;
        try {
          role = Role.valueOf(r.getString("role").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "fleetsim.director.key-rotations: unknown role '" + r.getString("role") + "'");
        }
        rotations.add(new Rotation(role, r.getDuration("after")));
      }
      return new Layout(c.getInt("targets-keys"), c.getInt("targets-threshold"), rotations);
    }
  }

  public static final class Id extends ExtensionId<DirectorKeys> {
    private static final Id INSTANCE = new Id();

    @Override
    public DirectorKeys createExtension(ActorSystem<?> system) {
      return forSeed(
          Seeds.scenarioSeed(system),
          Layout.of(system.settings().config().getConfig("fleetsim.director")),
          SimClock.get(system).epoch());
    }
  }

  public static DirectorKeys get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** The default layout, no rotation. */
  public static DirectorKeys forSeed(long scenarioSeed) {
    return forSeed(scenarioSeed, Layout.DEFAULT, ROOT_SIGNED_AT);
  }

  /** {@code layout}'s rotations happen at {@code epoch} plus their offsets. */
  public static DirectorKeys forSeed(long scenarioSeed, Layout layout, Instant epoch) {
    Expiries d = Expiries.defaults();
    Expiries expiries = new Expiries(ROOT_LIFETIME, d.targets(), d.snapshot(), d.timestamp());
    DirectorSigner first =
        DirectorSigner.withTargetsThreshold(
            Seeds.random(scenarioSeed, "director-keys"),
            ROOT_SIGNED_AT,
            expiries,
            layout.targetsKeys(),
            layout.targetsThreshold());
    List<DirectorSigner> signers = new ArrayList<>(List.of(first));
    long[] from = new long[layout.rotations().size() + 1];
    from[0] = Long.MIN_VALUE;
    for (int i = 0; i < layout.rotations().size(); i++) {
      Rotation r = layout.rotations().get(i);
      Instant at = epoch.plus(r.after());
      DirectorSigner next = signers.get(i).copy();
      next.rotateKey(r.role(), Seeds.random(scenarioSeed, "director-key-rotation-" + i), at);
      signers.add(next);
      from[i + 1] = at.toEpochMilli();
    }
    return new DirectorKeys(List.copyOf(signers), from);
  }

  /** Signer {@code i} signs from epoch millis {@code from[i]} on; the last holds every root. */
  private final List<DirectorSigner> signers;

  private final long[] from;

  /**
   * Every root's bytes, serialized once: a root is served on every vehicle's check and hashed into
   * every Director record's head.
   */
  private final byte[][] roots;

  private DirectorKeys(List<DirectorSigner> signers, long[] from) {
    this.signers = signers;
    this.from = from;
    DirectorSigner last = signers.get(signers.size() - 1);
    this.roots = new byte[signers.size()][];
    for (int v = 1; v <= roots.length; v++) {
      roots[v - 1] = last.root(v);
    }
  }

  private int epochAt(long epochMillis) {
    int i = 0;
    while (i + 1 < from.length && from[i + 1] <= epochMillis) {
      i++;
    }
    return i;
  }

  /** The signer of root version 1, as provisioned. */
  public DirectorSigner signer() {
    return signers.get(0);
  }

  /**
   * Root {@code version}, whether or not it is in force yet; the same array every time, which
   * callers must not change.
   */
  public byte[] root(int version) {
    if (version < 1 || version > roots.length) {
      throw new IllegalArgumentException(
          "no root version " + version + " (have 1.." + roots.length + ")");
    }
    return roots[version - 1];
  }

  /** The latest root version the Director publishes at any time. */
  public int rootVersion() {
    return signers.size();
  }

  @Override
  public int rootVersionAt(long epochMillis) {
    return epochAt(epochMillis) + 1;
  }

  /** The root in force at {@code at}. */
  public byte[] rootAt(Instant at) {
    return root(rootVersionAt(at.toEpochMilli()));
  }

  /**
   * The first instant after {@code at} at which another root comes into force, or {@code
   * Long.MAX_VALUE} when none does.
   */
  public long nextRotationAfter(long epochMillis) {
    int i = epochAt(epochMillis);
    return i + 1 < from.length ? from[i + 1] : Long.MAX_VALUE;
  }

  @Override
  public List<io.fleetsim.uptane.crypto.SigningKey> keys(Role role, int rootVersion) {
    return signers.get(rootVersion - 1).signingKeys(role);
  }

  @Override
  public int threshold(Role role) {
    return role == Role.TARGETS ? signers.get(0).targetsThreshold() : 1;
  }

  /** The director's targets keys, which secondaries verify with, and how many must sign. */
  public List<PublicKey> targetsKeys() {
    return signers.get(0).targetsKeys();
  }

  /** What secondaries are provisioned with for partial verification. */
  public PublicKey targetsKey() {
    return signers.get(0).targetsKey();
  }

  /**
   * Whether metadata signed at {@code signedAt} was signed with other keys than those of {@code
   * now}.
   */
  public boolean rotatedSince(Instant signedAt, Instant now) {
    return epochAt(signedAt.toEpochMilli()) != epochAt(now.toEpochMilli());
  }

  /**
   * Signs with the keys in force at {@code now}. Signing is deterministic, but Bouncy Castle
   * signers are not shared across threads.
   */
  public synchronized Director.SignedMetadata signFor(
      String vin, int version, List<TargetFile> targets, Instant now) {
    VehicleMetadata vm =
        signers.get(epochAt(now.toEpochMilli())).signFor(vin, version, targets, now);
    return new Director.SignedMetadata(
        vm.version(), vm.targets(), vm.snapshot(), vm.timestamp(), now);
  }

  /**
   * Verifies a vehicle version manifest: the primary's signature, every ECU report's signature with
   * that ECU's registered key, and a counter above the last accepted one (no replay).
   */
  public ManifestReading verifyManifest(
      byte[] manifest,
      String vin,
      String primarySerial,
      PublicKey primaryKey,
      Map<String, PublicKey> ecuKeys,
      long lastAcceptedCounter)
      throws VerificationException {
    return ManifestCheck.verify(
        manifest, vin, primarySerial, primaryKey, ecuKeys, lastAcceptedCounter);
  }
}
