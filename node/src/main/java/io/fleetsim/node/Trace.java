package io.fleetsim.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.fleetsim.cluster.time.SimClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serialization$;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Every event a run persisted, as JSON lines in journal order ({@code fleetsim run --trace FILE}):
 *
 * <pre>
 * {"at":"2030-01-01T00:12:03.120Z","t":723.120,"entity":"Vehicle|FSIM...","seq":7,
 *  "type":"UpdateFound","event":{...}}
 * </pre>
 *
 * {@code at} is the simulated instant at which the event was persisted (the journal stamps it, see
 * {@code CountedJdbcJournal}), {@code t} the same in seconds since {@code fleetsim.time.epoch},
 * {@code entity} the persistence id, {@code seq} its sequence number, {@code type} the event's
 * simple class name and {@code event} the event as JSON (the ActorSystem's {@code jackson-json}
 * mapper: instants as ISO-8601 strings, byte arrays as base64). An event that cannot be read or
 * rendered is written as {@code {"unrendered":"..."}} and the trace goes on.
 *
 * <p>The journal table is read with plain JDBC in its global {@code ordering}, one row at a time (a
 * cursor, not a list), and each payload deserialised with Pekko's {@link Serialization} as the
 * journal does: a trace of millions of events holds one in memory at a time. Since the clock never
 * goes back and every event is stamped when written, journal order is also simulated-time order.
 * The clock is held while the trace is read, and rows written after it started are left out, so the
 * trace is the journal as it stood at one instant.
 */
public final class Trace {

  private static final int PROGRESS_EVERY = 10_000;

  private Trace() {}

  /**
   * Writes the trace of {@code node}'s journal to {@code file}; returns the number of events.
   *
   * @throws IllegalStateException when the journal cannot be read or the file written
   */
  public static long write(FleetNode node, Path file, CampaignRun.Listener listener) {
    try {
      return write(node.system(), file, listener);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot write the trace to " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes the trace of the journal of {@code system} to {@code file}; returns the events. */
  public static long write(ActorSystem<?> system, Path file, CampaignRun.Listener listener)
      throws IOException {
    Config config = system.settings().config();
    SimClock clock = SimClock.get(system);
    org.apache.pekko.actor.ExtendedActorSystem classic =
        (org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(system);
    // Actor references in events are written as their paths, which needs the system's address.
    Lines lines =
        new Lines(
            mapper(system),
            clock.epoch(),
            render -> Serialization$.MODULE$.withTransportInformation(classic, render::get));
    Serialization serialization = SerializationExtension.get(system);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    listener.phase("writing the trace to " + file);
    try (SimClock.Hold hold = clock.mode() == SimClock.Mode.AUTO ? clock.hold() : null;
        Connection connection = io.fleetsim.persistence.PersistenceSetup.journalConnection(config);
        Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      Table t = Table.of(config);
      long last = t.maxOrdering(connection);
      int total = (int) Math.min(Integer.MAX_VALUE, last);
      long written = 0;
      connection.setAutoCommit(false); // PostgreSQL streams with a cursor only in a transaction
      try (PreparedStatement st = connection.prepareStatement(t.select())) {
        st.setFetchSize(1_000);
        st.setLong(1, last);
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            String entity = rs.getString(2);
            long seq = rs.getLong(3);
            long timestamp = rs.getLong(4);
            Object event;
            try {
              event =
                  serialization.deserialize(rs.getBytes(5), rs.getInt(6), rs.getString(7)).get();
            } catch (Exception | LinkageError e) {
              event = new Unreadable(rs.getString(7), e.toString());
            }
            out.write(lines.line(timestamp, entity, seq, event));
            out.write('\n');
            written++;
            if (written % PROGRESS_EVERY == 0) {
              listener.counted("traced", (int) Math.min(written, total), total);
            }
          }
        }
      } finally {
        connection.rollback();
      }
      listener.counted("traced", (int) Math.min(written, total), (int) Math.min(written, total));
      listener.finished();
      return written;
    } catch (SQLException e) {
      throw new IOException("cannot read the journal for the trace: " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The ActorSystem's JSON mapper, tolerant of events without properties. */
  static ObjectMapper mapper(ActorSystem<?> system) {
    return JacksonObjectMapperProvider.get(system)
        .getOrCreate("jackson-json", Optional.empty())
        .copy()
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .disable(SerializationFeature.INDENT_OUTPUT);
  }

  /** A payload that could not be deserialised: its manifest and why. */
  record Unreadable(String manifest, String reason) {
    @Override
    public String toString() {
      return "cannot deserialise " + manifest + ": " + reason;
    }
  }

  /** Renders one trace line (without its newline); never throws for an event it cannot render. */
  static final class Lines {
    private final ObjectMapper mapper;
    private final long epochMillis;
    private final Function<Supplier<JsonNode>, JsonNode> context;

    /**
     * Lines with instants reckoned from {@code epoch}, each event rendered inside {@code context}.
     */
    Lines(ObjectMapper mapper, Instant epoch, Function<Supplier<JsonNode>, JsonNode> context) {
      this.mapper = mapper;
      this.epochMillis = epoch.toEpochMilli();
      this.context = context;
    }

    Lines(ObjectMapper mapper, Instant epoch) {
      this(mapper, epoch, Supplier::get);
    }

    String line(long timestampMillis, String entity, long seq, Object event) {
      ObjectNode line = mapper.createObjectNode();
      line.put("at", Instant.ofEpochMilli(timestampMillis).toString());
      line.put("t", BigDecimal.valueOf(timestampMillis - epochMillis, 3));
      line.put("entity", entity);
      line.put("seq", seq);
      line.put("type", type(event));
      line.set("event", render(event));
      try {
        return mapper.writeValueAsString(line);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The event's simple class name; for one that could not be read, its manifest's. */
    private static String type(Object event) {
      if (event instanceof Unreadable u) {
        String m = u.manifest() == null ? "" : u.manifest();
        return m.substring(Math.max(m.lastIndexOf('.'), m.lastIndexOf('$')) + 1);
      }
      return event == null ? "null" : event.getClass().getSimpleName();
    }

    private JsonNode render(Object event) {
      if (event instanceof Unreadable u) {
        return unrendered(u.toString());
      }
      try {
        JsonNode node = context.apply(() -> mapper.valueToTree(event));
        if (node != null && node.isObject()) {
          return node;
        }
        ObjectNode wrapped = mapper.createObjectNode();
        wrapped.set("value", node);
        return wrapped;
      } catch (RuntimeException | StackOverflowError e) {
        return unrendered(String.valueOf(event));
      }
    }

    private ObjectNode unrendered(String text) {
      ObjectNode n = mapper.createObjectNode();
      n.put("unrendered", text);
      return n;
    }
  }

  /** The journal table and its columns, as the JDBC journal is configured. */
  private record Table(String qualified, String[] columns) {
    static Table of(Config config) {
      Config t = config.getConfig("jdbc-journal.tables.event_journal");
      Config c = t.getConfig("columnNames");
      String schema = t.getString("schemaName");
      String qualified =
          (schema.isEmpty() ? "" : quote(schema) + ".") + quote(t.getString("tableName"));
      return new Table(
          qualified,
          new String[] {
            quote(c.getString("ordering")),
            quote(c.getString("persistenceId")),
            quote(c.getString("sequenceNumber")),
            quote(c.getString("writeTimestamp")),
            quote(c.getString("eventPayload")),
            quote(c.getString("eventSerId")),
            quote(c.getString("eventSerManifest")),
            quote(c.getString("deleted"))
          });
    }

    long maxOrdering(Connection connection) throws SQLException {
      try (PreparedStatement st =
              connection.prepareStatement(
                  "SELECT COALESCE(MAX(" + columns[0] + "), 0) FROM " + qualified);
          ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }

    String select() {
      return "SELECT "
          + String.join(", ", java.util.Arrays.asList(columns).subList(0, 7))
          + " FROM "
          + qualified
          + " WHERE "
          + columns[7]
          + " = FALSE AND "
          + columns[0]
          + " <= ? ORDER BY "
          + columns[0];
    }

    private static String quote(String identifier) {
      return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
  }
}
