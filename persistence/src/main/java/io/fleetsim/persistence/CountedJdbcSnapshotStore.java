package io.fleetsim.persistence;

import com.typesafe.config.Config;
import io.fleetsim.cluster.time.Activity;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.jdbc.snapshot.JdbcSnapshotStore;
import scala.Option;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;

/** The JDBC snapshot store, with every operation counted as simulation work ({@link Counted}). */
public final class CountedJdbcSnapshotStore extends JdbcSnapshotStore {

  private final Activity activity;

  public CountedJdbcSnapshotStore(Config config) {
    super(config);
    this.activity = Activity.of(context().system().scheduler());
  }

  @Override
  public Future<Option<SelectedSnapshot>> loadAsync(
      String persistenceId, SnapshotSelectionCriteria criteria) {
    return Counted.op(
        activity, context().dispatcher(), () -> super.loadAsync(persistenceId, criteria));
  }

  @Override
  public Future<BoxedUnit> saveAsync(SnapshotMetadata metadata, Object snapshot) {
    return Counted.op(activity, context().dispatcher(), () -> super.saveAsync(metadata, snapshot));
  }

  @Override
  public Future<BoxedUnit> deleteAsync(SnapshotMetadata metadata) {
    return Counted.op(activity, context().dispatcher(), () -> super.deleteAsync(metadata));
  }

  @Override
  public Future<BoxedUnit> deleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return Counted.op(
        activity, context().dispatcher(), () -> super.deleteAsync(persistenceId, criteria));
  }
}
