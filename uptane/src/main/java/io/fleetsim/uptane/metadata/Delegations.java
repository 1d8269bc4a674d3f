package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.VerifyingKey;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code targets.delegations}: the keys of delegated roles, and either an ordered list of roles
 * (the order is the search order) or succinct hash bins.
 */
public record Delegations(
    Map<String, VerifyingKey> keys, List<DelegatedRole> roles, SuccinctRoles succinctRoles) {
  private static final Set<String> TOP_LEVEL = Set.of("root", "snapshot", "timestamp", "targets");

  public Delegations {
    keys = Map.copyOf(keys);
    if ((roles == null) == (succinctRoles == null)) {
      throw new IllegalArgumentException("delegations need either roles or succinct_roles");
    }
    roles = roles == null ? null : List.copyOf(roles);
    Set<String> names = new HashSet<>();
    List<List<String>> idLists = new ArrayList<>();
    if (roles != null) {
      for (DelegatedRole r : roles) {
        if (!names.add(r.name())) {
          throw new IllegalArgumentException("delegated role " + r.name() + " listed twice");
        }
        if (TOP_LEVEL.contains(r.name())) {
          throw new IllegalArgumentException("a delegated role cannot be named " + r.name());
        }
        idLists.add(r.keyIds());
      }
    } else {
      idLists.add(succinctRoles.keyIds());
    }
    for (List<String> ids : idLists) {
      for (String id : ids) {
        if (!keys.containsKey(id)) {
          throw new IllegalArgumentException("delegation names a key it does not define: " + id);
        }
      }
    }
  }

  /** Keys, thresholds and paths of the role named {@code name}, if delegated here. */
  public Optional<RoleKeys> keysOf(String name) {
    if (roles != null) {
      for (DelegatedRole r : roles) {
        if (r.name().equals(name)) {
          return Optional.of(new RoleKeys(r.keyIds(), r.threshold()));
        }
      }
      return Optional.empty();
    }
    return succinctRoles.isBin(name)
        ? Optional.of(new RoleKeys(succinctRoles.keyIds(), succinctRoles.threshold()))
        : Optional.empty();
  }

  /** A role to search for a target, with whether the search stops below it. */
  public record Candidate(String name, boolean terminating) {}

  /** The delegated roles trusted for {@code targetPath}, in search order. */
  public List<Candidate> rolesFor(String targetPath) {
    List<Candidate> out = new ArrayList<>();
    if (roles == null) {
      out.add(new Candidate(succinctRoles.roleFor(targetPath), true));
      return out;
    }
    for (DelegatedRole r : roles) {
      if (r.isDelegatedPath(targetPath)) {
        out.add(new Candidate(r.name(), r.terminating()));
      }
    }
    return out;
  }

  public Json.Obj toJson() {
    Map<String, Json> k = new LinkedHashMap<>();
    keys.forEach((id, key) -> k.put(id, key.toJson()));
    if (roles != null) {
      List<Json> rs = new ArrayList<>();
      roles.forEach(r -> rs.add(r.toJson()));
      return Json.obj("keys", Json.obj(k), "roles", Json.arr(rs));
    }
    return Json.obj("keys", Json.obj(k), "succinct_roles", succinctRoles.toJson());
  }

  static Delegations fromJson(Json v, String where) throws VerificationException {
    Json.Obj o = JsonFields.asObj(v, where);
    Map<String, VerifyingKey> keys = new LinkedHashMap<>();
    for (Map.Entry<String, Json> e : JsonFields.obj(o, "keys", where).fields().entrySet()) {
      String kw = where + ".keys." + e.getKey();
      RootMetadata.checkKeyId(e.getKey(), e.getValue(), kw);
      keys.put(e.getKey(), RootMetadata.readKey(e.getValue(), kw));
    }
    try {
      if (o.has("succinct_roles")) {
        if (o.has("roles")) {
          throw JsonFields.malformed(where, "has both roles and succinct_roles");
        }
        String sw = where + ".succinct_roles";
        Json.Obj s = JsonFields.obj(o, "succinct_roles", where);
        return new Delegations(
            keys,
            null,
            new SuccinctRoles(
                strings(s, "keyids", sw),
                count(s, "threshold", sw),
                count(s, "bit_length", sw),
                JsonFields.str(s, "name_prefix", sw)));
      }
      List<DelegatedRole> roles = new ArrayList<>();
      int i = 0;
      for (Json item : JsonFields.arr(o, "roles", where).items()) {
        String rw = where + ".roles[" + i++ + "]";
        Json.Obj r = JsonFields.asObj(item, rw);
        List<String> ids = strings(r, "keyids", rw);
        if (new HashSet<>(ids).size() != ids.size()) {
          throw JsonFields.malformed(rw, "a key id is listed twice");
        }
        roles.add(
            new DelegatedRole(
                JsonFields.str(r, "name", rw),
                ids,
                count(r, "threshold", rw),
                r.has("terminating") && JsonFields.bool(r, "terminating", rw),
                r.has("paths") ? strings(r, "paths", rw) : null,
                r.has("path_hash_prefixes") ? strings(r, "path_hash_prefixes", rw) : null));
      }
      return new Delegations(keys, roles, null);
    } catch (IllegalArgumentException e) {
      throw JsonFields.malformed(where, e.getMessage());
    }
  }

  private static int count(Json.Obj o, String key, String where) throws VerificationException {
    long n = JsonFields.num(o, key, where);
    if (n < 1 || n > Integer.MAX_VALUE) {
      throw JsonFields.malformed(where + "." + key, "must be a positive count, got " + n);
    }
    return (int) n;
  }

  private static List<String> strings(Json.Obj o, String key, String where)
      throws VerificationException {
    List<String> out = new ArrayList<>();
    for (Json s : JsonFields.arr(o, key, where).items()) {
      out.add(JsonFields.asStr(s, where + "." + key));
    }
    return out;
  }
}
