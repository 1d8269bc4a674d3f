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
 * The JDBC journal, with every write, read and replay counted as simulation work ({@link Counted}),
 * and every event stamped with the simulated instant at which it was persisted ({@link
 * SimTimeJournalDao}): {@code EventEnvelope.timestamp()} is simulated time in epoch milliseconds.
 *
 * <p>The instant at which this journal writes an event is the instant at which the entity persisted
 * it, because the clock cannot move in between:
 *
 * <ol>
 *   <li>The entity persists inside a task of a counted dispatcher and, within that task, sends
 *       {@code WriteMessages} to this actor. The tell enqueues the message and hands this actor's
 *       mailbox to its dispatcher before the entity's task returns, so the count never reads zero
 *       between the two.
 *   <li>This actor runs on {@code pekko.persistence.dispatchers.default-plugin-dispatcher}, which
 *       {@code fleetsim-dispatchers.conf} builds with {@code CountedExecutorConfigurator}, and a
 *       node refuses to start when a configured journal plugin's dispatcher does not count ({@code
 *       CountedDispatchers.require}). Its mailbox is counted work until it has run.
 *   <li>On {@code WriteMessages}, Pekko's {@code AsyncWriteJournal} calls {@link
 *       #asyncWriteMessages} synchronously in that task (through its circuit breaker, which runs
 *       the call on the calling thread), which enters {@link Counted#op} and calls the JDBC
 *       journal, which calls the DAO, which stamps the events, all before the task returns.
 * </ol>
 *
 * So from the persist to the stamp, some counted task is always queued or running, and the clock,
 * which moves only when the count reads zero, shows the instant of the persist. Writes that do not
 * come from an entity (bulk provisioning sends {@code WriteMessages} to this actor too) are stamped
 * with the clock's instant when this actor takes them, which is the instant of the send when the
 * sender holds the clock. Batching inside the DAO (several writes per insert) happens after the
 * stamp and does not change it. The clock never goes back, so timestamps do not decrease along the
 * journal's ordering.
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
