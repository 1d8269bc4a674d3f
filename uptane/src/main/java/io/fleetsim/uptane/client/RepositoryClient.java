package io.fleetsim.uptane.client;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.metadata.Limits;
import io.fleetsim.uptane.metadata.MetaFile;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import java.time.Instant;
import java.util.Optional;

/**
 * Runs the TUF client workflow for one repository over a {@link TrustedMetadataSet}: the previously
 * trusted bytes are loaded again first (so rollbacks are caught across restarts), then new ones are
 * fetched only where needed.
 *
 * <p>Trust is saved step by step, as the specification stores each role once it is verified: after
 * every refresh, successful or not, {@link #state()} holds the newest root that verified and each
 * later role this refresh verified, and the previously trusted bytes for the roles it did not
 * reach. A failure at snapshot therefore keeps the new root (with its key revocations) and the new
 * timestamp (the rollback baseline); persist {@code state()} after a failed refresh too.
 */
public final class RepositoryClient {
  /** How many root versions one refresh may walk through before giving up. */
  public static final int MAX_ROOT_ROTATIONS = 32;

  private TrustedState state;
  private TrustedMetadataSet last;

  public RepositoryClient(byte[] trustedRoot) {
    this(TrustedState.ofRoot(trustedRoot));
  }

  public RepositoryClient(TrustedState state) {
    this.state = state;
  }

  /** The trusted bytes to persist, updated step by step (see the class comment). */
  public TrustedState state() {
    return state;
  }

  /** The metadata set of the last successful refresh, if any. */
  public Optional<TrustedMetadataSet> lastRefresh() {
    return Optional.ofNullable(last);
  }

  public Optional<Signed<TargetsMetadata>> targets() {
    return last == null ? Optional.empty() : last.targets();
  }

  public TrustedMetadataSet refresh(MetadataFetcher fetcher, Instant now)
      throws VerificationException {
    TrustedMetadataSet set = new TrustedMetadataSet(state.root(), now);
    try {
      refresh(set, fetcher);
    } finally {
      state = keepVerified(state, set);
    }
    last = set;
    return set;
  }

  /**
   * What {@code set} verified, and for the roles it has not reached the previously trusted bytes
   * (if a new root revoked their keys, they fail to load next time and are dropped then).
   */
  private static TrustedState keepVerified(TrustedState before, TrustedMetadataSet set) {
    return new TrustedState(
        set.rootBytes(),
        set.timestampBytes().orElse(before.timestamp()),
        set.snapshotBytes().orElse(before.snapshot()),
        set.targetsBytes().orElse(before.targets()));
  }

  private void refresh(TrustedMetadataSet set, MetadataFetcher fetcher)
      throws VerificationException {
    updateRootChain(set, fetcher);

    if (state.timestamp() != null) {
      try {
        set.updateTimestamp(state.timestamp());
      } catch (VerificationException ignored) {
        // Stale, expired or signed by a rotated-out key: the remote one decides.
      }
    }
    set.updateTimestamp(
        require(fetcher.fetch(Role.TIMESTAMP.fileName(), Limits.TIMESTAMP), "timestamp"));

    MetaFile snapMeta = set.timestamp().orElseThrow().signed().snapshot();
    boolean haveSnapshot = false;
    if (state.snapshot() != null) {
      try {
        set.updateSnapshot(state.snapshot(), true);
        haveSnapshot = true;
      } catch (VerificationException ignored) {
        // Kept as the rollback baseline if it verified; otherwise dropped.
      }
    }
    if (!haveSnapshot) {
      long max = snapMeta.length().orElse(Limits.SNAPSHOT);
      set.updateSnapshot(require(fetcher.fetch(Role.SNAPSHOT.fileName(), max), "snapshot"));
    }

    boolean haveTargets = false;
    if (state.targets() != null) {
      try {
        set.updateTargets(state.targets());
        haveTargets = true;
      } catch (VerificationException ignored) {
        // Not the targets snapshot names: fetch the current one.
      }
    }
    if (!haveTargets) {
      MetaFile targetsMeta =
          set.snapshot().orElseThrow().signed().meta().get(Role.TARGETS.fileName());
      long max = targetsMeta == null ? Limits.TARGETS : targetsMeta.length().orElse(Limits.TARGETS);
      set.updateTargets(require(fetcher.fetch(Role.TARGETS.fileName(), max), "targets"));
    }
  }

  static void updateRootChain(TrustedMetadataSet set, MetadataFetcher fetcher)
      throws VerificationException {
    for (int i = 0; i < MAX_ROOT_ROTATIONS; i++) {
      int next = set.root().version() + 1;
      byte[] data = fetcher.fetch(next + ".root.json", Limits.ROOT);
      if (data == null) {
        return;
      }
      set.updateRoot(data);
    }
  }

  private static byte[] require(byte[] data, String what) throws VerificationException {
    if (data == null) {
      throw new VerificationException(
          Attack.MALFORMED, "the repository has no " + what + " metadata");
    }
    return data;
  }
}
