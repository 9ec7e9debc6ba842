package dev.handoff.recovery;

import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.OperatorDecision;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Recovery from a dead primary: confirm, fence, choose, catch up, promote, repoint, as one durable runbook. */
@WorkflowInterface
public interface RecoveryWorkflow {

  /** Recovers the cluster; a failure ends the workflow failed with a typed ApplicationFailure. */
  @WorkflowMethod
  RunbookProgress recover(RecoveryRequest request);

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
