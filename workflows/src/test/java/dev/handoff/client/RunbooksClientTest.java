package dev.handoff.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.runbook.DecisionTaken;
import dev.handoff.runbook.OperatorDecision;
import dev.handoff.runbook.RunbookControl;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.RunbookState;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's typed calls reach a runbook through {@link RunbookControl} alone, whichever workflow type it is: its
 * progress, and a decision as the update (refused, with the runbook's reason, when it does not wait for one).
 */
class RunbooksClientTest {
  private static final String QUEUE = "client-test";
  private TestWorkflowEnvironment env;
  private WorkflowClient client;

  /** A runbook that waits for an operator from its start, then ends with the decision it took. */
  @WorkflowInterface
  public interface WaitingRunbook extends RunbookControl {
    @WorkflowMethod
    RunbookProgress run(String cluster, boolean waiting);
  }

  public static final class WaitingRunbookImpl implements WaitingRunbook {
    private String cluster;
    private boolean waiting;
    private OperatorDecision decision;

    @Override
    public RunbookProgress run(String cluster, boolean waiting) {
      this.cluster = cluster;
      this.waiting = waiting;
      Workflow.await(() -> decision != null);
      return progress();
    }

    @Override
    public RunbookProgress progress() {
      RunbookState state = decision != null ? RunbookState.ABANDONED
          : waiting ? RunbookState.WAITING_FOR_OPERATOR : RunbookState.RUNNING;
      return new RunbookProgress(cluster, state, null, null, null, List.of(), null, null, "publish failed");
    }

    @Override
    public DecisionTaken decision(OperatorDecision d) {
      decision = d;
      return new DecisionTaken(cluster, d, "publish failed");
    }

    @Override
    public void checkDecision(OperatorDecision d) {
      if (!waiting || decision != null) {
        throw new IllegalStateException("the runbook of " + cluster + " is RUNNING, not waiting for an operator");
      }
    }
  }

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(WaitingRunbookImpl.class);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private void startRunbook(String cluster, boolean waiting) {
    WaitingRunbook wf = client.newWorkflowStub(WaitingRunbook.class,
        WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(WorkflowIds.failover(cluster)).build());
    WorkflowClient.start(wf::run, cluster, waiting);
  }

  @Test
  void aWaitingRunbookTakesTheDecisionAndReportsItsProgress() {
    startRunbook("c1", true);
    assertThat(Runbooks.progress(client, "c1").state()).isEqualTo(RunbookState.WAITING_FOR_OPERATOR);
    assertThat(Runbooks.decide(client, "c1", OperatorDecision.ABANDON))
        .isEqualTo(new DecisionTaken("c1", OperatorDecision.ABANDON, "publish failed"));
    assertThat(Runbooks.result(client, WorkflowIds.failover("c1")).join().state()).isEqualTo(RunbookState.ABANDONED);
  }

  @Test
  void aDecisionTheRunbookDoesNotWaitForIsRefusedWithItsReason() {
    startRunbook("c2", false);
    assertThatThrownBy(() -> Runbooks.decide(client, "c2", OperatorDecision.RETRY))
        .isInstanceOf(Runbooks.DecisionRefused.class)
        .hasMessage("the runbook of c2 is RUNNING, not waiting for an operator");
    assertThat(Runbooks.progress(client, "c2").state()).as("nothing changed").isEqualTo(RunbookState.RUNNING);
  }

  @Test
  void aDecisionForNoRunbookSaysNoneRuns() {
    assertThatThrownBy(() -> Runbooks.decide(client, "c3", OperatorDecision.RETRY))
        .isInstanceOf(Runbooks.NotRunning.class).hasMessageContaining("failover-c3");
  }
}
