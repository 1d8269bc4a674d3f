package io.fleetsim.uptane.client;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.metadata.Delegations;
import io.fleetsim.uptane.metadata.Limits;
import io.fleetsim.uptane.metadata.MetaFile;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.Signed;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.metadata.TargetsMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs the TUF client workflow for one repository over a {@link TrustedMetadataSet}: the previously
 * trusted bytes are loaded again first (so rollbacks are caught across restarts), then new ones are
 * fetched only where needed, by the file names the repository's layout calls for: {@code
 * N.snapshot.json}, {@code N.targets.json} and {@code N.ROLE.json} when root says {@code
 * consistent_snapshot}, the plain names otherwise. Targets are looked up through delegations with
 * {@link #findTarget} and fetched with {@link #downloadTarget}.
 *
 * <p>Trust is saved step by step, as the specification stores each role once it is verified: after
 * every refresh, successful or not, {@link #state()} holds the newest root that verified and each
 * later role this refresh verified, and the previously trusted bytes for the roles it did not
 * reach. A failure at snapshot therefore keeps the new root (with its key revocations) and the new
 * timestamp (the rollback baseline); persist {@code state()} after a failed refresh too. Delegated
 * targets are not part of the state: they are fetched again, and checked against the versions the
 * trusted snapshot names, when a lookup needs them.
 */
public final class RepositoryClient {
  /** How many root versions one refresh may walk through before giving up. */
  public static final int MAX_ROOT_ROTATIONS = 32;

  /** How many targets roles one lookup may visit; the search gives up (not found) past that. */
  public static final int MAX_DELEGATIONS = 32;

  private TrustedState state;
  private TrustedMetadataSet last;
  private Source source;

  private List<String> undone = List.of();

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
  /**
   * The fast-forwards the last refresh undid (see {@link TrustedMetadataSet#fastForwardsUndone}),
   * also when it was refused after undoing them.
   */
  public List<String> fastForwardsUndone() {
    return undone;
  }

  public Optional<TrustedMetadataSet> lastRefresh() {
    return Optional.ofNullable(last);
  }

  public Optional<Signed<TargetsMetadata>> targets() {
    return last == null ? Optional.empty() : last.targets();
  }

  /**
   * Refreshes over a name-only fetcher. When root says {@code consistent_snapshot} and the fetcher
   * has no {@code N.snapshot.json} (or {@code N.targets.json}), the plain name is tried, which is
   * what fleetsim's own entities serve; the bytes must still match what the referring metadata
   * says. A missing timestamp, snapshot or targets file is refused as MALFORMED, as before.
   */
  public TrustedMetadataSet refresh(MetadataFetcher fetcher, Instant now)
      throws VerificationException {
    try {
      return refresh(new LegacySource(new LegacyFetcher(fetcher)), now);
    } catch (FetchException e) {
      throw new IllegalStateException("a name-only fetcher reports no fetch failures", e);
    }
  }

  /**
   * Refreshes over a fetcher that is told what it fetches and reports network failures as {@link
   * FetchException}s, not as attacks.
   */
  public TrustedMetadataSet refresh(RepositoryFetcher fetcher, Instant now)
      throws VerificationException, FetchException {
    return refresh(new TypedSource(fetcher), now);
  }

  private TrustedMetadataSet refresh(Source from, Instant now)
      throws VerificationException, FetchException {
    TrustedMetadataSet set = new TrustedMetadataSet(state.root(), now);
    try {
      refresh(set, from);
    } finally {
      state = keepVerified(state, set);
      undone = set.fastForwardsUndone();
    }
    last = set;
    source = from;
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

  private void refresh(TrustedMetadataSet set, Source from)
      throws VerificationException, FetchException {
    updateRootChain(set, from);

    int revokedTimestamp = 0;
    if (state.timestamp() != null) {
      try {
        set.updateTimestamp(state.timestamp());
      } catch (VerificationException e) {
        // Stale, expired or signed by a rotated-out key: the remote one decides.
        revokedTimestamp = revokedVersion(e, state.timestamp());
      }
    }
    set.updateTimestamp(
        from.fetch(
            new MetadataRequest(
                Role.TIMESTAMP.type(), OptionalInt.empty(), "timestamp.json", Limits.TIMESTAMP),
            true));
    noteUndone(set, "timestamp", revokedTimestamp, set.timestamp().orElseThrow().version());

    boolean consistent = set.root().signed().consistentSnapshot();
    MetaFile snapMeta = set.timestamp().orElseThrow().signed().snapshot();
    boolean haveSnapshot = false;
    int revokedSnapshot = 0;
    if (state.snapshot() != null) {
      try {
        set.updateSnapshot(state.snapshot(), true);
        haveSnapshot = true;
      } catch (VerificationException e) {
        // Kept as the rollback baseline if it verified; otherwise dropped.
        revokedSnapshot = revokedVersion(e, state.snapshot());
      }
    }
    if (!haveSnapshot) {
      set.updateSnapshot(
          from.fetch(request("snapshot", snapMeta, consistent, Limits.SNAPSHOT), true));
      noteUndone(set, "snapshot", revokedSnapshot, set.snapshot().orElseThrow().version());
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
      if (targetsMeta == null) {
        throw new VerificationException(
            Attack.MIX_AND_MATCH,
            "snapshot v" + set.snapshot().orElseThrow().version() + " does not list targets.json");
      }
      set.updateTargets(
          from.fetch(request("targets", targetsMeta, consistent, Limits.TARGETS), true));
    }
  }

  /**
   * The version of previously trusted {@code bytes} that failed to load again because its key is no
   * longer trusted (they verified when they were trusted, so a root since revoked it); 0 for any
   * other failure.
   */
  private static int revokedVersion(VerificationException e, byte[] bytes) {
    if (e.attack() != Attack.UNKNOWN_KEY && e.attack() != Attack.THRESHOLD_NOT_MET) {
      return 0;
    }
    try {
      return Signed.parseAny(bytes, bytes.length).version();
    } catch (VerificationException | RuntimeException unreadable) {
      return 0;
    }
  }

  /**
   * A dropped {@code role} of version {@code dropped}, newer than the {@code accepted} one the
   * repository serves now, was a fast-forward the rotation undid (TUF 5.3.11): without the rotation
   * the current metadata would have looked like a rollback forever.
   */
  private static void noteUndone(TrustedMetadataSet set, String role, int dropped, int accepted) {
    if (dropped > accepted) {
      set.fastForwardUndone(
          "trusted "
              + role
              + " v"
              + dropped
              + " was signed by a key root v"
              + set.root().version()
              + " does not trust: dropped, and v"
              + accepted
              + " accepted");
    }
  }

  private static MetadataRequest request(
      String role, MetaFile meta, boolean consistent, long limit) {
    String plain = encodeRoleName(role) + ".json";
    return new MetadataRequest(
        role,
        OptionalInt.of(meta.version()),
        consistent ? meta.version() + "." + plain : plain,
        Math.min(limit, meta.length().orElse(limit)));
  }

  static void updateRootChain(TrustedMetadataSet set, MetadataFetcher fetcher)
      throws VerificationException {
    try {
      updateRootChain(set, new LegacySource(new LegacyFetcher(fetcher)));
    } catch (FetchException e) {
      throw new IllegalStateException("a name-only fetcher reports no fetch failures", e);
    }
  }

  private static void updateRootChain(TrustedMetadataSet set, Source from)
      throws VerificationException, FetchException {
    for (int i = 0; i < MAX_ROOT_ROTATIONS; i++) {
      int next = set.root().version() + 1;
      byte[] data =
          from.fetch(
              new MetadataRequest("root", OptionalInt.of(next), next + ".root.json", Limits.ROOT),
              false);
      if (data == null) {
        return;
      }
      set.updateRoot(data);
    }
  }

  /**
   * The target named {@code targetPath}, searched as the specification says (5.6.7): top-level
   * targets first, then the delegated roles trusted for that path, depth first in the order they
   * are listed, not below a terminating delegation, visiting at most {@link #MAX_DELEGATIONS}
   * roles. Delegated metadata is fetched (from the fetcher of the last refresh) and verified as it
   * is needed. Empty when no role visited lists the path.
   *
   * @throws IllegalStateException before a successful refresh
   */
  public Optional<TargetFile> findTarget(String targetPath)
      throws VerificationException, FetchException {
    if (last == null) {
      throw new IllegalStateException("refresh before looking up targets");
    }
    Deque<String[]> toVisit = new ArrayDeque<>();
    toVisit.push(new String[] {Role.TARGETS.type(), Role.ROOT.type()});
    Set<String> visited = new HashSet<>();
    while (!toVisit.isEmpty() && visited.size() < MAX_DELEGATIONS) {
      String[] next = toVisit.pop();
      String role = next[0];
      if (visited.contains(role)) {
        continue;
      }
      TargetsMetadata md = loadTargets(role, next[1]).signed();
      TargetFile found = md.targets().get(targetPath);
      if (found != null) {
        return Optional.of(found);
      }
      visited.add(role);
      Delegations d = md.delegations();
      if (d == null) {
        continue;
      }
      List<String[]> children = new ArrayList<>();
      for (Delegations.Candidate c : d.rolesFor(targetPath)) {
        children.add(new String[] {c.name(), role});
        if (c.terminating()) {
          // Nothing after a terminating delegation is searched, not even the parents' siblings.
          toVisit.clear();
          break;
        }
      }
      for (int i = children.size() - 1; i >= 0; i--) {
        toVisit.push(children.get(i));
      }
    }
    return Optional.empty();
  }

  /**
   * Every target a lookup would return, by name: the names listed by top-level targets and by the
   * delegated roles reachable from it (at most {@link #MAX_DELEGATIONS} roles, those the snapshot
   * lists), each resolved with {@link #findTarget} so delegation paths, order and terminating
   * apply.
   */
  public Map<String, TargetFile> allTargets() throws VerificationException, FetchException {
    if (last == null) {
      throw new IllegalStateException("refresh before looking up targets");
    }
    Set<String> names = new TreeSet<>();
    Deque<String[]> toVisit = new ArrayDeque<>();
    toVisit.push(new String[] {Role.TARGETS.type(), Role.ROOT.type()});
    Set<String> visited = new HashSet<>();
    Map<String, MetaFile> meta = last.snapshot().orElseThrow().signed().meta();
    while (!toVisit.isEmpty() && visited.size() < MAX_DELEGATIONS) {
      String[] next = toVisit.pop();
      if (!visited.add(next[0])) {
        continue;
      }
      TargetsMetadata md = loadTargets(next[0], next[1]).signed();
      names.addAll(md.targets().keySet());
      Delegations d = md.delegations();
      if (d == null) {
        continue;
      }
      List<String> children = new ArrayList<>();
      if (d.roles() != null) {
        d.roles().forEach(r -> children.add(r.name()));
      } else {
        long bins = 1L << d.succinctRoles().bitLength();
        for (long b = 0; b < bins && b < MAX_DELEGATIONS; b++) {
          children.add(d.succinctRoles().binName(b));
        }
      }
      for (int i = children.size() - 1; i >= 0; i--) {
        if (meta.containsKey(children.get(i) + ".json")) {
          toVisit.push(new String[] {children.get(i), next[0]});
        }
      }
    }
    Map<String, TargetFile> out = new LinkedHashMap<>();
    for (String n : names) {
      findTarget(n).ifPresent(t -> out.put(n, t));
    }
    return out;
  }

  private Signed<TargetsMetadata> loadTargets(String role, String delegator)
      throws VerificationException, FetchException {
    if (role.equals(Role.TARGETS.type())) {
      return last.targets().orElseThrow();
    }
    Optional<Signed<TargetsMetadata>> loaded = last.delegatedTargets(role);
    if (loaded.isPresent()) {
      return loaded.get();
    }
    MetaFile meta = last.snapshot().orElseThrow().signed().meta().get(role + ".json");
    if (meta == null) {
      throw new VerificationException(
          Attack.MIX_AND_MATCH,
          "snapshot v"
              + last.snapshot().orElseThrow().version()
              + " does not list "
              + role
              + ".json, delegated by "
              + delegator);
    }
    boolean consistent = last.root().signed().consistentSnapshot();
    byte[] data = source.fetch(request(role, meta, consistent, Limits.TARGETS), true);
    return last.updateDelegatedTargets(data, role, delegator);
  }

  /**
   * Fetches a target's bytes by the name the layout calls for ({@link #targetFileName}) and checks
   * them against its length and hashes. Refusals name their attack; a fetch that fails is a {@link
   * FetchException}.
   */
  public byte[] downloadTarget(TargetFile target, RepositoryFetcher fetcher)
      throws VerificationException, FetchException {
    if (last == null) {
      throw new IllegalStateException("refresh before downloading targets");
    }
    target.checkableHashes();
    String name = targetFileName(target, last.root().signed().consistentSnapshot());
    FetchResult r = fetcher.fetchTarget(name, target.length());
    if (r instanceof FetchResult.Failed f) {
      throw new FetchException(f.failure(), name, f.detail());
    }
    byte[] data = ((FetchResult.Found) r).data();
    if (data.length > target.length()) {
      throw new VerificationException(
          Attack.ENDLESS_DATA,
          name + " is " + data.length + " bytes, more than the " + target.length() + " listed");
    }
    ImageVerifier.verify(target, data);
    return data;
  }

  /**
   * A target's file name in the repository: {@code dir/HASH.base} under consistent snapshots (the
   * sha256 when listed, else the first other supported hash), {@code dir/base} otherwise.
   */
  public static String targetFileName(TargetFile target, boolean consistentSnapshot) {
    if (!consistentSnapshot) {
      return target.name();
    }
    String hash = null;
    for (String alg : Hashing.SUPPORTED) {
      if (target.hashes().containsKey(alg)) {
        hash = target.hashes().get(alg);
        break;
      }
    }
    if (hash == null) {
      hash = target.hashes().get(new TreeSet<>(target.hashes().keySet()).first());
    }
    int slash = target.name().lastIndexOf('/');
    return target.name().substring(0, slash + 1) + hash + "." + target.name().substring(slash + 1);
  }

  /**
   * A role name as it appears in a file name: percent-encoded except letters, digits, {@code .-_~}.
   */
  static String encodeRoleName(String role) {
    StringBuilder sb = new StringBuilder();
    for (byte b : role.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '-'
          || c == '_'
          || c == '~') {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return sb.toString();
  }

  /** Where a refresh gets bytes; {@code required} says whether absence ends the workflow. */
  private interface Source {
    byte[] fetch(MetadataRequest request, boolean required)
        throws VerificationException, FetchException;
  }

  /** Today's name-only fetchers: a refusal they raise passes through, absence is MALFORMED. */
  private record LegacySource(LegacyFetcher fetcher) implements Source {
    @Override
    public byte[] fetch(MetadataRequest request, boolean required) throws VerificationException {
      byte[] data = fetcher.fetch(request);
      if (data == null && required) {
        throw new VerificationException(
            Attack.MALFORMED, "the repository has no " + request.role() + " metadata");
      }
      return data;
    }
  }

  /** Typed fetchers: a missing required file or a network failure is a FetchException. */
  private record TypedSource(RepositoryFetcher fetcher) implements Source {
    @Override
    public byte[] fetch(MetadataRequest request, boolean required) throws FetchException {
      FetchResult r = fetcher.fetchMetadata(request);
      if (r instanceof FetchResult.Found found) {
        if (found.data().length > request.maxLength()) {
          throw new FetchException(
              FetchFailure.TOO_LARGE,
              request.fileName(),
              "fetcher returned " + found.data().length + " bytes past the limit");
        }
        return found.data();
      }
      FetchResult.Failed f = (FetchResult.Failed) r;
      if (f.failure() == FetchFailure.NOT_FOUND && !required) {
        return null;
      }
      throw new FetchException(f.failure(), request.fileName(), f.detail());
    }
  }
}
