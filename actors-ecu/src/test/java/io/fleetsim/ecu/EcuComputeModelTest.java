package io.fleetsim.ecu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EcuComputeModelTest {

  static final EcuComputeModel defaults = EcuComputeModel.fromConfig(ConfigFactory.load());

  @Test
  void timesAreWholeMillisecondsRoundedUp() {
    EcuComputeModel.Cost mcu = new EcuComputeModel.Cost(Duration.ofMillis(10), 20_000_000);
    assertEquals(Duration.ofMillis(20), mcu.signatureTime(2));
    assertEquals(Duration.ZERO, mcu.signatureTime(0));
    // 1 MiB at 20 MB/s is 52.4288 ms
    assertEquals(Duration.ofMillis(53), mcu.hashTime(1024 * 1024));
    assertEquals(Duration.ofMillis(50), mcu.hashTime(1_000_000));
    assertEquals(Duration.ofMillis(1), mcu.hashTime(1));
    assertEquals(Duration.ZERO, mcu.hashTime(0));
    assertEquals(Duration.ofMillis(2501), mcu.hashTime(50_000_001));
    EcuComputeModel.Cost odd = new EcuComputeModel.Cost(Duration.ofNanos(1_500_001), 3);
    assertEquals(Duration.ofMillis(2), odd.signatureTime(1));
    assertEquals(Duration.ofMillis(5), odd.signatureTime(3));
    assertEquals(Duration.ofMillis(334), odd.hashTime(1));
    assertEquals(Duration.ofSeconds(1), odd.hashTime(3));
  }

  @Test
  void theDefaultsAreAnMcuPerSignatureAndHashRateWithFasterProcessorsByType() {
    assertEquals(
        new EcuComputeModel.Cost(Duration.ofMillis(10), 20_000_000), defaults.cost(EcuType.ENGINE));
    assertEquals(defaults.cost(EcuType.ENGINE), defaults.cost(EcuType.BRAKES));
    assertEquals(
        new EcuComputeModel.Cost(Duration.ofMillis(1), 200_000_000),
        defaults.cost(EcuType.INFOTAINMENT));
  }

  @Test
  void anInstallPaysThresholdSignaturesAndOneHashOfTheImage() {
    Fixtures fx = new Fixtures(3);
    EcuProfile p = fx.profile();
    int threshold = p.directorThreshold();
    assertEquals(Duration.ofMillis(10L * threshold), defaults.requestDownloadTime(p));
    assertEquals(Duration.ofMillis(53), defaults.transferExitTime(p, 1024 * 1024));
    assertEquals(
        Duration.ofMillis(10L * threshold + 53), defaults.verificationTime(p, 1024 * 1024));
  }

  @Test
  void configurationPerTypeFallsBackToTheDefaultAndCanBeSwitchedOff() {
    EcuComputeModel m =
        EcuComputeModel.fromConfig(
            ConfigFactory.parseString(
                    "fleetsim.ecu.compute.by-type { body { hash-rate = 1MiB } }\n"
                        + "fleetsim.ecu.compute.default.signature-verify-time = 7ms")
                .withFallback(ConfigFactory.load()));
    assertEquals(new EcuComputeModel.Cost(Duration.ofMillis(7), 1 << 20), m.cost(EcuType.BODY));
    assertEquals(Duration.ofMillis(7), m.cost(EcuType.ENGINE).signatureVerifyTime());
    EcuComputeModel off =
        EcuComputeModel.fromConfig(
            ConfigFactory.parseString("fleetsim.ecu.compute.enabled = off")
                .withFallback(ConfigFactory.load()));
    assertEquals(Duration.ZERO, off.verificationTime(new Fixtures(3).profile(), 1 << 30));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            EcuComputeModel.fromConfig(
                ConfigFactory.parseString("fleetsim.ecu.compute.by-type.toaster {}")
                    .withFallback(ConfigFactory.load())));
    assertThrows(
        IllegalArgumentException.class, () -> new EcuComputeModel.Cost(Duration.ofMillis(1), 0));
    assertEquals(
        Duration.ZERO,
        new EcuComputeModel(EcuComputeModel.Cost.FREE, Map.of()).cost(EcuType.ADAS).hashTime(5));
  }
}
