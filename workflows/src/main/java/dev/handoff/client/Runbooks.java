package dev.handoff.client;

import dev.handoff.config.HandoffConfig;
import dev.handoff.recovery.RecoveryRequest;
import dev.handoff.recovery.RecoveryWorkflow;
import dev.handoff.runbook.DecisionTaken;
import dev.handoff.runbook.OperatorDecision;
import dev.handoff.runbook.RunbookControl;
import dev.handoff.runbook.RunbookOptions;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.switchover.SwitchoverRequest;
import dev.handoff.switchover.SwitchoverWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.util.concurrent.CompletableFuture;

/**
 * The runbooks of a cluster as a client sees them (the CLI, the ops UI, the drill, the bench, the tests): a
 * switchover or a recovery, started under the cluster's one runbook ID ({@code failover-<cluster>}), its
 * progress, its result, and an operator's decision. Every call is typed; none names a query or an update by
 * string.
 */
public final class Runbooks {
  private Runbooks() {}

  /** A second start while a runbook of the cluster runs: the ID is held by {@code runId}. */
  public static final class AlreadyRunning extends RuntimeException {
    private final String workflowId;
    private final String runId;

    AlreadyRunning(String workflowId, String runId) {
      super("workflow " + workflowId + " (run " + runId + ") is already running");
      this.workflowId = workflowId;
      this.runId = runId;
    }

    public String workflowId() {
      return workflowId;
    }

    public String runId() {
      return runId;
    }
  }

  /** No runbook of the cluster runs (none was ever started, or the last one has ended): nothing was sent. */
  public static final class NotRunning extends RuntimeException {
    NotRunning(String workflowId, Throwable cause) {
      super("no runbook runs under workflow " + workflowId, cause);
    }
  }

  /** The runbook refused a decision, to this caller and with nothing changed; the message says why. */
  public static final class DecisionRefused extends RuntimeException {
    DecisionRefused(String reason, Throwable cause) {
      super(reason, cause);
    }
  }

  /**
   * A switchover stub for {@code workflowId} (the cluster's runbook ID, or its dry-run ID). A finished run's ID
   * may be reused; a running one's may not, so a second start is refused while a runbook of the cluster runs.
   */
  public static SwitchoverWorkflow switchover(WorkflowClient client, HandoffConfig config, String workflowId) {
    return client.newWorkflowStub(SwitchoverWorkflow.class, options(config, workflowId));
  }

  /** A recovery stub; it shares the cluster's runbook ID with switchovers. */
  public static RecoveryWorkflow recovery(WorkflowClient client, HandoffConfig config, String workflowId) {
    return client.newWorkflowStub(RecoveryWorkflow.class, options(config, workflowId));
  }

  /**
   * Starts a switchover (a dry run under its own ID, beside any runbook) and returns its workflow ID.
   *
   * @throws AlreadyRunning when a runbook of the cluster runs
   */
  public static String startSwitchover(WorkflowClient client, HandoffConfig config, SwitchoverRequest request) {
    String id = request.dryRun() ? WorkflowIds.dryRun(request.cluster()) : WorkflowIds.failover(request.cluster());
    SwitchoverWorkflow wf = switchover(client, config, id);
    return start(id, () -> WorkflowClient.start(wf::switchover, request));
  }

  /**
   * Starts a recovery and returns its workflow ID.
   *
   * @throws AlreadyRunning when a runbook of the cluster runs
   */
  public static String startRecovery(WorkflowClient client, HandoffConfig config, RecoveryRequest request) {
    String id = WorkflowIds.failover(request.cluster());
    RecoveryWorkflow wf = recovery(client, config, id);
    return start(id, () -> WorkflowClient.start(wf::recover, request));
  }

  private static String start(String id, Runnable start) {
    try {
      start.run();
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new AlreadyRunning(id, e.getExecution().getRunId());
    }
    return id;
  }

  /**
   * The runbook running (or last run) under {@code workflowId}, switchover or recovery, for its progress and a
   * decision. Bound to the ID only, not to a run, so a switchover that handed over to a recovery is followed
   * into the recovery's run.
   */
  public static RunbookControl control(WorkflowClient client, String workflowId) {
    return client.newWorkflowStub(RunbookControl.class, workflowId);
  }

  /** The result of the runbook under {@code workflowId} (its last run's, after a handover). */
  public static CompletableFuture<RunbookProgress> result(WorkflowClient client, String workflowId) {
    return client.newUntypedWorkflowStub(workflowId).getResultAsync(RunbookProgress.class);
  }

  /**
   * The progress of the cluster's runbook, running or ended.
   *
   * @throws WorkflowNotFoundException when none was ever started
   */
  public static RunbookProgress progress(WorkflowClient client, String cluster) {
    return control(client, WorkflowIds.failover(cluster)).progress();
  }

  /**
   * Sends an operator's decision to the cluster's runbook as an update, and nothing else: the runbook takes it
   * only while it waits for one and has none yet. Returns the decision taken and what the runbook waited after.
   *
   * @throws DecisionRefused when the runbook does not wait for a decision now (nothing changed)
   * @throws NotRunning when no runbook of the cluster runs
   */
  public static DecisionTaken decide(WorkflowClient client, String cluster, OperatorDecision decision) {
    String id = WorkflowIds.failover(cluster);
    try {
      return control(client, id).decision(decision);
    } catch (WorkflowUpdateException e) {
      String why = e.getCause() instanceof ApplicationFailure f ? f.getOriginalMessage() : e.getMessage();
      throw new DecisionRefused(why, e);
    } catch (WorkflowNotFoundException e) {
      throw new NotRunning(id, e);
    }
  }

  /**
   * A finished run's ID may be reused; a running one's may not. The execution timeout is far longer than the
   * operator gate's wait (see {@link RunbookOptions#EXECUTION_TIMEOUT}).
   */
  private static WorkflowOptions options(HandoffConfig config, String workflowId) {
    return RunbookOptions.failoverWorkflow(config.temporal().taskQueue(), workflowId);
  }
}
