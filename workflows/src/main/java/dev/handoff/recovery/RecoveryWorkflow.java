package dev.handoff.recovery;

import dev.handoff.runbook.RunbookControl;
import dev.handoff.runbook.RunbookProgress;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Recovery from a dead primary: confirm, fence, choose, catch up, promote, repoint, as one durable runbook. */
@WorkflowInterface
public interface RecoveryWorkflow extends RunbookControl {

  /** Recovers the cluster; a failure ends the workflow failed with a typed ApplicationFailure. */
  @WorkflowMethod
  RunbookProgress recover(RecoveryRequest request);
}
