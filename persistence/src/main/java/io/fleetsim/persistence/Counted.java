package io.fleetsim.persistence;

import io.fleetsim.cluster.time.Activity;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import scala.concurrent.Future;
import scala.concurrent.Promise;
import scala.runtime.BoxedUnit;

/**
 * Counts a journal or snapshot operation in the node's {@link Activity} from the moment the plugin
 * starts it until its completion has been handed on. The future returned completes the plugin's own
 * callbacks (scheduled on its counted dispatcher) before the operation stops counting, so the clock
 * never sees the node idle between a write and what the write's completion causes.
 */
final class Counted {

  private Counted() {}

  static <T> Future<T> op(Activity activity, Executor counted, Supplier<Future<T>> start) {
    activity.enter();
    Future<T> f;
    try {
      f = start.get();
    } catch (RuntimeException | Error e) {
      activity.exit();
      throw e;
    }
    Promise<T> done = Promise.apply();
    f.onComplete(
        result -> {
          counted.execute(
              () -> {
                try {
                  done.complete(result);
                } finally {
                  activity.exit();
                }
              });
          return BoxedUnit.UNIT;
        },
        scala.concurrent.ExecutionContext.parasitic$.MODULE$);
    return done.future();
  }
}
