package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One delegation of a targets role: which keys sign the delegated role, how many must, and which
 * target paths it is trusted for, by {@code paths} patterns or by {@code path_hash_prefixes} (the
 * specification allows one or the other). {@code terminating} stops the search below this
 * delegation for the paths it covers.
 */
public record DelegatedRole(
    String name,
    List<String> keyIds,
    int threshold,
    boolean terminating,
    List<String> paths,
    List<String> pathHashPrefixes) {
  public DelegatedRole {
    keyIds = List.copyOf(keyIds);
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be at least 1");
    }
    if ((paths == null) == (pathHashPrefixes == null)) {
      throw new IllegalArgumentException(
          "role " + name + " needs either paths or path_hash_prefixes");
    }
    paths = paths == null ? null : List.copyOf(paths);
    pathHashPrefixes = pathHashPrefixes == null ? null : List.copyOf(pathHashPrefixes);
  }

  /** A role trusted for the targets whose paths match one of {@code paths}. */
  public static DelegatedRole forPaths(
      String name, List<String> keyIds, int threshold, boolean terminating, List<String> paths) {
    return new DelegatedRole(name, keyIds, threshold, terminating, paths, null);
  }

  /** Whether this role is trusted for {@code targetPath}. */
  public boolean isDelegatedPath(String targetPath) {
    if (paths != null) {
      for (String p : paths) {
        if (matches(p, targetPath)) {
          return true;
        }
      }
      return false;
    }
    String hash = Hashing.sha256Hex(targetPath.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    for (String prefix : pathHashPrefixes) {
      if (hash.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * TUF path patterns: shell-style per path segment, so {@code *} and {@code ?} never match a
   * {@code /} and pattern and path must have the same number of segments ({@code "a/*"} covers
   * {@code "a/b.bin"} but not {@code "a/b/c.bin"}).
   */
  static boolean matches(String pattern, String path) {
    String[] ps = pattern.split("/", -1);
    String[] ts = path.split("/", -1);
    if (ps.length != ts.length) {
      return false;
    }
    for (int i = 0; i < ps.length; i++) {
      if (!glob(ps[i]).matcher(ts[i]).matches()) {
        return false;
      }
    }
    return true;
  }

  private static Pattern glob(String segment) {
    StringBuilder re = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : segment.toCharArray()) {
      if (c == '*' || c == '?') {
        if (literal.length() > 0) {
          re.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        re.append(c == '*' ? "[^/]*" : "[^/]");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      re.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  public Json.Obj toJson() {
    List<Json> ids = new ArrayList<>();
    keyIds.forEach(id -> ids.add(Json.str(id)));
    List<Json> p = new ArrayList<>();
    (paths != null ? paths : pathHashPrefixes).forEach(s -> p.add(Json.str(s)));
    return Json.obj(
        "name",
        Json.str(name),
        "keyids",
        Json.arr(ids),
        "threshold",
        Json.num(threshold),
        "terminating",
        Json.bool(terminating),
        paths != null ? "paths" : "path_hash_prefixes",
        Json.arr(p));
  }
}
