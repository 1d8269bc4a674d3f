package io.fleetsim.uptane.client;

import static io.fleetsim.uptane.Assertions2.assertRefused;
import static io.fleetsim.uptane.Fixtures.INVENTORY;
import static io.fleetsim.uptane.Fixtures.T0;
import static io.fleetsim.uptane.Fixtures.VIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.Fixtures;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.repository.DirectorSigner;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.VehicleMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UptaneVerificationTest {
  private final Fixtures f = new Fixtures(11);

  private PrimaryVerifier primary() {
    return new PrimaryVerifier(f.director.root(1), f.images.root(1));
  }

  private VehicleMetadata assign(int version, TargetFile... targets) {
    return f.director.signFor(VIN, version, List.of(targets), T0);
  }

  @Test
  void fullVerificationPassesAndAnEmptyAssignmentMeansNoUpdate() throws Exception {
    assertEquals(
        2,
        primary().verify(f.directorFetcher(f.assign(1)), f.imageFetcher(), INVENTORY, T0).size());
    VehicleMetadata none = assign(1);
    assertEquals(
        List.of(), primary().verify(f.directorFetcher(none), f.imageFetcher(), INVENTORY, T0));
  }

  @Test
  void wrongEcuAndWrongHardware() throws Exception {
    VehicleMetadata otherEcu =
        assign(1, f.brake.forEcu(new EcuTargetCustom("ecu-other", "hw-brake", 3)));
    assertRefused(
        Attack.WRONG_ECU,
        () -> primary().verify(f.directorFetcher(otherEcu), f.imageFetcher(), INVENTORY, T0));
    VehicleMetadata otherHw =
        assign(1, f.tcu.forEcu(new EcuTargetCustom("ecu-tcu", "hw-brake", 3)));
    assertRefused(
        Attack.WRONG_HARDWARE,
        () -> primary().verify(f.directorFetcher(otherHw), f.imageFetcher(), INVENTORY, T0));
    // The director agrees with the inventory, but the image repository says brake hardware.
    VehicleMetadata brakeImageOnTcu =
        assign(1, f.brake.forEcu(new EcuTargetCustom("ecu-tcu", "hw-tcu", 3)));
    assertRefused(
        Attack.WRONG_HARDWARE,
        () ->
            primary().verify(f.directorFetcher(brakeImageOnTcu), f.imageFetcher(), INVENTORY, T0));
  }

  @Test
  void directorAndImageRepositoryMustAgree() throws Exception {
    // A compromised director names an image the image repository never signed.
    TargetFile evil = TargetFile.of("evil.bin", "malware".getBytes(StandardCharsets.UTF_8), null);
    VehicleMetadata arbitrary = assign(1, evil.forEcu(new EcuTargetCustom("ecu-tcu", "hw-tcu", 9)));
    assertRefused(
        Attack.ARBITRARY_SOFTWARE,
        () -> primary().verify(f.directorFetcher(arbitrary), f.imageFetcher(), INVENTORY, T0));
    // Or a known name with other bytes.
    TargetFile swapped =
        TargetFile.of(f.tcu.name(), "other bytes".getBytes(StandardCharsets.UTF_8), null);
    VehicleMetadata mixed = assign(1, swapped.forEcu(new EcuTargetCustom("ecu-tcu", "hw-tcu", 9)));
    assertRefused(
        Attack.MIX_AND_MATCH,
        () -> primary().verify(f.directorFetcher(mixed), f.imageFetcher(), INVENTORY, T0));
    // Metadata of a different director (another key set) does not verify at all.
    DirectorSigner rogue = DirectorSigner.create(new Random(666), T0, Expiries.defaults());
    VehicleMetadata rogueVm =
        rogue.signFor(
            VIN, 1, List.of(f.tcu.forEcu(new EcuTargetCustom("ecu-tcu", "hw-tcu", 9))), T0);
    Map<String, byte[]> files = new java.util.HashMap<>(rogue.files(rogueVm));
    files.put("1.root.json", f.director.root(1));
    files.remove("2.root.json");
    assertRefused(
        Attack.UNKNOWN_KEY,
        () -> primary().verify(MetadataFetcher.fromMap(files), f.imageFetcher(), INVENTORY, T0));
  }

  @Test
  void releaseCounterRollbackAndDirectorReplayOfOldAssignment() throws Exception {
    assertRefused(
        Attack.ROLLBACK,
        () ->
            primary()
                .verify(
                    f.directorFetcher(f.assign(1)),
                    f.imageFetcher(),
                    INVENTORY,
                    Map.of("ecu-tcu", 8L),
                    T0));
    PrimaryVerifier p = primary();
    VehicleMetadata v1 = f.assign(1);
    VehicleMetadata v2 = f.assign(2);
    p.verify(f.directorFetcher(v2), f.imageFetcher(), INVENTORY, T0);
    assertRefused(
        Attack.ROLLBACK, () -> p.verify(f.directorFetcher(v1), f.imageFetcher(), INVENTORY, T0));
  }

  @Test
  void expiredDirectorMetadataIsAFreeze() {
    VehicleMetadata vm = f.assign(1);
    assertRefused(
        Attack.FREEZE,
        () ->
            primary()
                .verify(
                    f.directorFetcher(vm),
                    f.imageFetcher(),
                    INVENTORY,
                    T0.plus(Duration.ofDays(3))));
  }

  @Test
  void partialVerificationOnASecondary() throws Exception {
    VehicleMetadata vm = f.assign(4);
    List<io.fleetsim.uptane.crypto.PublicKey> keys = List.of(f.director.targetsKey());
    VerifiedTarget t =
        SecondaryVerifier.verify(vm.targets(), keys, 1, "ecu-brake", "hw-brake", 3, T0);
    assertEquals(3, t.releaseCounter());
    assertRefused(
        Attack.WRONG_ECU,
        () -> SecondaryVerifier.verify(vm.targets(), keys, 1, "ecu-x", "hw-brake", 0, T0));
    assertRefused(
        Attack.WRONG_HARDWARE,
        () -> SecondaryVerifier.verify(vm.targets(), keys, 1, "ecu-brake", "hw-tcu", 0, T0));
    assertRefused(
        Attack.ROLLBACK,
        () -> SecondaryVerifier.verify(vm.targets(), keys, 1, "ecu-brake", "hw-brake", 4, T0));
    assertRefused(
        Attack.ROLLBACK,
        () -> SecondaryVerifier.verify(vm.targets(), keys, 1, "ecu-brake", "hw-brake", 0, 5, T0));
    assertRefused(
        Attack.FREEZE,
        () ->
            SecondaryVerifier.verify(
                vm.targets(), keys, 1, "ecu-brake", "hw-brake", 0, T0.plus(Duration.ofDays(91))));
    // Signed by the director's snapshot key instead of its targets key.
    assertRefused(
        Attack.UNKNOWN_KEY,
        () ->
            SecondaryVerifier.verify(
                vm.targets(),
                List.of(
                    f.director
                        .signingKeys(io.fleetsim.uptane.metadata.Role.SNAPSHOT)
                        .get(0)
                        .publicKey()),
                1,
                "ecu-brake",
                "hw-brake",
                0,
                T0));
    byte[] tampered =
        new String(vm.targets(), StandardCharsets.UTF_8)
            .replace("\"release_counter\":3", "\"release_counter\":9")
            .getBytes(StandardCharsets.UTF_8);
    assertRefused(
        Attack.BAD_SIGNATURE,
        () -> SecondaryVerifier.verify(tampered, keys, 1, "ecu-brake", "hw-brake", 0, T0));
    assertRefused(
        Attack.MALFORMED,
        () -> SecondaryVerifier.verify(new byte[] {'{'}, keys, 1, "ecu-brake", "hw-brake", 0, T0));
  }

  @Test
  void imageChecks() throws Exception {
    ImageVerifier.verify(f.brake, f.brakeImage);
    byte[] flipped = f.brakeImage.clone();
    flipped[0] ^= 1;
    assertRefused(Attack.ARBITRARY_SOFTWARE, () -> ImageVerifier.verify(f.brake, flipped));
    byte[] longer = java.util.Arrays.copyOf(f.brakeImage, f.brakeImage.length + 1);
    // more bytes than the target states: endless data, as when they arrive block by block
    assertRefused(Attack.ENDLESS_DATA, () -> ImageVerifier.verify(f.brake, longer));
    byte[] shorter = java.util.Arrays.copyOf(f.brakeImage, f.brakeImage.length - 1);
    assertRefused(Attack.ARBITRARY_SOFTWARE, () -> ImageVerifier.verify(f.brake, shorter));
    assertRefused(Attack.ARBITRARY_SOFTWARE, () -> ImageVerifier.verify(f.brake, null));

    ImageVerifier.Streaming s = ImageVerifier.streaming(f.brake);
    s.update(f.brakeImage, 0, 5);
    s.update(f.brakeImage, 5, f.brakeImage.length - 5);
    s.finish();
    ImageVerifier.Streaming endless = ImageVerifier.streaming(f.brake);
    endless.update(f.brakeImage);
    assertRefused(Attack.ENDLESS_DATA, () -> endless.update(new byte[1]));
    assertEquals(f.brakeImage.length, endless.received());
    ImageVerifier.Streaming shortOne = ImageVerifier.streaming(f.brake);
    shortOne.update(f.brakeImage, 0, 3);
    assertRefused(Attack.ARBITRARY_SOFTWARE, shortOne::finish);
    assertTrue(f.brake.hardwareId().isPresent());
    assertEquals(Json.str("hw-brake"), ((Json.Obj) f.brake.custom()).get("hardware_id"));
  }
}
