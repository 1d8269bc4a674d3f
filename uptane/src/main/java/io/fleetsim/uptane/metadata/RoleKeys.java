package io.fleetsim.uptane.metadata;

import io.fleetsim.uptane.json.Json;
import java.util.ArrayList;
import java.util.List;

/** Root's entry for one role: the key ids allowed to sign it and how many must. */
public record RoleKeys(List<String> keyIds, int threshold) {
  public RoleKeys {
    keyIds = List.copyOf(keyIds);
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be at least 1");
    }
  }

  public Json.Obj toJson() {
    List<Json> ids = new ArrayList<>();
    for (String id : keyIds) {
      ids.add(Json.str(id));
    }
    return Json.obj("keyids", Json.arr(ids), "threshold", Json.num(threshold));
  }
}
