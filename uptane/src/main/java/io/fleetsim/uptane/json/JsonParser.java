package io.fleetsim.uptane.json;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON parser for untrusted metadata: integers only (floats and exponents refused),
 * duplicate keys refused, strict UTF-8, a depth limit against stack exhaustion and a size limit
 * checked before any byte is read. Every failure is a {@link VerificationException}, never a
 * runtime exception.
 *
 * <p>While parsing it notices whether the input is already in canonical form, so the bytes of a
 * signed part can be used for signature checks as they are instead of being re-serialised. Raw
 * control characters inside strings are accepted because the canonical form writes them raw and we
 * must read what we write.
 */
public final class JsonParser {
  public static final int DEFAULT_MAX_DEPTH = 32;

  /** A parsed envelope and the canonical bytes of its {@code signed} member. */
  public record Envelope(Json.Obj root, Json signed, byte[] signedCanonical) {}

  private final byte[] in;
  private final int maxDepth;
  private int pos;
  private int nonCanonical;
  private int signedStart = -1;
  private int signedEnd = -1;
  private boolean signedCanonical;

  private JsonParser(byte[] in, int maxDepth) {
    this.in = in;
    this.maxDepth = maxDepth;
  }

  public static Json parse(byte[] data, int maxLength) throws VerificationException {
    return parse(data, maxLength, DEFAULT_MAX_DEPTH);
  }

  public static Json parse(byte[] data, int maxLength, int maxDepth) throws VerificationException {
    checkSize(data, maxLength);
    JsonParser p = new JsonParser(data, maxDepth);
    return p.parseDocument();
  }

  /**
   * Parses {@code {"signatures":[...],"signed":{...}}} and returns the canonical bytes of the
   * signed part, taken from the input when it was canonical already.
   */
  public static Envelope parseEnvelope(byte[] data, int maxLength) throws VerificationException {
    checkSize(data, maxLength);
    JsonParser p = new JsonParser(data, DEFAULT_MAX_DEPTH);
    Json doc = p.parseDocument();
    if (!(doc instanceof Json.Obj root)) {
      throw malformed("metadata is not a JSON object");
    }
    Json signed = root.get("signed");
    if (!(signed instanceof Json.Obj)) {
      throw malformed("envelope has no 'signed' object");
    }
    byte[] canonical =
        p.signedCanonical
            ? java.util.Arrays.copyOfRange(data, p.signedStart, p.signedEnd)
            : CanonicalJson.write(signed);
    return new Envelope(root, signed, canonical);
  }

  private static void checkSize(byte[] data, int maxLength) throws VerificationException {
    if (data == null) {
      throw malformed("no data");
    }
    if (data.length > maxLength) {
      throw new VerificationException(
          Attack.ENDLESS_DATA,
          "document of " + data.length + " bytes exceeds the limit of " + maxLength);
    }
  }

  private static VerificationException malformed(String msg) {
    return new VerificationException(Attack.MALFORMED, msg);
  }

  private VerificationException error(String msg) {
    return malformed(msg + " at byte " + pos);
  }

  private Json parseDocument() throws VerificationException {
    skipWs();
    if (pos >= in.length) {
      throw error("empty document");
    }
    Json v = parseValue(0, true);
    skipWs();
    if (pos != in.length) {
      throw error("trailing data after JSON value");
    }
    return v;
  }

  private void skipWs() {
    while (pos < in.length) {
      byte b = in[pos];
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        pos++;
        nonCanonical++;
      } else {
        return;
      }
    }
  }

  private Json parseValue(int depth, boolean top) throws VerificationException {
    if (depth > maxDepth) {
      throw error("nesting deeper than " + maxDepth);
    }
    if (pos >= in.length) {
      throw error("unexpected end of input");
    }
    byte b = in[pos];
    switch (b) {
      case '{':
        return parseObject(depth, top);
      case '[':
        return parseArray(depth);
      case '"':
        return new Json.Str(parseString());
      case 't':
        expectLiteral("true");
        return Json.bool(true);
      case 'f':
        expectLiteral("false");
        return Json.bool(false);
      case 'n':
        expectLiteral("null");
        return Json.NULL;
      default:
        if (b == '-' || (b >= '0' && b <= '9')) {
          return parseNumber();
        }
        throw error("unexpected character '" + printable(b) + "'");
    }
  }

  private static String printable(byte b) {
    int c = b & 0xff;
    return c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c);
  }

  private void expectLiteral(String lit) throws VerificationException {
    if (pos + lit.length() > in.length) {
      throw error("truncated literal");
    }
    for (int i = 0; i < lit.length(); i++) {
      if (in[pos + i] != lit.charAt(i)) {
        throw error("invalid literal");
      }
    }
    pos += lit.length();
  }

  private Json parseObject(int depth, boolean top) throws VerificationException {
    pos++; // '{'
    Map<String, Json> fields = new LinkedHashMap<>();
    skipWs();
    if (pos < in.length && in[pos] == '}') {
      pos++;
      return new Json.Obj(fields);
    }
    String prev = null;
    while (true) {
      skipWs();
      if (pos >= in.length || in[pos] != '"') {
        throw error("expected a string key");
      }
      String key = parseString();
      if (fields.containsKey(key)) {
        throw error("duplicate key \"" + key + "\"");
      }
      if (prev != null && CanonicalJson.compareCodePoints(prev, key) >= 0) {
        nonCanonical++;
      }
      prev = key;
      skipWs();
      if (pos >= in.length || in[pos] != ':') {
        throw error("expected ':'");
      }
      pos++;
      skipWs();
      int start = pos;
      int ncBefore = nonCanonical;
      Json value = parseValue(depth + 1, false);
      if (top && key.equals("signed")) {
        signedStart = start;
        signedEnd = pos;
        signedCanonical = nonCanonical == ncBefore;
      }
      fields.put(key, value);
      skipWs();
      if (pos >= in.length) {
        throw error("unterminated object");
      }
      byte b = in[pos++];
      if (b == '}') {
        return new Json.Obj(fields);
      }
      if (b != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private Json parseArray(int depth) throws VerificationException {
    pos++; // '['
    List<Json> items = new ArrayList<>();
    skipWs();
    if (pos < in.length && in[pos] == ']') {
      pos++;
      return new Json.Arr(items);
    }
    while (true) {
      skipWs();
      items.add(parseValue(depth + 1, false));
      skipWs();
      if (pos >= in.length) {
        throw error("unterminated array");
      }
      byte b = in[pos++];
      if (b == ']') {
        return new Json.Arr(items);
      }
      if (b != ',') {
        throw error("expected ',' or ']'");
      }
    }
  }

  private Json parseNumber() throws VerificationException {
    int start = pos;
    boolean negative = false;
    if (in[pos] == '-') {
      negative = true;
      pos++;
    }
    int digitsStart = pos;
    while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
      pos++;
    }
    int digits = pos - digitsStart;
    if (digits == 0) {
      throw error("invalid number");
    }
    if (pos < in.length && (in[pos] == '.' || in[pos] == 'e' || in[pos] == 'E')) {
      throw error("floating point numbers are not allowed in canonical JSON");
    }
    if (digits > 1 && in[digitsStart] == '0') {
      throw error("leading zeros are not allowed");
    }
    if (digits > 19) {
      throw error("integer out of range");
    }
    long value = 0;
    try {
      for (int i = digitsStart; i < pos; i++) {
        value = Math.addExact(Math.multiplyExact(value, 10), in[i] - '0');
      }
    } catch (ArithmeticException e) {
      pos = start;
      throw error("integer out of range");
    }
    if (negative && value == 0) {
      nonCanonical++; // "-0" reads as 0 but is not how 0 is written
    }
    return Json.num(negative ? -value : value);
  }

  private String parseString() throws VerificationException {
    pos++; // opening quote
    int start = pos;
    boolean ascii = true;
    // Fast path: no escapes, often all ASCII.
    while (pos < in.length) {
      byte b = in[pos];
      if (b == '"') {
        String s =
            ascii
                ? new String(in, start, pos - start, StandardCharsets.ISO_8859_1)
                : decodeUtf8(start, pos);
        pos++;
        return s;
      }
      if (b == '\\') {
        break;
      }
      if (b < 0) {
        ascii = false;
      }
      pos++;
    }
    if (pos >= in.length) {
      throw error("unterminated string");
    }
    StringBuilder sb = new StringBuilder(pos - start + 16);
    sb.append(
        ascii
            ? new String(in, start, pos - start, StandardCharsets.ISO_8859_1)
            : decodeUtf8(start, pos));
    while (true) {
      if (pos >= in.length) {
        throw error("unterminated string");
      }
      byte b = in[pos];
      if (b == '"') {
        pos++;
        return sb.toString();
      }
      if (b == '\\') {
        pos++;
        if (pos >= in.length) {
          throw error("unterminated escape");
        }
        byte e = in[pos++];
        switch (e) {
          case '"':
            sb.append('"');
            break;
          case '\\':
            sb.append('\\');
            break;
          case '/':
            nonCanonical++;
            sb.append('/');
            break;
          case 'b':
            nonCanonical++;
            sb.append('\b');
            break;
          case 'f':
            nonCanonical++;
            sb.append('\f');
            break;
          case 'n':
            nonCanonical++;
            sb.append('\n');
            break;
          case 'r':
            nonCanonical++;
            sb.append('\r');
            break;
          case 't':
            nonCanonical++;
            sb.append('\t');
            break;
          case 'u':
            nonCanonical++;
            char c = readHex4();
            if (Character.isHighSurrogate(c)) {
              if (pos + 6 <= in.length && in[pos] == '\\' && in[pos + 1] == 'u') {
                pos += 2;
                char low = readHex4();
                if (!Character.isLowSurrogate(low)) {
                  throw error("high surrogate not followed by a low surrogate");
                }
                sb.append(c).append(low);
              } else {
                throw error("lone high surrogate");
              }
            } else if (Character.isLowSurrogate(c)) {
              throw error("lone low surrogate");
            } else {
              sb.append(c);
            }
            break;
          default:
            pos--;
            throw error("invalid escape");
        }
      } else {
        int runStart = pos;
        boolean runAscii = true;
        while (pos < in.length && in[pos] != '"' && in[pos] != '\\') {
          if (in[pos] < 0) {
            runAscii = false;
          }
          pos++;
        }
        sb.append(
            runAscii
                ? new String(in, runStart, pos - runStart, StandardCharsets.ISO_8859_1)
                : decodeUtf8(runStart, pos));
      }
    }
  }

  private char readHex4() throws VerificationException {
    if (pos + 4 > in.length) {
      throw error("truncated \\u escape");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(in[pos + i], 16);
      if (d < 0) {
        throw error("invalid hex digit in \\u escape");
      }
      v = (v << 4) | d;
    }
    pos += 4;
    return (char) v;
  }

  private String decodeUtf8(int from, int to) throws VerificationException {
    try {
      CharBuffer cb =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(in, from, to - from));
      return cb.toString();
    } catch (CharacterCodingException e) {
      throw malformed("invalid UTF-8 in string starting at byte " + from);
    }
  }
}
