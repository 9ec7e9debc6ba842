package dev.handoff.detection;

import dev.handoff.runbook.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;

/** The runbook lock is the failover workflow ID: held while {@code failover-<cluster>} runs. */
public final class TemporalRunbookLock implements RunbookLock {
  private final WorkflowClient client;

  public TemporalRunbookLock(WorkflowClient client) {
    this.client = client;
  }

  @Override
  public boolean held(String cluster) {
    try {
      return client.newUntypedWorkflowStub(WorkflowIds.failover(cluster)).describe().getStatus()
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (WorkflowNotFoundException never) {
      return false;
    } catch (RuntimeException e) {
      // Never started: NOT_FOUND. Anything else: cannot tell, so act as if a runbook held it.
      return !notFound(e);
    }
  }

  private static boolean notFound(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.grpc.StatusRuntimeException s && s.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        return true;
      }
    }
    return false;
  }
}
