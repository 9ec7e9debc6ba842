package dev.handoff.worker;

import dev.handoff.config.HandoffConfig;
import dev.handoff.recovery.RecoveryWorkflow;
import dev.handoff.switchover.SwitchoverWorkflow;
import dev.handoff.runbook.RunbookOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;

/** Workflow stubs with the options every starter (CLI, drill, bench, tests) uses. */
public final class Runbooks {
  private Runbooks() {}

  /**
   * A planned-switchover stub for {@code workflowId}. A finished run's ID may be reused; a running one's
   * may not, so a second start is refused while a failover of the cluster runs.
   */
  public static SwitchoverWorkflow planned(WorkflowClient client, HandoffConfig config, String workflowId) {
    return client.newWorkflowStub(SwitchoverWorkflow.class, failoverOptions(config, workflowId));
  }

  /** An unplanned-failover stub; it shares the cluster's failover ID with planned switchovers. */
  public static RecoveryWorkflow unplanned(WorkflowClient client, HandoffConfig config, String workflowId) {
    return client.newWorkflowStub(RecoveryWorkflow.class, failoverOptions(config, workflowId));
  }

  /**
   * A finished run's ID may be reused; a running one's may not. The execution timeout is far longer than the
   * operator gate's wait (see {@link RunbookOptions#EXECUTION_TIMEOUT}).
   */
  private static WorkflowOptions failoverOptions(HandoffConfig config, String workflowId) {
    return RunbookOptions.failoverWorkflow(config.temporal().taskQueue(), workflowId);
  }
}
