package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.VerificationException;
import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonFields;
import io.fleetsim.uptane.json.JsonParser;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One entry of targets metadata: a target path, its length, its hashes and an optional {@code
 * custom} object ({@code null} when absent). fleetsim always writes sha256; targets made by other
 * tools may list only other algorithms (sha512, ...), and a target listing none this client
 * supports is refused when it is checked ({@link #checkableHashes()}), not when it is parsed.
 */
public record TargetFile(String name, long length, Map<String, String> hashes, Json custom) {
  public TargetFile {
    String problem = nameProblem(name);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    if (length < 0) {
      throw new IllegalArgumentException("length must not be negative");
    }
    hashes = Map.copyOf(hashes);
    if (hashes.isEmpty()) {
      throw new IllegalArgumentException("a target needs at least one hash");
    }
    String problem2 = hashProblem(hashes);
    if (problem2 != null) {
      throw new IllegalArgumentException(problem2);
    }
  }

  /** Supported algorithms must have digests of their length in lower-case hex. */
  static String hashProblem(Map<String, String> hashes) {
    for (Map.Entry<String, String> e : hashes.entrySet()) {
      int bytes =
          switch (e.getKey()) {
            case "sha256" -> 32;
            case "sha384" -> 48;
            case "sha512" -> 64;
            default -> -1;
          };
      if (bytes > 0 && !Hex.isLowerHex(e.getValue(), bytes)) {
        return "a " + e.getKey() + " hash must be " + 2 * bytes + " lower-case hex digits";
      }
    }
    return null;
  }

  /**
   * The listed hashes this client can check (all of them are checked), or ARBITRARY_SOFTWARE when
   * there is none: such a target cannot be verified, while the rest of its metadata still can.
   */
  public Map<String, String> checkableHashes() throws VerificationException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String alg : Hashing.SUPPORTED) {
      String h = hashes.get(alg);
      if (h != null) {
        out.put(alg, h);
      }
    }
    if (out.isEmpty()) {
      throw new VerificationException(
          io.fleetsim.uptane.Attack.ARBITRARY_SOFTWARE,
          "target "
              + name
              + " lists only hash algorithms this client cannot check: "
              + hashes.keySet());
    }
    return out;
  }

  /** Describes image bytes as a target. */
  public static TargetFile of(String name, byte[] image, Json custom) {
    return new TargetFile(name, image.length, Map.of("sha256", Hashing.sha256Hex(image)), custom);
  }

  /** The sha256 hex digest, or {@code null} for a target (from another tool) listing none. */
  public String sha256() {
    return hashes.get("sha256");
  }

  public TargetFile withCustom(Json newCustom) {
    return new TargetFile(name, length, hashes, newCustom);
  }

  /** This image assigned to one ECU, as the director lists it. */
  public TargetFile forEcu(EcuTargetCustom ecu) {
    return withCustom(ecu.toJson());
  }

  /** The director's per-ECU fields; MALFORMED when absent or incomplete. */
  public EcuTargetCustom ecuCustom() throws VerificationException {
    if (custom == null) {
      throw JsonFields.malformed("target " + name, "no custom ECU fields");
    }
    return EcuTargetCustom.fromJson(custom, "target " + name + ".custom");
  }

  /** {@code custom.hardware_id} if present (image repositories may record it). */
  public Optional<String> hardwareId() {
    if (custom instanceof Json.Obj o && o.get("hardware_id") instanceof Json.Str s) {
      return Optional.of(s.value());
    }
    return Optional.empty();
  }

  /** Whether the bytes described are the same: same length and the same common hashes. */
  public boolean sameContentAs(TargetFile other) {
    if (length != other.length) {
      return false;
    }
    boolean anyCommon = false;
    for (Map.Entry<String, String> e : hashes.entrySet()) {
      String o = other.hashes.get(e.getKey());
      if (o != null) {
        anyCommon = true;
        if (!o.equals(e.getValue())) {
          return false;
        }
      }
    }
    return anyCommon;
  }

  /** The fileinfo object (without the name, which is its key in {@code targets}). */
  public Json.Obj toJson() {
    Map<String, Json> m = new LinkedHashMap<>();
    m.put("length", Json.num(length));
    m.put("hashes", hashesJson(hashes));
    if (custom != null) {
      m.put("custom", custom);
    }
    return Json.obj(m);
  }

  static Json.Obj hashesJson(Map<String, String> hashes) {
    Map<String, Json> h = new LinkedHashMap<>();
    hashes.forEach((k, v) -> h.put(k, Json.str(v)));
    return Json.obj(h);
  }

  public static TargetFile fromJson(String name, Json v, String where)
      throws VerificationException {
    String problem = nameProblem(name);
    if (problem != null) {
      throw JsonFields.malformed(where, problem);
    }
    Json.Obj o = JsonFields.asObj(v, where);
    long length = JsonFields.nonNegative(o, "length", where);
    Map<String, String> hashes = readHashes(o, where);
    String problem2 = hashProblem(hashes);
    if (problem2 != null) {
      throw JsonFields.malformed(where + ".hashes", problem2);
    }
    return new TargetFile(name, length, hashes, o.get("custom"));
  }

  static Map<String, String> readHashes(Json.Obj o, String where) throws VerificationException {
    Json.Obj h = JsonFields.obj(o, "hashes", where);
    if (h.fields().isEmpty()) {
      throw JsonFields.malformed(where + ".hashes", "must not be empty");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Json> e : h.fields().entrySet()) {
      String value = JsonFields.asStr(e.getValue(), where + ".hashes." + e.getKey());
      if (value.isEmpty() || (value.length() & 1) != 0) {
        throw JsonFields.malformed(where + ".hashes." + e.getKey(), "not a hex digest");
      }
      out.put(e.getKey(), value);
    }
    return out;
  }

  /** A path that is safe to use below a targets directory; null when acceptable. */
  public static String nameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "target name must not be empty";
    }
    if (name.length() > 1024) {
      return "target name longer than 1024 characters";
    }
    if (name.startsWith("/") || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
      return "target name must be a relative path with '/' separators: \"" + name + "\"";
    }
    for (String seg : name.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        return "target name has an empty, '.' or '..' segment: \"" + name + "\"";
      }
    }
    return null;
  }

  /** Canonical bytes of {@code {"name":...,"fileinfo":...}}, for storing a target elsewhere. */
  public byte[] toCanonicalBytes() {
    return CanonicalJson.write(Json.obj("name", Json.str(name), "fileinfo", toJson()));
  }

  public static TargetFile parse(byte[] bytes) throws VerificationException {
    Json.Obj o = JsonFields.asObj(JsonParser.parse(bytes, 1 << 20), "target");
    return fromJson(
        JsonFields.str(o, "name", "target"), JsonFields.require(o, "fileinfo", "target"), "target");
  }
}
