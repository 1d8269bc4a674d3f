package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.PublicKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.manifest.EcuVersionReport;
import io.fleetsim.uptane.manifest.InstallResult;
import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Key derivation and the signed version report, without an actor. */
class EcuCryptoTest {

  static final Fixtures fx = new Fixtures(41);
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static final String SEED = EcuCrypto.keySeedHex(7, "VIN1/engine");

  static EcuVersionReport signed(EcuState.LastInstall last) throws VerificationException {
    byte[] bytes = EcuCrypto.signVersionReport(SEED, fx.profile(), fx.oldBank, last, 5, NOW);
    return EcuVersionReport.verify(bytes, PublicKey.fromHex(EcuCrypto.publicKeyHex(SEED)));
  }

  static Optional<InstallResult> result(EcuVersionReport r) throws VerificationException {
    return InstallResult.from(r.installed().custom(), "custom");
  }

  @Test
  void theKeySeedDependsOnTheScenarioSeedAndTheEntityIdOnly() {
    assertEquals(SEED, EcuCrypto.keySeedHex(7, "VIN1/engine"));
    assertEquals(64, SEED.length());
    assertNotEquals(SEED, EcuCrypto.keySeedHex(8, "VIN1/engine"));
    assertNotEquals(SEED, EcuCrypto.keySeedHex(7, "VIN1/adas"));
    assertNotEquals(SEED, EcuCrypto.keySeedHex(7, "VIN2/engine"));
    assertNotEquals(SEED, EcuCrypto.publicKeyHex(SEED));
  }

  @Test
  void aReportBeforeAnyInstallCarriesNoInstallResult() throws Exception {
    EcuVersionReport r = signed(null);
    assertEquals(Optional.empty(), result(r));
    assertEquals("", r.attacksDetected());
    assertEquals(Fixtures.SERIAL, r.ecuSerial());
    assertEquals(5, r.nonce());
    assertEquals(fx.oldBank.version(), r.installed().name());
    assertEquals(fx.oldBank.sha256(), r.installed().sha256());
    Json.Obj custom = (Json.Obj) r.installed().custom();
    assertEquals(Json.str(Fixtures.HARDWARE), custom.get("hardware_id"));
  }

  @Test
  void everyLastInstallIsReportedWithItsAssignmentAndOnlyARejectionAsAnAttack() throws Exception {
    for (UpdateOutcome outcome : UpdateOutcome.values()) {
      EcuState.LastInstall last =
          new EcuState.LastInstall("t", "c1/4", outcome, "why " + outcome, null);
      EcuVersionReport r = signed(last);
      assertEquals(
          Optional.of(new InstallResult("c1/4", outcome, "why " + outcome)),
          result(r),
          outcome.name());
      assertEquals(outcome == UpdateOutcome.REJECTED ? "why REJECTED" : "", r.attacksDetected());
    }
  }

  @Test
  void aReportSignedWithOneEcusKeyDoesNotVerifyWithAnothers() {
    byte[] bytes = EcuCrypto.signVersionReport(SEED, fx.profile(), fx.oldBank, null, 1, NOW);
    PublicKey other = PublicKey.fromHex(EcuCrypto.publicKeyHex(EcuCrypto.keySeedHex(7, "x/y")));
    assertThrows(VerificationException.class, () -> EcuVersionReport.verify(bytes, other));
  }
}
