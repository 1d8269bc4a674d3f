package io.fleetsim.persistence;

import com.typesafe.config.Config;
import io.fleetsim.cluster.time.Activity;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.journal.JdbcAsyncWriteJournal;
import scala.Function1;
import scala.collection.immutable.Seq;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * The JDBC journal, with every write, read and replay counted as simulation work ({@link Counted}).
 */
public final class CountedJdbcJournal extends JdbcAsyncWriteJournal {

  private final Activity activity;

  public CountedJdbcJournal(Config config) {
    super(config);
    this.activity = Activity.of(context().system().scheduler());
  }

  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    return Counted.op(activity, context().dispatcher(), () -> super.asyncWriteMessages(messages));
  }

  @Override
  public Future<BoxedUnit> asyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return Counted.op(
        activity,
        context().dispatcher(),
        () -> super.asyncDeleteMessagesTo(persistenceId, toSequenceNr));
  }

  @Override
  public Future<Object> asyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return Counted.op(
        activity,
        context().dispatcher(),
        () -> super.asyncReadHighestSequenceNr(persistenceId, fromSequenceNr));
  }

  @Override
  public Future<BoxedUnit> asyncReplayMessages(
      String persistenceId,
      long fromSequenceNr,
      long toSequenceNr,
      long max,
      Function1<PersistentRepr, BoxedUnit> recoveryCallback) {
    return Counted.op(
        activity,
        context().dispatcher(),
        () ->
            super.asyncReplayMessages(
                persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback));
  }
}
