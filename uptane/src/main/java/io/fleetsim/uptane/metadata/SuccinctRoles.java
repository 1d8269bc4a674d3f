package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.crypto.Hashing;
import io.fleetsim.uptane.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Succinct hash bin delegation (TAP 15): {@code 2^bitLength} roles named {@code NAMEPREFIX-HEX},
 * all signed by the same keys, each trusted for the targets whose path hash starts with its bin
 * number. Each bin is terminating.
 */
public record SuccinctRoles(List<String> keyIds, int threshold, int bitLength, String namePrefix) {
  public SuccinctRoles {
    keyIds = List.copyOf(keyIds);
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be at least 1");
    }
    if (bitLength < 1 || bitLength > 32) {
      throw new IllegalArgumentException("bit_length must be 1..32, got " + bitLength);
    }
  }

  /** The bin role responsible for {@code targetPath}. */
  public String roleFor(String targetPath) {
    byte[] h = Hashing.sha256(targetPath.getBytes(StandardCharsets.UTF_8));
    long first32 =
        ((h[0] & 0xffL) << 24) | ((h[1] & 0xffL) << 16) | ((h[2] & 0xffL) << 8) | (h[3] & 0xffL);
    long bin = first32 >>> (32 - bitLength);
    return binName(bin);
  }

  /** The name of bin number {@code bin}. */
  public String binName(long bin) {
    int digits = (bitLength + 3) / 4;
    return namePrefix + "-" + String.format("%0" + digits + "x", bin);
  }

  /** Whether {@code roleName} is one of these bins. */
  public boolean isBin(String roleName) {
    if (!roleName.startsWith(namePrefix + "-")) {
      return false;
    }
    String suffix = roleName.substring(namePrefix.length() + 1);
    int digits = (bitLength + 3) / 4;
    if (suffix.length() != digits || !suffix.matches("[0-9a-f]+")) {
      return false;
    }
    return Long.parseLong(suffix, 16) < (1L << bitLength);
  }

  public Json.Obj toJson() {
    List<Json> ids = new ArrayList<>();
    keyIds.forEach(id -> ids.add(Json.str(id)));
    return Json.obj(
        "keyids", Json.arr(ids),
        "threshold", Json.num(threshold),
        "bit_length", Json.num(bitLength),
        "name_prefix", Json.str(namePrefix));
  }
}
