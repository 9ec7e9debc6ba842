package dev.handoff.switchover;

import dev.handoff.runbook.FailoverProgress;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** A planned switchover (graceful takeover): steps 1-8 of the design, as one durable runbook. */
@WorkflowInterface
public interface PlannedFailoverWorkflow {

  /**
   * Runs the switchover and returns its final progress. A refusal, a rollback, or a failure after
   * promotion ends the workflow failed, with an ApplicationFailure whose type names the reason.
   */
  @WorkflowMethod
  FailoverProgress switchover(SwitchoverRequest request);

  /** The current step and what each finished step found. */
  @QueryMethod
  FailoverProgress progress();

  /** An operator's decision for a runbook waiting after a failed step: "retry" or "abandon". */
  @SignalMethod
  void decide(String decision);
}
