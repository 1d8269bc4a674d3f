package io.fleetsim.ecu;

import io.fleetsim.cluster.Seeds;
import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.faults.FaultKind;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.Point;
import io.fleetsim.faults.Subject;
import io.fleetsim.uptane.Attack;
import java.util.List;

/**
 * The faults module's interception points on one ECU, as {@link FaultedBus} is on a bus. The rules
 * acting on the ECU (its VIN, its vehicle's region and its type, as provisioned in its {@link
 * EcuProfile}) at the simulated instant decide:
 *
 * <ul>
 *   <li><b>How a boot of a new image ends</b>, as a real failure the Ecu then meets ({@link
 *       BootProcess}): {@link FaultKind#BOOT_CRASH} throws, {@link FaultKind#BOOT_HANG} never
 *       confirms so the watchdog fires, {@link FaultKind#BOOT_SELF_TEST_FAIL} reports a failed
 *       self-test. Each ends in a rollback to the old bank; other ECUs boot as their own {@link
 *       BootModel} says. With several rules acting, the first in id order whose draw fails the boot
 *       decides.
 *   <li><b>Whether the flash write fails</b> ({@link FaultKind#FLASH_WRITE_ERROR}) when its time
 *       has passed. The Ecu then takes the path of a flash cut short by a restart ({@link
 *       Ecu.FlashInterrupted}): the half-written bank invalid, the install FAILED, the old bank
 *       running.
 *   <li><b>Whether power fails during the flash write</b> ({@link FaultKind#POWER_LOSS}), and at
 *       which byte of it ({@link #powerLoss}): drawn when the write starts. The Ecu then stops
 *       writing at that byte, comes back on its old bank after its boot time, and reports the
 *       install FAILED; the half-written bank is never booted.
 *   <li><b>The image bytes as they leave the bus</b> ({@link FaultKind#BUS_TAMPERED_IMAGE}): a
 *       device on the bus changes one byte of the image, at an offset drawn from (seed, rule, ECU,
 *       image), in the block group holding it. Nothing tells the ECU: its SHA-256 over the received
 *       bytes must refuse the image at RequestTransferExit, and the image is never written. The
 *       same seed tampers the same byte on every attempt, so a download started again is tampered
 *       again.
 * </ul>
 *
 * <p>A share {@code rate} (default 1) of the ECUs a boot or flash rule selects fail, drawn from
 * (scenario seed, rule, ECU, image): the same on every attempt, run and node, so that a retried
 * boot of a bad image fails again. Every change is counted as injected in the node's ledger, and an
 * image hash refused as caught ({@link #imageRefused}).
 */
final class FaultedEcu {

  private final Faults faults;
  private final String vin;
  private final String ecuId;
  private final SimClock clock;

  /** The campaign of the download in progress, for rules that select a campaign; or null. */
  private String campaignId;

  FaultedEcu(Faults faults, String vin, String ecuId, SimClock clock) {
    this.faults = faults;
    this.vin = vin;
    this.ecuId = ecuId;
    this.clock = clock;
  }

  /**
   * The download in progress (null: none): rules selecting a campaign match the campaign its
   * director targets name. Not persisted: set again from the ECU's state before every use.
   */
  void during(EcuState.Download download) {
    campaignId = download == null ? null : download.campaignId();
  }

  private List<FaultRule> acting(Point point, EcuProfile profile) {
    if (!faults.actsAt(point)) {
      return List.of();
    }
    return faults.acting(
        point,
        new Subject(vin, profile.region(), profile.type().name(), campaignId),
        clock.now().toEpochMilli());
  }

  /** How boot {@code attempt} of the image {@code imageSha256} ends. */
  BootModel.Outcome boot(EcuProfile profile, String imageSha256, int attempt, BootModel otherwise) {
    for (FaultRule rule : acting(Point.ECU, profile)) {
      BootModel.Outcome outcome = outcomeOf(rule.kind());
      if (outcome != null && fails(faults.scenarioSeed(), rule, vin, ecuId, imageSha256)) {
        faults.ledger().injected(rule, vin);
        return outcome;
      }
    }
    return otherwise.boot(ecuId, imageSha256, attempt);
  }

  /** The boot outcome a kind forces, null for a kind that does not act on boots. */
  static BootModel.Outcome outcomeOf(FaultKind kind) {
    return switch (kind) {
      case BOOT_CRASH -> BootModel.Outcome.CRASH;
      case BOOT_HANG -> BootModel.Outcome.HANG;
      case BOOT_SELF_TEST_FAIL -> BootModel.Outcome.SELF_TEST_FAIL;
      default -> null;
    };
  }

  /** Whether the write of {@code imageSha256} ending now fails; counted as injected if so. */
  boolean flashFails(EcuProfile profile, String imageSha256) {
    for (FaultRule rule : acting(Point.ECU, profile)) {
      if (rule.kind() == FaultKind.FLASH_WRITE_ERROR
          && fails(faults.scenarioSeed(), rule, vin, ecuId, imageSha256)) {
        faults.ledger().injected(rule, vin);
        return true;
      }
    }
    return false;
  }

  /**
   * How many bytes of {@code image} are written before power fails, when a {@link
   * FaultKind#POWER_LOSS} rule picks this ECU for the write starting now (counted as injected); -1
   * when power holds.
   */
  long powerLoss(EcuProfile profile, Bank image) {
    for (FaultRule rule : acting(Point.ECU, profile)) {
      if (rule.kind() == FaultKind.POWER_LOSS
          && fails(faults.scenarioSeed(), rule, vin, ecuId, image.sha256())) {
        faults.ledger().injected(rule, vin);
        return powerLossAt(faults.scenarioSeed(), rule, vin + "/" + ecuId, image);
      }
    }
    return -1;
  }

  /**
   * The byte of {@code image} at which {@code rule} cuts the power, 0 to its length less one: the
   * same on every run and attempt with the seed, drawn apart from whether the rule picks the ECU.
   */
  static long powerLossAt(long seed, FaultRule rule, String ecu, Bank image) {
    String key = "power-loss:" + rule.id() + ":" + ecu;
    return (long) (Seeds.draw(seed, key, Seeds.stableHash(image.sha256())) * image.length());
  }

  /** Whether {@code rule} picks this ECU and image: a share {@code rate} (default 1) of them. */
  static boolean fails(long seed, FaultRule rule, String vin, String ecuId, String imageSha256) {
    String key = "boot-fault:" + rule.id() + ":" + vin + "/" + ecuId;
    return Seeds.draw(seed, key, Seeds.stableHash(imageSha256)) < rule.param("rate", 1);
  }

  /**
   * The bytes of the block group {@code data} of download {@code d} (the bytes received before it:
   * {@code d.bytesReceived()}) as they arrive; {@code data} itself when no rule changes them.
   */
  byte[] arriving(EcuProfile profile, EcuState.Download d, byte[] data) {
    byte[] out = data;
    for (FaultRule rule : acting(Point.BUS, profile)) {
      if (rule.kind() != FaultKind.BUS_TAMPERED_IMAGE) {
        continue;
      }
      long at = offset(faults.scenarioSeed(), rule, vin + "/" + ecuId, d.image());
      long from = d.bytesReceived();
      if (at >= from && at < from + out.length) {
        out = out == data ? data.clone() : out;
        out[(int) (at - from)] ^= 0x5a;
        faults.ledger().injected(rule, vin);
      }
    }
    return out;
  }

  /** The offset in the image of the byte the rule changes: the same on every run with the seed. */
  static long offset(long seed, FaultRule rule, String ecu, Bank image) {
    String key = "bus-tamper:" + rule.id() + ":" + ecu;
    return (long) (Seeds.draw(seed, key, Seeds.stableHash(image.sha256())) * image.length());
  }

  /**
   * The ECU refused a download with {@code nr}, persisted. Received bytes whose SHA-256 is not the
   * director's are the image check catching arbitrary software: told to the ledger, so that an
   * image tampered on the bus counts as detected and a refusal nobody caused as a false alarm. The
   * vehicle sees only the ECU's REJECTED result and reports no attack of its own for it.
   */
  void imageRefused(Ecu.NegativeResponse nr) {
    if (nr.nrc() == NegativeResponseCode.GENERAL_PROGRAMMING_FAILURE) {
      faults.ledger().detected(vin, Attack.ARBITRARY_SOFTWARE.name());
    }
  }
}
