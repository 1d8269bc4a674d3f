package io.fleetsim.uptane.client;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.metadata.EcuTargetCustom;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Uptane full verification on the primary: the director and the image repository are each verified
 * through the whole TUF workflow, then every director target must be an image the image repository
 * signed (same length and hashes) for an ECU of this vehicle with that hardware id. A compromised
 * director alone therefore cannot install arbitrary software.
 */
public final class PrimaryVerifier {
  private final RepositoryClient director;
  private final RepositoryClient imageRepository;

  public PrimaryVerifier(byte[] directorRoot, byte[] imageRepositoryRoot) {
    this(new RepositoryClient(directorRoot), new RepositoryClient(imageRepositoryRoot));
  }

  public PrimaryVerifier(RepositoryClient director, RepositoryClient imageRepository) {
    this.director = director;
    this.imageRepository = imageRepository;
  }

  public RepositoryClient director() {
    return director;
  }

  public RepositoryClient imageRepository() {
    return imageRepository;
  }

  public List<VerifiedTarget> verify(
      MetadataFetcher directorFetcher,
      MetadataFetcher imageRepositoryFetcher,
      Map<String, String> inventory,
      Instant now)
      throws VerificationException {
    return verify(directorFetcher, imageRepositoryFetcher, inventory, Map.of(), now);
  }

  /**
   * @param inventory the vehicle's ECUs: serial to hardware id
   * @param installedReleaseCounters release counter of what each ECU runs (absent: 0)
   * @return the targets to install, one per ECU; empty when the director assigns nothing
   */
  public List<VerifiedTarget> verify(
      MetadataFetcher directorFetcher,
      MetadataFetcher imageRepositoryFetcher,
      Map<String, String> inventory,
      Map<String, Long> installedReleaseCounters,
      Instant now)
      throws VerificationException {
    TargetsMetadata directorTargets =
        director.refresh(directorFetcher, now).targets().orElseThrow().signed();
    if (directorTargets.targets().isEmpty()) {
      return List.of();
    }
    List<EcuTargetCustom> ecus = new ArrayList<>();
    Set<String> serials = new HashSet<>();
    for (TargetFile t : directorTargets.targets().values()) {
      EcuTargetCustom ecu = t.ecuCustom();
      if (!serials.add(ecu.ecuSerial())) {
        throw new VerificationException(
            Attack.MALFORMED, "director targets name ECU " + ecu.ecuSerial() + " twice");
      }
      String hw = inventory.get(ecu.ecuSerial());
      if (hw == null) {
        throw new VerificationException(
            Attack.WRONG_ECU,
            "director target "
                + t.name()
                + " is for ECU "
                + ecu.ecuSerial()
                + ", which this vehicle does not have");
      }
      if (!hw.equals(ecu.hardwareId())) {
        throw new VerificationException(
            Attack.WRONG_HARDWARE,
            "director target "
                + t.name()
                + " is for hardware "
                + ecu.hardwareId()
                + ", ECU "
                + ecu.ecuSerial()
                + " is "
                + hw);
      }
      ecus.add(ecu);
    }
    imageRepository.refresh(imageRepositoryFetcher, now);
    List<VerifiedTarget> out = new ArrayList<>();
    int i = 0;
    for (TargetFile t : directorTargets.targets().values()) {
      EcuTargetCustom ecu = ecus.get(i++);
      // Through the image repository's delegations: suppliers sign their own images.
      TargetFile image;
      try {
        image = imageRepository.findTarget(t.name()).orElse(null);
      } catch (FetchException e) {
        throw new IllegalStateException("a name-only fetcher reports no fetch failures", e);
      }
      if (image == null) {
        throw new VerificationException(
            Attack.ARBITRARY_SOFTWARE,
            "director target "
                + t.name()
                + " is not in the image repository (targets v"
                + imageRepository.targets().map(s -> s.version()).orElse(0)
                + ")");
      }
      if (!t.sameContentAs(image)) {
        throw new VerificationException(
            Attack.MIX_AND_MATCH,
            "director and image repository disagree on "
                + t.name()
                + ": director "
                + t.length()
                + " bytes sha256 "
                + t.sha256()
                + ", image repository "
                + image.length()
                + " bytes sha256 "
                + image.sha256());
      }
      Optional<String> imageHw = image.hardwareId();
      if (imageHw.isPresent() && !imageHw.get().equals(ecu.hardwareId())) {
        throw new VerificationException(
            Attack.WRONG_HARDWARE,
            "image "
                + t.name()
                + " is built for "
                + imageHw.get()
                + ", director assigns it to "
                + ecu.hardwareId());
      }
      long installed = installedReleaseCounters.getOrDefault(ecu.ecuSerial(), 0L);
      if (ecu.releaseCounter() < installed) {
        throw new VerificationException(
            Attack.ROLLBACK,
            "target "
                + t.name()
                + " for ECU "
                + ecu.ecuSerial()
                + " has release counter "
                + ecu.releaseCounter()
                + ", installed is "
                + installed);
      }
      out.add(new VerifiedTarget(ecu.ecuSerial(), ecu.hardwareId(), t, ecu.releaseCounter()));
    }
    return out;
  }
}
