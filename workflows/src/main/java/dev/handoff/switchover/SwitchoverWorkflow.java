package dev.handoff.switchover;

import dev.handoff.runbook.RunbookControl;
import dev.handoff.runbook.RunbookProgress;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** A planned switchover (graceful takeover): steps 1-8 of the design, as one durable runbook. */
@WorkflowInterface
public interface SwitchoverWorkflow extends RunbookControl {

  /**
   * Runs the switchover and returns its final progress. A refusal, a rollback, or a failure after
   * promotion ends the workflow failed, with an ApplicationFailure whose type names the reason.
   */
  @WorkflowMethod
  RunbookProgress switchover(SwitchoverRequest request);
}
