package io.fleetsim.persistence;

import io.fleetsim.cluster.time.SimClock;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import scala.collection.immutable.Seq;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import scala.util.Try;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * The JDBC journal's data access, with every event stamped with the simulated instant at which it
 * is written instead of the wall clock: {@code write_timestamp} in the journal table, and so {@code
 * EventEnvelope.timestamp()} from the read journal, is simulated time in epoch milliseconds. Why
 * the instant of the write is the instant of the persist: {@link CountedJdbcJournal}.
 *
 * <p>The stamp is given here and not in the journal's {@code asyncWriteMessages}: {@code
 * JdbcAsyncWriteJournal.asyncWriteMessages} sets every event's timestamp to {@code
 * System.currentTimeMillis()} and then hands the writes to this DAO, synchronously, in the same
 * task of the journal actor. Selected by {@code jdbc-journal.dao} ({@link PersistenceSetup}).
 */
public class SimTimeJournalDao extends DefaultJournalDao {

  private final SimClock clock;

  public SimTimeJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      JournalConfig journalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    this.clock = SimClock.get(Adapter.toTyped(serialization.system()));
  }

  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    return super.asyncWriteMessages(stamped(messages, clock.now().toEpochMilli()));
  }

  /** {@code messages} with every event's timestamp set to {@code epochMillis}. */
  static Seq<AtomicWrite> stamped(Seq<AtomicWrite> messages, long epochMillis) {
    List<AtomicWrite> writes = new ArrayList<>(messages.size());
    for (AtomicWrite w : CollectionConverters.asJava(messages)) {
      List<PersistentRepr> reprs = new ArrayList<>(w.size());
      for (PersistentRepr r : CollectionConverters.asJava(w.payload())) {
        reprs.add(r.withTimestamp(epochMillis));
      }
      writes.add(AtomicWrite.apply(CollectionConverters.asScala(reprs).toList()));
    }
    return CollectionConverters.asScala(writes).toList();
  }
}
