package io.fleetsim.uptane.manifest;

import static io.fleetsim.uptane.Assertions2.assertRefused;
import static io.fleetsim.uptane.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.metadata.TargetFile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ManifestVerifierTest {
  private final Random rng = new Random(5);
  private final SigningKey primary = SigningKey.generate(rng);
  private final SigningKey brake = SigningKey.generate(rng);
  private final SigningKey tcu = SigningKey.generate(rng);
  private final Map<String, PublicKey> ecuKeys =
      Map.of("ecu-brake", brake.publicKey(), "ecu-tcu", tcu.publicKey());
  private final TargetFile image = TargetFile.of("fw.bin", new byte[] {1, 2, 3}, null);

  private byte[] manifest(long counter, byte[]... reports) {
    return VehicleVersionManifest.sign(
        primary, "VIN1", "ecu-primary", List.of(reports), counter, T0);
  }

  @Test
  void acceptsAFreshManifestWithReportsOfKnownEcus() throws Exception {
    byte[] m =
        manifest(
            3,
            EcuVersionReport.sign(brake, "ecu-brake", image, 3, T0, ""),
            EcuVersionReport.sign(tcu, "ecu-tcu", image, 3, T0, "ROLLBACK: targets v1"));
    VehicleVersionManifest v = ManifestVerifier.verify(m, primary.publicKey(), ecuKeys, 2);
    assertEquals("VIN1", v.vin());
    assertEquals(2, v.ecuReports().size());
    assertEquals("ROLLBACK: targets v1", v.ecuReports().get("ecu-tcu").attacksDetected());
    assertEquals(image, v.ecuReports().get("ecu-brake").installed());
    EcuVersionReport alone =
        EcuVersionReport.verify(
            EcuVersionReport.sign(brake, "ecu-brake", image, 1, T0, null), brake.publicKey());
    assertEquals("", alone.attacksDetected());
  }

  @Test
  void replayOfAnOldManifestOrAnOldReport() {
    byte[] m = manifest(3, EcuVersionReport.sign(brake, "ecu-brake", image, 3, T0, ""));
    assertRefused(Attack.REPLAY, () -> ManifestVerifier.verify(m, primary.publicKey(), ecuKeys, 3));
    assertRefused(Attack.REPLAY, () -> ManifestVerifier.verify(m, primary.publicKey(), ecuKeys, 7));
    byte[] oldReport = EcuVersionReport.sign(brake, "ecu-brake", image, 2, T0, "");
    assertRefused(
        Attack.REPLAY,
        () -> ManifestVerifier.verify(manifest(4, oldReport), primary.publicKey(), ecuKeys, 3));
  }

  @Test
  void badSignaturesAndUnknownEcus() {
    byte[] m = manifest(3, EcuVersionReport.sign(brake, "ecu-brake", image, 3, T0, ""));
    assertRefused(
        Attack.UNKNOWN_KEY, () -> ManifestVerifier.verify(m, brake.publicKey(), ecuKeys, 0));
    byte[] tampered =
        new String(m, StandardCharsets.UTF_8)
            .replace("VIN1", "VIN2")
            .getBytes(StandardCharsets.UTF_8);
    assertRefused(
        Attack.BAD_SIGNATURE,
        () -> ManifestVerifier.verify(tampered, primary.publicKey(), ecuKeys, 0));
    // A report signed by the wrong ECU's key.
    byte[] wrongKey = manifest(3, EcuVersionReport.sign(tcu, "ecu-brake", image, 3, T0, ""));
    assertRefused(
        Attack.UNKNOWN_KEY,
        () -> ManifestVerifier.verify(wrongKey, primary.publicKey(), ecuKeys, 0));
    byte[] unknownEcu = manifest(3, EcuVersionReport.sign(brake, "ecu-ghost", image, 3, T0, ""));
    assertRefused(
        Attack.WRONG_ECU,
        () -> ManifestVerifier.verify(unknownEcu, primary.publicKey(), ecuKeys, 0));
    // A report's content changed inside a validly re-signed manifest.
    String r =
        new String(
            EcuVersionReport.sign(brake, "ecu-brake", image, 3, T0, ""), StandardCharsets.UTF_8);
    byte[] forgedReport =
        r.replace("\"length\":3", "\"length\":4").getBytes(StandardCharsets.UTF_8);
    assertRefused(
        Attack.BAD_SIGNATURE,
        () -> ManifestVerifier.verify(manifest(3, forgedReport), primary.publicKey(), ecuKeys, 0));
    assertRefused(
        Attack.MALFORMED,
        () ->
            ManifestVerifier.verify(
                "[]".getBytes(StandardCharsets.UTF_8), primary.publicKey(), ecuKeys, 0));
    assertRefused(
        Attack.ENDLESS_DATA,
        () -> ManifestVerifier.verify(new byte[2 << 20], primary.publicKey(), ecuKeys, 0));
    assertThrows(IllegalArgumentException.class, () -> manifest(3, new byte[] {1}));
  }
}
