package io.fleetsim.cloud;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.repository.DirectorSigner;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.VehicleMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The director repository's keys, one instance per node. Built from the scenario seed with a fixed
 * root signing time, so every node and every restart derives the same keys and signs a
 * byte-identical root: a vehicle provisioned with the root on one node trusts all of them.
 */
public final class DirectorKeys implements Extension {

  /** Root signing time; with the long root lifetime below it keeps root bytes stable. */
  static final Instant ROOT_SIGNED_AT = Instant.parse("2024-01-01T00:00:00Z");

  static final Duration ROOT_LIFETIME = Duration.ofDays(365L * 50);

  public static final class Id extends ExtensionId<DirectorKeys> {
    private static final Id INSTANCE = new Id();

    @Override
    public DirectorKeys createExtension(ActorSystem<?> system) {
      return forSeed(Seeds.scenarioSeed(system));
    }
  }

  public static DirectorKeys get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  public static DirectorKeys forSeed(long scenarioSeed) {
    Expiries d = Expiries.defaults();
    Expiries expiries = new Expiries(ROOT_LIFETIME, d.targets(), d.snapshot(), d.timestamp());
    return new DirectorKeys(
        DirectorSigner.create(
            Seeds.random(scenarioSeed, "director-keys"), ROOT_SIGNED_AT, expiries));
  }

  private final DirectorSigner signer;

  private DirectorKeys(DirectorSigner signer) {
    this.signer = signer;
  }

  public DirectorSigner signer() {
    return signer;
  }

  public byte[] root(int version) {
    return signer.root(version);
  }

  public int rootVersion() {
    return signer.rootVersion();
  }

  /** What secondaries are provisioned with for partial verification. */
  public PublicKey targetsKey() {
    return signer.targetsKey();
  }

  /** Signing is deterministic, but Bouncy Castle signers are not shared across threads. */
  public synchronized Director.SignedMetadata signFor(
      String vin, int version, List<TargetFile> targets, Instant now) {
    VehicleMetadata vm = signer.signFor(vin, version, targets, now);
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
