package io.fleetsim.uptane.json;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.VerificationException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Typed reads of untrusted JSON: a missing member or a member of the wrong type is a MALFORMED
 * refusal naming where it was, never a ClassCastException or NullPointerException.
 */
public final class JsonFields {
  private JsonFields() {}

  public static VerificationException malformed(String where, String what) {
    return new VerificationException(Attack.MALFORMED, where + ": " + what);
  }

  public static Json.Obj asObj(Json v, String where) throws VerificationException {
    if (v instanceof Json.Obj o) {
      return o;
    }
    throw malformed(where, "expected an object, got " + kind(v));
  }

  public static Json.Obj obj(Json.Obj o, String key, String where) throws VerificationException {
    return asObj(require(o, key, where), where + "." + key);
  }

  public static Json.Arr arr(Json.Obj o, String key, String where) throws VerificationException {
    Json v = require(o, key, where);
    if (v instanceof Json.Arr a) {
      return a;
    }
    throw malformed(where + "." + key, "expected an array, got " + kind(v));
  }

  public static String str(Json.Obj o, String key, String where) throws VerificationException {
    return asStr(require(o, key, where), where + "." + key);
  }

  public static String asStr(Json v, String where) throws VerificationException {
    if (v instanceof Json.Str s) {
      return s.value();
    }
    throw malformed(where, "expected a string, got " + kind(v));
  }

  public static long num(Json.Obj o, String key, String where) throws VerificationException {
    Json v = require(o, key, where);
    if (v instanceof Json.Int n) {
      return n.value();
    }
    throw malformed(where + "." + key, "expected an integer, got " + kind(v));
  }

  public static long nonNegative(Json.Obj o, String key, String where)
      throws VerificationException {
    long n = num(o, key, where);
    if (n < 0) {
      throw malformed(where + "." + key, "must not be negative, got " + n);
    }
    return n;
  }

  /** A metadata version: 1 or more, and small enough to be an int. */
  public static int version(Json.Obj o, String key, String where) throws VerificationException {
    long n = num(o, key, where);
    if (n < 1 || n > Integer.MAX_VALUE) {
      throw malformed(where + "." + key, "version must be between 1 and 2^31-1, got " + n);
    }
    return (int) n;
  }

  public static boolean bool(Json.Obj o, String key, String where) throws VerificationException {
    Json v = require(o, key, where);
    if (v instanceof Json.Bool b) {
      return b.value();
    }
    throw malformed(where + "." + key, "expected a boolean, got " + kind(v));
  }

  public static Instant time(Json.Obj o, String key, String where) throws VerificationException {
    String s = str(o, key, where);
    if (!isTimeShape(s)) {
      throw malformed(where + "." + key, "expected YYYY-MM-DDThh:mm:ssZ, got \"" + s + "\"");
    }
    try {
      return LocalDateTime.of(
              digits(s, 0, 4),
              digits(s, 5, 7),
              digits(s, 8, 10),
              digits(s, 11, 13),
              digits(s, 14, 16),
              digits(s, 17, 19))
          .toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      throw malformed(where + "." + key, "not a valid time: \"" + s + "\"");
    }
  }

  private static boolean isTimeShape(String s) {
    if (s.length() != 20) {
      return false;
    }
    for (int i = 0; i < 20; i++) {
      char c = s.charAt(i);
      char want = "dddd-dd-ddTdd:dd:ddZ".charAt(i);
      if (want == 'd' ? (c < '0' || c > '9') : c != want) {
        return false;
      }
    }
    return true;
  }

  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      v = v * 10 + (s.charAt(i) - '0');
    }
    return v;
  }

  /** The time format TUF metadata uses (whole seconds, UTC, trailing Z). */
  public static String formatTime(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  public static Json require(Json.Obj o, String key, String where) throws VerificationException {
    Json v = o.get(key);
    if (v == null) {
      throw malformed(where, "missing \"" + key + "\"");
    }
    return v;
  }

  public static String kind(Json v) {
    if (v == null) {
      return "nothing";
    }
    if (v instanceof Json.Obj) {
      return "an object";
    }
    if (v instanceof Json.Arr) {
      return "an array";
    }
    if (v instanceof Json.Str) {
      return "a string";
    }
    if (v instanceof Json.Int) {
      return "an integer";
    }
    if (v instanceof Json.Bool) {
      return "a boolean";
    }
    return "null";
  }
}
