package io.fleetsim.cluster.time;

import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;

/**
 * A dispatcher executor that counts its queued and running tasks in the system's {@link Activity}.
 * Configured as {@code executor = "io.fleetsim.cluster.time.CountedExecutorConfigurator"} on every
 * dispatcher simulation work runs on (default, internal, blocking and persistence plugin); its pool
 * size comes from the dispatcher's {@code counted-executor} section.
 */
public final class CountedExecutorConfigurator extends ExecutorServiceConfigurator {

  private final Activity activity;
  private final int parallelism;

  public CountedExecutorConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    this.activity = Activity.of(prerequisites.scheduler());
    Config c = config.getConfig("counted-executor");
    int cores = Runtime.getRuntime().availableProcessors();
    int scaled = (int) Math.ceil(cores * c.getDouble("parallelism-factor"));
    this.parallelism =
        Math.min(Math.max(scaled, c.getInt("parallelism-min")), c.getInt("parallelism-max"));
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threads) {
    return () -> {
      ForkJoinPool pool =
          threads instanceof ForkJoinPool.ForkJoinWorkerThreadFactory fj
              ? new ForkJoinPool(parallelism, fj, null, true)
              : new ForkJoinPool(
                  parallelism, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
      return new Counted(pool, activity);
    };
  }

  /** The pool, with every task counted from the moment it is handed over until it returned. */
  static final class Counted extends AbstractExecutorService {
    private final ExecutorService pool;
    private final Activity activity;

    Counted(ExecutorService pool, Activity activity) {
      this.pool = pool;
      this.activity = activity;
    }

    @Override
    public void execute(Runnable task) {
      activity.enter();
      try {
        pool.execute(
            () -> {
              try {
                task.run();
              } finally {
                activity.exit();
              }
            });
      } catch (RejectedExecutionException e) {
        activity.exit();
        throw e;
      }
    }

    @Override
    public void shutdown() {
      pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return pool.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return pool.awaitTermination(timeout, unit);
    }
  }
}
