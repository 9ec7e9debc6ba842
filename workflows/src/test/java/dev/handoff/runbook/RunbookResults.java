package dev.handoff.runbook;

import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A runbook's result in a workflow test, waited for within a bound; past it the test fails with the progress. */
public final class RunbookResults {
  /** Wall-clock bound on a result the test expects at once (the workflow has been told all it waits for). */
  public static final Duration BOUND = Duration.ofSeconds(30);

  private RunbookResults() {}

  /** The result of the runbook behind {@code typedWorkflow}; a failed runbook throws WorkflowFailedException. */
  public static RunbookProgress await(Object typedWorkflow) {
    return await(WorkflowStub.fromTyped(typedWorkflow));
  }

  /** The same, for a runbook known by its untyped stub (a child the test did not start). */
  public static RunbookProgress await(WorkflowStub stub) {
    try {
      return stub.getResult(BOUND.toMillis(), TimeUnit.MILLISECONDS, RunbookProgress.class);
    } catch (TimeoutException e) {
      String progress;
      try {
        progress = String.valueOf(stub.query("progress", RunbookProgress.class));
      } catch (RuntimeException queryFailed) {
        progress = "(the progress query failed too: " + queryFailed + ")";
      }
      throw new AssertionError("runbook " + stub.getExecution().getWorkflowId() + " did not end within " + BOUND
          + "; its progress: " + progress, e);
    }
  }
}
