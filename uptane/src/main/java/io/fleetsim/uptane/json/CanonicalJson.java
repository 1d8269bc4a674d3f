package io.fleetsim.uptane.json;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes {@link Json} in the OLPC canonical form TUF signs over: keys sorted by Unicode code point
 * (the order of their UTF-8 bytes, as securesystemslib sorts them), no whitespace, strings as raw
 * UTF-8 where only {@code "} and {@code \} are escaped. Also writes an indented form for people,
 * which escapes control characters like ordinary JSON.
 */
public final class CanonicalJson {
  private CanonicalJson() {}

  /** Code point order; {@link String#compareTo} would order by UTF-16 units and differ. */
  public static final Comparator<String> KEY_ORDER = CanonicalJson::compareCodePoints;

  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  public static byte[] write(Json value) {
    Out out = new Out(256);
    writeCanonical(value, out);
    return out.toByteArray();
  }

  private static void writeCanonical(Json value, Out out) {
    if (value instanceof Json.Obj o) {
      out.write('{');
      boolean first = true;
      for (Map.Entry<String, Json> e : o.fields().entrySet()) {
        if (!first) {
          out.write(',');
        }
        first = false;
        writeCanonicalString(e.getKey(), out);
        out.write(':');
        writeCanonical(e.getValue(), out);
      }
      out.write('}');
    } else if (value instanceof Json.Arr a) {
      out.write('[');
      Iterator<Json> it = a.items().iterator();
      while (it.hasNext()) {
        writeCanonical(it.next(), out);
        if (it.hasNext()) {
          out.write(',');
        }
      }
      out.write(']');
    } else if (value instanceof Json.Str s) {
      writeCanonicalString(s.value(), out);
    } else if (value instanceof Json.Int n) {
      out.writeAscii(Long.toString(n.value()));
    } else if (value instanceof Json.Bool b) {
      out.writeAscii(b.value() ? "true" : "false");
    } else {
      out.writeAscii("null");
    }
  }

  private static void writeCanonicalString(String s, Out out) {
    out.write('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.write('\\');
        out.write(c);
      } else if (c < 0x80) {
        out.write(c);
      } else {
        // Non-ASCII tail: encode the rest at once (a lone surrogate cannot be valid UTF-8).
        int end = i;
        while (end < s.length() && s.charAt(end) >= 0x80) {
          end++;
        }
        String chunk = s.substring(i, end);
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(chunk)) {
          throw new IllegalArgumentException("string is not valid Unicode (lone surrogate)");
        }
        out.writeBytes(chunk.getBytes(StandardCharsets.UTF_8));
        i = end - 1;
      }
    }
    out.write('"');
  }

  /** Indented JSON (two spaces, sorted keys) for files people read; ends with a newline. */
  public static byte[] pretty(Json value) {
    StringBuilder sb = new StringBuilder(256);
    writePretty(value, sb, 0);
    sb.append('\n');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void indent(StringBuilder sb, int level) {
    sb.append('\n');
    for (int i = 0; i < level; i++) {
      sb.append("  ");
    }
  }

  private static void writePretty(Json value, StringBuilder sb, int level) {
    if (value instanceof Json.Obj o) {
      if (o.fields().isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, Json> e : o.fields().entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        indent(sb, level + 1);
        writeEscaped(e.getKey(), sb);
        sb.append(": ");
        writePretty(e.getValue(), sb, level + 1);
      }
      indent(sb, level);
      sb.append('}');
    } else if (value instanceof Json.Arr a) {
      if (a.items().isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      boolean first = true;
      for (Json item : a.items()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        indent(sb, level + 1);
        writePretty(item, sb, level + 1);
      }
      indent(sb, level);
      sb.append(']');
    } else if (value instanceof Json.Str s) {
      writeEscaped(s.value(), sb);
    } else if (value instanceof Json.Int n) {
      sb.append(n.value());
    } else if (value instanceof Json.Bool b) {
      sb.append(b.value());
    } else {
      sb.append("null");
    }
  }

  private static void writeEscaped(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** A growable byte buffer without the synchronisation of ByteArrayOutputStream. */
  static final class Out {
    private byte[] buf;
    private int len;

    Out(int capacity) {
      buf = new byte[capacity];
    }

    private void ensure(int extra) {
      if (len + extra > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
      }
    }

    void write(int b) {
      ensure(1);
      buf[len++] = (byte) b;
    }

    void writeAscii(String s) {
      ensure(s.length());
      for (int i = 0; i < s.length(); i++) {
        buf[len++] = (byte) s.charAt(i);
      }
    }

    void writeBytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(buf, len);
    }
  }
}
