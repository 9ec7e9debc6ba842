package dev.handoff.worker;

import dev.handoff.support.Failpoints;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;

/**
 * The {@code before} and {@code after} failpoints of every activity: before it reads any state, and after
 * it has done its work but before Temporal records the result.
 */
final class FailpointInterceptor extends WorkerInterceptorBase {
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
        Failpoints.hit(type + ":before");
        ActivityOutput out = super.execute(input);
        Failpoints.hit(type + ":after");
        return out;
      }
    };
  }
}
