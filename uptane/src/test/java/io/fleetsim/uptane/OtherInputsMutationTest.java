package io.fleetsim.uptane;

import static io.fleetsim.uptane.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.client.SecondaryVerifier;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.manifest.ManifestVerifier;
import io.fleetsim.uptane.manifest.VehicleVersionManifest;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.repository.VehicleMetadata;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random byte mutations of the other untrusted inputs: vehicle manifests, ECU reports, director
 * targets on a secondary and stored target descriptions. Each is accepted unchanged in meaning or
 * refused with a VerificationException; nothing else may escape.
 */
class OtherInputsMutationTest {
  private static final int MUTATIONS = 1_500;

  @FunctionalInterface
  interface Check {
    Object run(byte[] input) throws VerificationException;
  }

  private static void fuzz(String what, byte[] valid, Check check, long seed) throws Exception {
    check.run(valid);
    Random rng = new Random(seed);
    int refused = 0;
    for (int i = 0; i < MUTATIONS; i++) {
      byte[] mutated = MutationTest.mutateBytes(valid, rng);
      try {
        check.run(mutated);
      } catch (VerificationException e) {
        refused++;
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError(what + " mutation " + i + " escaped as " + e, e);
      }
    }
    assertTrue(refused > MUTATIONS / 2, what + ": only " + refused + " refused");
  }

  @Test
  void manifestsAndReports() throws Exception {
    Random rng = new Random(1);
    SigningKey primary = SigningKey.generate(rng);
    SigningKey ecu = SigningKey.generate(rng);
    TargetFile fw = TargetFile.of("fw.bin", new byte[] {1, 2}, null);
    byte[] report = EcuVersionReport.sign(ecu, "ecu-1", fw, 9, T0, "");
    byte[] manifest = VehicleVersionManifest.sign(primary, "V", "p", List.of(report), 9, T0);
    Map<String, PublicKey> keys = Map.of("ecu-1", ecu.publicKey());
    fuzz("manifest", manifest, m -> ManifestVerifier.verify(m, primary.publicKey(), keys, 8), 2);
    fuzz("report", report, r -> EcuVersionReport.verify(r, ecu.publicKey()), 3);
    fuzz("target", fw.toCanonicalBytes(), TargetFile::parse, 4);
  }

  @Test
  void directorTargetsOnASecondary() throws Exception {
    Fixtures f = new Fixtures(3);
    VehicleMetadata vm = f.assign(2);
    List<PublicKey> keys = List.of(f.director.targetsKey());
    fuzz(
        "director targets",
        vm.targets(),
        t -> SecondaryVerifier.verify(t, keys, 1, "ecu-brake", "hw-brake", 0, T0),
        5);
  }
}
