package io.fleetsim.uptane.json;

import static io.fleetsim.uptane.Assertions2.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.Attack;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
  private static String canon(String json) throws Exception {
    return new String(
        CanonicalJson.write(JsonParser.parse(json.getBytes(StandardCharsets.UTF_8), 1 << 20)),
        StandardCharsets.UTF_8);
  }

  @Test
  void sortsKeysAndDropsWhitespace() throws Exception {
    assertEquals(
        "{\"a\":1,\"b\":[true,false,null],\"c\":{\"x\":\"y\"}}",
        canon(" { \"c\" : {\"x\":\"y\"}, \"b\": [ true , false , null ], \"a\" : 1 } "));
  }

  @Test
  void escapesOnlyQuoteAndBackslashAndPassesControlCharactersRaw() throws Exception {
    // OLPC / securesystemslib: only " and \ are escaped, everything else is written as is.
    assertEquals("\"q\\\"b\\\\n\nt\t/\u0001\"", canon("\"q\\\"b\\\\n\\nt\\t\\/\\u0001\""));
  }

  @Test
  void unicodeIsWrittenAsUtf8NotEscaped() throws Exception {
    byte[] out = CanonicalJson.write(Json.str("é€😀"));
    assertArrayEquals("\"é€😀\"".getBytes(StandardCharsets.UTF_8), out);
    assertEquals("\"é€😀\"", canon("\"\\u00e9\\u20ac\\ud83d\\ude00\""));
  }

  @Test
  void keysAreOrderedByCodePointNotUtf16Units() {
    // U+FF61 sorts before U+1F600 by code point, but after it by UTF-16 code unit (0xD83D).
    Json.Obj o = Json.obj("\uD83D\uDE00", Json.num(1), "\uFF61", Json.num(2), "a", Json.num(0));
    String s = new String(CanonicalJson.write(o), StandardCharsets.UTF_8);
    assertEquals("{\"a\":0,\"\uFF61\":2,\"\uD83D\uDE00\":1}", s);
  }

  @Test
  void integersIncludingNegativeAndLimits() throws Exception {
    assertEquals(
        "[0,-1,9223372036854775807,-9223372036854775807]",
        canon("[0,-1,9223372036854775807,-9223372036854775807]"));
    assertEquals("0", canon("-0"));
  }

  @Test
  void refusesFloatsExponentsAndOutOfRange() {
    for (String bad :
        List.of(
            "1.0",
            "1e3",
            "1E3",
            "-2.5",
            "[0.1]",
            "99999999999999999999",
            "9223372036854775808",
            "01",
            "-",
            "+1",
            "NaN",
            "Infinity")) {
      assertRefused(
          Attack.MALFORMED, () -> JsonParser.parse(bad.getBytes(StandardCharsets.UTF_8), 100));
    }
  }

  @Test
  void refusesDuplicateKeysAndBrokenSyntax() {
    for (String bad :
        List.of(
            "{\"a\":1,\"a\":2}",
            "{\"a\":1,}",
            "[1,]",
            "{a:1}",
            "{\"a\" 1}",
            "\"unterminated",
            "[1 2]",
            "{} {}",
            "",
            "   ",
            "tru",
            "nul",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "'single'")) {
      assertRefused(
          Attack.MALFORMED, () -> JsonParser.parse(bad.getBytes(StandardCharsets.UTF_8), 100));
    }
  }

  @Test
  void refusesInvalidUtf8() {
    byte[][] bad = {
      {'"', (byte) 0xc3, '"'}, // truncated sequence
      {'"', (byte) 0xc0, (byte) 0xaf, '"'}, // overlong '/'
      {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}, // encoded surrogate
      {'"', (byte) 0xff, '"'},
      {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '1'} // byte order mark
    };
    for (byte[] b : bad) {
      assertRefused(Attack.MALFORMED, () -> JsonParser.parse(b, 100));
    }
  }

  @Test
  void depthIsLimitedSoDeepNestingCannotExhaustTheStack() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertRefused(
        Attack.MALFORMED,
        () -> JsonParser.parse(deep.getBytes(StandardCharsets.US_ASCII), 1 << 20));
    String ok = "[".repeat(30) + "]".repeat(30);
    org.junit.jupiter.api.Assertions.assertDoesNotThrow(
        () -> JsonParser.parse(ok.getBytes(StandardCharsets.US_ASCII), 1 << 20));
  }

  @Test
  void sizeLimitIsCheckedBeforeParsing() {
    byte[] big = new byte[1001];
    java.util.Arrays.fill(big, (byte) ' ');
    assertRefused(Attack.ENDLESS_DATA, () -> JsonParser.parse(big, 1000));
  }

  @Test
  void envelopeUsesTheInputBytesWhenAlreadyCanonical() throws Exception {
    String canonical = "{\"signatures\":[],\"signed\":{\"a\":\"x\\\"y\",\"b\":[1,2]}}";
    JsonParser.Envelope e =
        JsonParser.parseEnvelope(canonical.getBytes(StandardCharsets.UTF_8), 1000);
    assertEquals(
        "{\"a\":\"x\\\"y\",\"b\":[1,2]}", new String(e.signedCanonical(), StandardCharsets.UTF_8));
    for (String nonCanonical :
        List.of(
            "{\"signatures\":[],\"signed\":{\"b\":[1,2],\"a\":\"x\\\"y\"}}",
            "{\"signatures\":[],\"signed\":{\"a\":\"x\\\"y\", \"b\":[1,2]}}",
            "{\"signatures\":[],\"signed\":{\"a\":\"x\\u0022y\",\"b\":[1,2]}}",
            "{\"signatures\":[],\"signed\":{\"a\":\"x\\\"y\",\"b\":[1,-0,2]}}")) {
      JsonParser.Envelope n =
          JsonParser.parseEnvelope(nonCanonical.getBytes(StandardCharsets.UTF_8), 1000);
      String expected =
          nonCanonical.contains("-0")
              ? "{\"a\":\"x\\\"y\",\"b\":[1,0,2]}"
              : "{\"a\":\"x\\\"y\",\"b\":[1,2]}";
      assertEquals(expected, new String(n.signedCanonical(), StandardCharsets.UTF_8), nonCanonical);
    }
  }

  @Test
  void prettyOutputParsesBackToTheSameCanonicalForm() throws Exception {
    Json v =
        Json.obj(
            "z",
            Json.arr(List.of(Json.str("a\nb\u0001"), Json.num(-5))),
            "a",
            Json.obj(),
            "m",
            Json.arr(List.of()),
            "n",
            Json.NULL,
            "t",
            Json.bool(true));
    byte[] pretty = CanonicalJson.pretty(v);
    assertTrue(new String(pretty, StandardCharsets.UTF_8).contains("\n  "));
    assertArrayEquals(CanonicalJson.write(v), CanonicalJson.write(JsonParser.parse(pretty, 1000)));
    assertEquals(v, JsonParser.parse(pretty, 1000));
  }

  @Test
  void refusesToWriteLoneSurrogates() {
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.write(Json.str("a\uD800")));
    assertFalse(CanonicalJson.KEY_ORDER.compare("a", "b") >= 0);
  }
}
