package dev.handoff.switchover;

import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.OperatorDecision;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** A planned switchover (graceful takeover): steps 1-8 of the design, as one durable runbook. */
@WorkflowInterface
public interface SwitchoverWorkflow {

  /**
   * Runs the switchover and returns its final progress. A refusal, a rollback, or a failure after
   * promotion ends the workflow failed, with an ApplicationFailure whose type names the reason.
   */
  @WorkflowMethod
  RunbookProgress switchover(SwitchoverRequest request);

  /** The current step and what each finished step found. */
  @QueryMethod
  RunbookProgress progress();

  /**
   * An operator's decision as a signal: "retry" or "abandon". Kept for runs started before the update below;
   * a signal sent at the wrong moment is dropped without a word.
   */
  @SignalMethod
  void decide(String decision);

  /**
   * An operator's decision for a runbook waiting after a failed step ({@code ./handoff failover retry} and
   * {@code abandon} send it). Returns what the runbook waited after.
   */
  @UpdateMethod
  String decision(OperatorDecision decision);

  /** Refuses the decision, to the caller and with nothing changed, unless the runbook waits for one now. */
  @UpdateValidatorMethod(updateName = "decision")
  void checkDecision(OperatorDecision decision);
}
