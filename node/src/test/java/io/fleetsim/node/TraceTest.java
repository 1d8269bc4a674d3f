package io.fleetsim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shape of a trace line: its fields, in order, and its event rendered safely. */
class TraceTest {

  static ActorTestKit testKit;
  static Trace.Lines lines;
  static final Instant EPOCH = Instant.parse("2030-01-01T00:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "TraceTest",
            ConfigFactory.parseString("pekko.actor.provider = local")
                .withFallback(ConfigFactory.load()));
    lines = new Trace.Lines(Trace.mapper(testKit.system()), EPOCH);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  enum Kind {
    FULL
  }

  record Part(String name, long size) {}

  record Sample(
      String vin,
      Instant at,
      Duration took,
      byte[] targets,
      Kind kind,
      List<Part> parts,
      Map<String, Integer> counts) {}

  record Empty() {}

  /** Jackson calls its getter, which fails. */
  static final class Broken {
    public int getValue() {
      throw new IllegalStateException("no value");
    }

    @Override
    public String toString() {
      return "Broken[value=?]";
    }
  }

  @Test
  void aLineHasItsFieldsInOrderWithTheEventAsJson() throws Exception {
    long at = EPOCH.plus(Duration.ofMinutes(90)).plusMillis(250).toEpochMilli();
    byte[] bytes = {0, 1, 2, (byte) 0xff};
    String line =
        lines.line(
            at,
            "Vehicle|FSIM1",
            7,
            new Sample(
                "FSIM1",
                EPOCH.plusSeconds(5),
                Duration.ofSeconds(3),
                bytes,
                Kind.FULL,
                List.of(new Part("adas", 65536)),
                Map.of("a", 1)));
    assertFalse(line.contains("\n"), line);
    assertTrue(
        line.startsWith(
            "{\"at\":\"2030-01-01T01:30:00.250Z\",\"t\":5400.250,\"entity\":\"Vehicle|FSIM1\","
                + "\"seq\":7,\"type\":\"Sample\",\"event\":{"),
        line);
    JsonNode event = JSON.readTree(line).get("event");
    assertEquals("FSIM1", event.get("vin").asText());
    assertEquals("2030-01-01T00:00:05Z", event.get("at").asText());
    assertEquals(Base64.getEncoder().encodeToString(bytes), event.get("targets").asText());
    assertEquals("FULL", event.get("kind").asText());
    assertEquals(65536, event.get("parts").get(0).get("size").asLong());
    assertEquals(1, event.get("counts").get("a").asInt());
  }

  @Test
  void anEventWithoutFieldsIsAnEmptyObject() throws Exception {
    JsonNode l = JSON.readTree(lines.line(EPOCH.toEpochMilli(), "Campaign|c", 1, new Empty()));
    assertEquals("Empty", l.get("type").asText());
    assertEquals(0.0, l.get("t").asDouble());
    assertTrue(l.get("event").isObject() && l.get("event").isEmpty(), l.toString());
  }

  @Test
  void anEventThatCannotBeRenderedIsWrittenAsItsText() throws Exception {
    JsonNode l = JSON.readTree(lines.line(EPOCH.toEpochMilli() + 1, "Ecu|e", 2, new Broken()));
    assertEquals("Broken", l.get("type").asText());
    assertEquals("Broken[value=?]", l.get("event").get("unrendered").asText());

    JsonNode u =
        JSON.readTree(
            lines.line(
                EPOCH.toEpochMilli(),
                "Ecu|e",
                3,
                new Trace.Unreadable("x.Ecu$Gone", "no such class")));
    assertEquals("Gone", u.get("type").asText());
    assertEquals(
        "cannot deserialise x.Ecu$Gone: no such class", u.get("event").get("unrendered").asText());
  }

  @Test
  void anotherValueIsWrappedInAnObject() throws Exception {
    JsonNode l = JSON.readTree(lines.line(EPOCH.toEpochMilli(), "Ecu|e", 4, "plain"));
    assertEquals("plain", l.get("event").get("value").asText());
  }
}
