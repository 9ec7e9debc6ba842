package dev.handoff.worker;

import dev.handoff.support.Failpoints;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import java.util.concurrent.TimeUnit;

/**
 * Around every runbook step (activity) this worker runs: its {@code before} and {@code after} failpoints
 * (before it reads any state, and after it has done its work but before Temporal records the result), and
 * a count of the steps running, so a stopping worker waits for those and not for its idle pollers or the
 * watch's detector, a long read that any worker starts again.
 */
final class StepInterceptor extends WorkerInterceptorBase {
  /** The watch's detector: it runs for up to a minute at a time and changes nothing. */
  static final String DETECTOR = "WatchCluster";

  private int running;

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      private String type;

      @Override
      public void init(ActivityExecutionContext context) {
        type = context.getInfo().getActivityType();
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        int counted = DETECTOR.equals(type) ? 0 : 1;
        change(counted);
        try {
          Failpoints.hit(type + ":before");
          ActivityOutput out = super.execute(input);
          Failpoints.hit(type + ":after");
          return out;
        } finally {
          change(-counted);
        }
      }
    };
  }

  private synchronized void change(int by) {
    running += by;
    notifyAll();
  }

  /** Waits until no step runs, at most {@code millis}; returns how many still run. */
  synchronized int awaitNone(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (running > 0) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        break;
      }
      wait(left);
    }
    return running;
  }
}
