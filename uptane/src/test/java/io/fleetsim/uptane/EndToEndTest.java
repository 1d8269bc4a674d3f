package io.fleetsim.uptane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetsim.uptane.client.ImageVerifier;
import io.fleetsim.uptane.client.PrimaryVerifier;
import io.fleetsim.uptane.client.SecondaryVerifier;
import io.fleetsim.uptane.client.VerifiedTarget;
import io.fleetsim.uptane.crypto.SigningKey;
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.manifest.ManifestVerifier;
import io.fleetsim.uptane.manifest.VehicleVersionManifest;
import io.fleetsim.uptane.repository.VehicleMetadata;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EndToEndTest {
  @Test
  void primaryAndSecondaryVerifyAnAssignmentAndTheDirectorAcceptsTheManifest() throws Exception {
    Fixtures f = new Fixtures(1);
    VehicleMetadata vm = f.assign(1);
    PrimaryVerifier primary = new PrimaryVerifier(f.director.root(1), f.images.root(1));
    List<VerifiedTarget> targets =
        primary.verify(f.directorFetcher(vm), f.imageFetcher(), Fixtures.INVENTORY, Fixtures.T0);
    assertEquals(2, targets.size());
    VerifiedTarget brake =
        targets.stream().filter(t -> t.ecuSerial().equals("ecu-brake")).findFirst().orElseThrow();
    assertEquals(3, brake.releaseCounter());
    ImageVerifier.verify(brake.target(), f.brakeImage);

    VerifiedTarget onSecondary =
        SecondaryVerifier.verify(
            vm.targets(), List.of(f.director.targetsKey()), 1, "ecu-tcu", "hw-tcu", 7, Fixtures.T0);
    assertEquals("tcu-5.1.bin", onSecondary.target().name());

    Random rng = new Random(9);
    SigningKey primaryKey = SigningKey.generate(rng);
    SigningKey brakeKey = SigningKey.generate(rng);
    byte[] report =
        EcuVersionReport.sign(brakeKey, "ecu-brake", brake.target(), 5, Fixtures.T0, "");
    byte[] manifest =
        VehicleVersionManifest.sign(
            primaryKey, Fixtures.VIN, "ecu-primary", List.of(report), 5, Fixtures.T0);
    VehicleVersionManifest m =
        ManifestVerifier.verify(
            manifest, primaryKey.publicKey(), Map.of("ecu-brake", brakeKey.publicKey()), 4);
    assertEquals(5, m.counter());
    assertEquals("brake-2.0.bin", m.ecuReports().get("ecu-brake").installed().name());
  }
}
