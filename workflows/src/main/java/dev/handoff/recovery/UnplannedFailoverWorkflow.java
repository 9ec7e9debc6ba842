package dev.handoff.recovery;

import dev.handoff.runbook.FailoverProgress;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Recovery from a dead primary: confirm, fence, choose, catch up, promote, repoint, as one durable runbook. */
@WorkflowInterface
public interface UnplannedFailoverWorkflow {

  /** Recovers the cluster; a failure ends the workflow failed with a typed ApplicationFailure. */
  @WorkflowMethod
  FailoverProgress recover(UnplannedRequest request);

  @QueryMethod
  FailoverProgress progress();

  /** An operator's decision for a runbook waiting after a failed step: "retry" or "abandon". */
  @SignalMethod
  void decide(String decision);
}
