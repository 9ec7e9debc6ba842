package dev.handoff.runbook;

import dev.handoff.domain.FailureType;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** The activity options every runbook reuses, named for what the step needs, and the runbooks' own. */
public final class RunbookOptions {
  private RunbookOptions() {}

  /**
   * A failover runbook's execution timeout, for every start (CLI, watch, drill, bench): only a safety net for
   * a runbook no worker runs any more, so comfortably longer than {@link OperatorGate#WAIT}. A runbook stuck
   * after promotion waits there for {@code retry} or {@code abandon}, and with no decision the gate's own
   * timer ends it as FAILED_AFTER_PROMOTION, saying what is left to do; the execution timeout must never cut
   * that wait short (a terminated runbook says nothing, and retry/abandon cannot reach it).
   */
  public static final Duration EXECUTION_TIMEOUT = OperatorGate.WAIT.multipliedBy(7);

  /**
   * The options of a failover runbook started by a client ({@code failover-<cluster>}): a finished run's ID may
   * be reused, a running one's may not, so a second start is refused while a failover of the cluster runs.
   */
  public static WorkflowOptions failoverWorkflow(String taskQueue, String workflowId) {
    return WorkflowOptions.newBuilder()
        .setTaskQueue(taskQueue)
        .setWorkflowId(workflowId)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setWorkflowExecutionTimeout(EXECUTION_TIMEOUT)
        .setWorkflowTaskTimeout(WORKFLOW_TASK_TIMEOUT)
        .build();
  }

  /**
   * A failover runbook's workflow task timeout. Its steps run as local activities inside its workflow tasks
   * (see {@link #local}): a worker that dies mid-step is noticed when its task times out, and the task, with
   * the step, runs again on another worker. Temporal's default (10 s) would hold a recovery that long; a step
   * that runs longer than this is not cut short (the worker extends its task while the step runs).
   */
  public static final Duration WORKFLOW_TASK_TIMEOUT = Duration.ofSeconds(4);

  /**
   * {@code options} as a local activity's: the same bound per attempt and the same retries. A local activity
   * runs in the worker that runs the workflow task, with no task-queue round trip and no history event until
   * the task completes; it cannot heartbeat, so a dead worker is noticed by {@link #WORKFLOW_TASK_TIMEOUT}
   * instead of {@link #HEARTBEAT_TIMEOUT}.
   */
  public static LocalActivityOptions local(ActivityOptions options) {
    return LocalActivityOptions.newBuilder()
        .setStartToCloseTimeout(options.getStartToCloseTimeout())
        .setRetryOptions(options.getRetryOptions())
        .setLocalRetryThreshold(LOCAL_RETRY_THRESHOLD)
        .build();
  }

  /**
   * A local activity's retries run inside the workflow task while their back-off is at most this; a longer
   * back-off waits on a durable timer instead (the task completes, and the next attempt may run on another
   * worker), so a step retried for minutes holds no workflow task.
   */
  public static final Duration LOCAL_RETRY_THRESHOLD = Duration.ofSeconds(1);

  /** Failures that a retry cannot fix: the operator must act. */
  public static final String[] NOT_RETRYABLE = java.util.stream.Stream.of(
      FailureType.UNKNOWN_CLUSTER, FailureType.UNKNOWN_INSTANCE, FailureType.ERRANT_GTID,
      FailureType.STALE_EPOCH, FailureType.TOPOLOGY_MISSING).map(FailureType::wireName).toArray(String[]::new);

  /**
   * How soon a step whose worker died is retried elsewhere. Every long step heartbeats well within it; a
   * step that stops heartbeating (its worker is gone) times out and runs again on another worker.
   */
  public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(3);

  /**
   * The options of a step that heartbeats: {@code startToClose} per attempt, {@link #HEARTBEAT_TIMEOUT}, and the
   * {@code retry} given, never retrying the failures in {@link #NOT_RETRYABLE}.
   */
  private static ActivityOptions heartbeating(Duration startToClose, RetryOptions.Builder retry) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
        .setRetryOptions(retry.setDoNotRetry(NOT_RETRYABLE).build())
        .build();
  }

  /** Retries that start {@code initialMillis} apart, {@code maximumAttempts} attempts in all. */
  private static RetryOptions.Builder retries(long initialMillis, int maximumAttempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofMillis(initialMillis))
        .setMaximumAttempts(maximumAttempts);
  }

  /** A read: quick, a few attempts; heartbeats while it waits on slow instances. */
  public static final ActivityOptions PROBE = heartbeating(Duration.ofSeconds(10), retries(200, 3).setBackoffCoefficient(2));

  /** A courtesy step whose failure changes nothing (e.g. setting a dead primary read-only): one short try. */
  public static final ActivityOptions BEST_EFFORT = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofSeconds(5))
      .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
      .build();

  /**
   * The KV writability check right before a point of no return: a second try rides out a blip (an etcd
   * leader election), and a store that does not answer fails it within seconds (each try gives up at 2 s),
   * so a planned switchover rolls back instead of holding writes down.
   */
  public static final ActivityOptions KV_CHECK = heartbeating(Duration.ofSeconds(10), retries(200, 2));

  /** A change before the point of no return: retried a few times, then the runbook rolls back. */
  public static final ActivityOptions MUTATION = heartbeating(Duration.ofSeconds(30),
      retries(100, 4).setBackoffCoefficient(2).setMaximumInterval(Duration.ofSeconds(2)));

  /** A wait for replication to catch up: long, heartbeating, so a dead worker is noticed in seconds. */
  public static final ActivityOptions CATCH_UP_WAIT = heartbeating(Duration.ofMinutes(5), retries(200, 3));

  /**
   * A step after the writes resumed that may be reported instead of waited on (moving a replica, rejoining an
   * old primary): a few attempts, then the runbook reports it (or checks why) and goes on.
   */
  public static final ActivityOptions TIDY = heartbeating(Duration.ofSeconds(60), retries(200, 5).setBackoffCoefficient(2));

  /**
   * A change after the point of no return: the runbook can only go forward, so it retries for about five
   * minutes (backing off to 10 s); then, or on a failure no retry can fix, it waits for an operator.
   */
  public static final ActivityOptions FORWARD = heartbeating(Duration.ofSeconds(60),
      retries(100, 35).setBackoffCoefficient(2).setMaximumInterval(Duration.ofSeconds(10)));
}
