package dev.handoff.recovery;

import dev.handoff.kv.TopologyActivities;
import dev.handoff.runbook.RunbookState;
import static dev.handoff.recovery.RecoveryFixture.CLUSTER;
import static dev.handoff.recovery.RecoveryFixture.EPOCH;
import static dev.handoff.recovery.RecoveryFixture.R1;
import static dev.handoff.recovery.RecoveryFixture.R2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.Mockito.doThrow;

import dev.handoff.domain.FailureType;
import dev.handoff.planning.RunbookPlan;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.OperatorGate;
import dev.handoff.runbook.RunbookOptions;
import dev.handoff.runbook.RunbookResults;
import dev.handoff.runbook.RunbookSteps;
import dev.handoff.runbook.TestWorkers;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runbook's production options (those the CLI, the drill and the bench start it with, and the watch's
 * child uses the same timeout) leave the operator gate its whole wait: a recovery stuck after promotion with
 * no decision ends FAILED_AFTER_PROMOTION by the gate's own timer, not terminated by an execution timeout.
 * The test server skips the 24 h while the test waits for the result.
 */
@Timeout(60)
class RunbookTimeoutsTest {
  @RegisterExtension
  final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .setWorkerOptions(TestWorkers.OPTIONS)
      .registerWorkflowImplementationTypes(RecoveryWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  final RecoveryFixture fixture = new RecoveryFixture();
  TestWorkflowEnvironment env;
  WorkflowClient client;
  String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    worker.registerActivitiesImplementations(fixture.activities());
    env.start();
    this.env = env;
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  @Test
  void theExecutionTimeoutIsFarLongerThanTheOperatorGate() {
    // The gate may be entered again after each retry; a day of margin per entry, at the least.
    assertThat(RunbookOptions.EXECUTION_TIMEOUT).isGreaterThanOrEqualTo(OperatorGate.WAIT.multipliedBy(3));
    WorkflowOptions production = RunbookOptions.failoverWorkflow(taskQueue, WorkflowIds.failover(CLUSTER));
    assertThat(production.getWorkflowExecutionTimeout()).isEqualTo(RunbookOptions.EXECUTION_TIMEOUT);
    assertThat(production.getWorkflowRunTimeout()).isNull();
  }

  @Test
  void noDecisionEndsTheRecoveryFailedAfterPromotionWithTheProductionOptions() {
    String stale = "the KV store holds epoch 2 for " + CLUSTER + ", expected 1";
    doThrow(FailureType.STALE_EPOCH.nonRetryable(stale))
        .when(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
    RecoveryWorkflow workflow = client.newWorkflowStub(RecoveryWorkflow.class,
        RunbookOptions.failoverWorkflow(taskQueue, WorkflowIds.failover(CLUSTER)));
    WorkflowClient.start(workflow::recover, new RecoveryRequest(CLUSTER, true, "test"));

    // Waiting for the result lets the test server skip ahead to the gate's timer.
    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class,
        () -> RunbookResults.await(workflow));

    assertThat(failed).as("the undecided recovery failed").isNotNull();
    // Workflow time from its start to its close, as the server recorded them (the test server's own clock
    // may skip on past the close, to the next timer it still holds).
    var info = client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
        DescribeWorkflowExecutionRequest.newBuilder().setNamespace(client.getOptions().getNamespace())
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(WorkflowIds.failover(CLUSTER)))
            .build()).getWorkflowExecutionInfo();
    long took = com.google.protobuf.util.Timestamps.toMillis(info.getCloseTime())
        - com.google.protobuf.util.Timestamps.toMillis(info.getStartTime());
    assertThat(Duration.ofMillis(took)).as("workflow time until it ended")
        .isGreaterThanOrEqualTo(OperatorGate.WAIT).isLessThan(RunbookOptions.EXECUTION_TIMEOUT);
    assertThat(RunbookSteps.finalState(failed.getCause())).isEqualTo(RunbookState.FAILED_AFTER_PROMOTION);
    ApplicationFailure failure = (ApplicationFailure) failed.getCause();
    assertThat(failure.getType()).isEqualTo(FailureType.STALE_EPOCH.wireName());
    assertThat(failure.getOriginalMessage()).contains("step " + RunbookPlan.PUBLISH_TOPOLOGY + " failed",
        "no operator decision within " + OperatorGate.WAIT.toHours() + " h");
    RunbookProgress progress = workflow.progress();
    assertThat(progress.state()).isEqualTo(RunbookState.FAILED_AFTER_PROMOTION);
    assertThat(progress.newPrimary()).isEqualTo(R2.toString());
    WorkflowExecutionStatus status = client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
        DescribeWorkflowExecutionRequest.newBuilder().setNamespace(client.getOptions().getNamespace())
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(WorkflowIds.failover(CLUSTER)))
            .build()).getWorkflowExecutionInfo().getStatus();
    assertThat(status).as("ended by the gate, not timed out").isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
  }
}
