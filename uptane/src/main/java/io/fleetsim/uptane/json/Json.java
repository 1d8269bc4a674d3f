package io.fleetsim.uptane.json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON values canonical JSON allows: no floating point numbers, so integers are {@code long}.
 * Objects keep their keys sorted the canonical way so writing is a single pass.
 */
public sealed interface Json {

  record Obj(Map<String, Json> fields) implements Json {
    public Obj {
      // Canonical input arrives sorted; only re-sort (the slower path) when it does not.
      boolean sorted = true;
      String prev = null;
      for (String k : fields.keySet()) {
        if (prev != null && CanonicalJson.KEY_ORDER.compare(prev, k) >= 0) {
          sorted = false;
          break;
        }
        prev = k;
      }
      if (sorted) {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
      } else {
        TreeMap<String, Json> t = new TreeMap<>(CanonicalJson.KEY_ORDER);
        t.putAll(fields);
        fields = Collections.unmodifiableMap(t);
      }
    }

    public Json get(String key) {
      return fields.get(key);
    }

    public boolean has(String key) {
      return fields.containsKey(key);
    }
  }

  record Arr(List<Json> items) implements Json {
    public Arr {
      items = List.copyOf(items);
    }
  }

  record Str(String value) implements Json {
    public Str {
      java.util.Objects.requireNonNull(value);
    }
  }

  record Int(long value) implements Json {}

  record Bool(boolean value) implements Json {}

  record Null() implements Json {}

  Null NULL = new Null();

  static Str str(String s) {
    return new Str(s);
  }

  static Int num(long n) {
    return new Int(n);
  }

  static Bool bool(boolean b) {
    return new Bool(b);
  }

  static Arr arr(List<? extends Json> items) {
    return new Arr(List.copyOf(items));
  }

  /** Builds an object from alternating key/value pairs. */
  static Obj obj(Object... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("odd number of key/value arguments");
    }
    Map<String, Json> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], (Json) keyValues[i + 1]);
    }
    return new Obj(m);
  }

  static Obj obj(Map<String, ? extends Json> fields) {
    return new Obj(Map.copyOf(fields));
  }
}
