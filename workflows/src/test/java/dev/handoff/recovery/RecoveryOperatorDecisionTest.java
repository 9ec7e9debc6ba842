package dev.handoff.recovery;

import dev.handoff.domain.StepDone;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.heartbeat.HeartbeatActivities;
import dev.handoff.mysql.MysqlActivities;
import dev.handoff.kv.TopologyActivities;
import dev.handoff.runbook.StepOutcome;
import dev.handoff.runbook.RunbookState;
import static dev.handoff.recovery.RecoveryFixture.CLUSTER;
import static dev.handoff.recovery.RecoveryFixture.EPOCH;
import static dev.handoff.recovery.RecoveryFixture.PRIMARY;
import static dev.handoff.recovery.RecoveryFixture.R1;
import static dev.handoff.recovery.RecoveryFixture.R2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.handoff.runbook.RunbookResults;
import dev.handoff.domain.FailureType;
import dev.handoff.planning.RunbookPlan;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.OperatorDecision;
import dev.handoff.runbook.OperatorGate;
import dev.handoff.runbook.StepRecord;
import dev.handoff.runbook.TestWorkers;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A recovery whose step after promotion fails for good waits for an operator: {@code retry} runs the step
 * again, {@code abandon} ends the runbook, and no decision within {@link OperatorGate#WAIT} ends it failed
 * after promotion. The test server's clock stands still while the test polls the progress query or signals
 * (so the 24 h wait cannot pass by accident) and only skips ahead while a test waits for the result.
 */
@Timeout(60)
class RecoveryOperatorDecisionTest {
  private static final String STALE = "the KV store holds epoch 2 for " + CLUSTER + ", expected 1";
  /**
   * What is left when the KV write fails: it and the tidy steps after it; the HAProxy repoint runs beside it,
   * so writes resume while the KV store refuses.
   */
  private static final List<String> LEFT_AT_PUBLISH = List.of(RunbookPlan.PUBLISH_TOPOLOGY,
      RunbookPlan.RESTART_HEARTBEAT, RunbookPlan.OLD_PRIMARY);
  private static final String WAITING_STEP = "waiting for the operator";

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
  void retryRunsTheFailedStepAgainAndTheRecoveryCompletes() {
    publishFailsOnceThenSucceeds();
    RecoveryWorkflow workflow = start();

    RunbookProgress waiting = awaitWaitingForOperator(workflow);

    assertWaitingAtPublish(waiting);
    verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
    verify(fixture.heartbeat, never()).restartHeartbeat(any());
    verify(fixture.mysql, never()).setReadOnly(any());

    // What ./handoff runbook retry sends.
    String accepted = workflow.decision(OperatorDecision.RETRY).describe();
    assertThat(accepted).contains("retry accepted by the runbook of " + CLUSTER, "it waited after: ");
    RunbookProgress result = RunbookResults.await(workflow);

    assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
    assertThat(result.newPrimary()).isEqualTo(R2.toString());
    assertThat(result.failureType()).isNull();
    assertThat(result.currentStep()).isNull();
    assertThat(result.detail()).contains(PRIMARY + " answered and is now read-only");
    // Repointing and the replica moves run beside the publish, so they are recorded before or after the
    // failed attempt.
    assertThat(result.steps()).extracting(StepRecord::name, StepRecord::outcome)
        .contains(tuple(RunbookPlan.MOVE_REPLICAS, StepOutcome.DONE));
    assertThat(result.steps()).extracting(StepRecord::name, StepRecord::outcome).containsSubsequence(
        tuple(RunbookPlan.PUBLISH_TOPOLOGY, StepOutcome.FAILED),
        tuple(RunbookPlan.PUBLISH_TOPOLOGY, StepOutcome.DONE),
        tuple(RunbookPlan.RESTART_HEARTBEAT, StepOutcome.DONE),
        tuple("old-primary", StepOutcome.DONE));
    // The step ran twice; nothing before it was redone.
    verify(fixture.kv, times(2)).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
    verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R2));
    verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R1, R2));
    for (String h : RecoveryFixture.HAPROXIES) {
      verify(fixture.haproxy).repointRoutes(new HaproxyActivities.RepointRoutes(h, CLUSTER, R2, List.of(R1)));
    }
    verify(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, R2));
    verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));
  }

  @Test
  void aPromotionThatFailsWaitsWithEveryStepAfterTheFenceLeft() {
    doThrow(FailureType.INSTANCE_UNREACHABLE.nonRetryable("RESET SLAVE ALL: access denied"))
        .doReturn(new StepDone(R2 + " is writable"))
        .when(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R2));
    RecoveryWorkflow workflow = start();

    RunbookProgress waiting = awaitWaitingForOperator(workflow);

    assertThat(waiting.failureType()).isEqualTo(FailureType.INSTANCE_UNREACHABLE);
    // Not yet "the primary": the situation says the promotion is under way.
    assertThat(waiting.detail()).startsWith("promoting " + R2 + ", but step " + RunbookPlan.PROMOTE + " failed")
        .contains("steps left: " + List.of(RunbookPlan.PROMOTE, RunbookPlan.REPOINT_HAPROXY,
            RunbookPlan.PUBLISH_TOPOLOGY, RunbookPlan.MOVE_REPLICAS, RunbookPlan.RESTART_HEARTBEAT,
            RunbookPlan.OLD_PRIMARY), "./handoff runbook retry --cluster " + CLUSTER);
    verify(fixture.mysql, never()).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R1, R2));

    workflow.decision(OperatorDecision.RETRY);
    RunbookProgress result = RunbookResults.await(workflow);

    assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
    verify(fixture.mysql, times(2)).promote(new MysqlActivities.Promote(CLUSTER, R2));
    verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R1, R2));
    verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
  }

  @Test
  void abandonEndsTheRecoveryAndListsTheStepsLeft() {
    publishFailsOnceThenSucceeds();
    RecoveryWorkflow workflow = start();
    assertWaitingAtPublish(awaitWaitingForOperator(workflow));

    workflow.decision(OperatorDecision.ABANDON);
    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class,
        () -> RunbookResults.await(workflow));

    assertThat(failed).as("the abandoned recovery failed").isNotNull();
    assertThat(failed.getCause()).isInstanceOf(ApplicationFailure.class);
    ApplicationFailure failure = (ApplicationFailure) failed.getCause();
    assertThat(failure.getType()).isEqualTo(FailureType.STALE_EPOCH.wireName());
    assertThat(failure.getOriginalMessage()).contains(R2 + " is the primary",
        "step " + RunbookPlan.PUBLISH_TOPOLOGY + " failed: " + STALE, "abandoned by the operator");
    assertStepsLeftAtPublish(failure.getOriginalMessage());
    RunbookProgress progress = workflow.progress();
    assertThat(progress.state()).isEqualTo(RunbookState.ABANDONED);
    assertThat(progress.failureType()).isEqualTo(FailureType.STALE_EPOCH);
    assertThat(progress.currentStep()).isNull();
    assertThat(progress.newPrimary()).isEqualTo(R2.toString());
    assertThat(progress.detail()).isEqualTo(failure.getOriginalMessage())
        .contains("abandoned by the operator: finish the steps left by hand")
        .doesNotContain("./handoff runbook retry");
    assertThat(progress.steps()).extracting(StepRecord::name).doesNotContain(RunbookPlan.RESTART_HEARTBEAT,
        RunbookPlan.OLD_PRIMARY);
    // The failed step was not run again, and no later step ran; the writers were repointed and the replicas
    // moved beside it.
    verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
    verify(fixture.haproxy, times(2)).repointRoutes(any());
    verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R1, R2));
    verify(fixture.heartbeat, never()).restartHeartbeat(any());
    verify(fixture.mysql, never()).setReadOnly(any());
  }

  @Test
  void noDecisionWithinTheWaitFailsAfterPromotion() {
    publishFailsOnceThenSucceeds();
    long started = env.currentTimeMillis();
    RecoveryWorkflow workflow = start();
    assertWaitingAtPublish(awaitWaitingForOperator(workflow));

    // Waiting for the result lets the test server skip the 24 h.
    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class,
        () -> RunbookResults.await(workflow));

    assertThat(failed).as("the undecided recovery failed").isNotNull();
    assertThat(env.currentTimeMillis() - started).as("workflow time until it ended")
        .isGreaterThanOrEqualTo(OperatorGate.WAIT.toMillis());
    ApplicationFailure failure = (ApplicationFailure) failed.getCause();
    assertThat(failure.getType()).isEqualTo(FailureType.STALE_EPOCH.wireName());
    RunbookProgress progress = workflow.progress();
    assertThat(progress.state()).isEqualTo(RunbookState.FAILED_AFTER_PROMOTION);
    assertThat(progress.failureType()).isEqualTo(FailureType.STALE_EPOCH);
    assertThat(progress.currentStep()).isNull();
    assertThat(progress.detail()).isEqualTo(failure.getOriginalMessage())
        .contains("step " + RunbookPlan.PUBLISH_TOPOLOGY + " failed", "no operator decision within 24 h");
    assertStepsLeftAtPublish(progress.detail());
    verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
  }

  /** The KV store refuses the write once, for good (no automatic retry); the next run succeeds. */
  private void publishFailsOnceThenSucceeds() {
    doThrow(FailureType.STALE_EPOCH.nonRetryable(STALE))
        .doReturn(new StepDone("epoch " + (EPOCH + 1)))
        .when(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
  }

  /**
   * The steps a message lists as left: those of {@link #LEFT_AT_PUBLISH}, in order, and the repoint
   * beside the publish only if it had not finished when the publish failed.
   */
  private static void assertStepsLeftAtPublish(String message) {
    Matcher m = Pattern.compile("steps left: \\[([^\\]]*)\\]").matcher(message);
    assertThat(m.find()).as("steps left in: " + message).isTrue();
    List<String> left = List.of(m.group(1).split(", "));
    // Repointing and the replica moves run beside the publish: done or not by then.
    assertThat(left.stream().filter(n -> !n.equals(RunbookPlan.REPOINT_HAPROXY))
        .filter(n -> !n.equals(RunbookPlan.MOVE_REPLICAS)).toList())
        .containsExactlyElementsOf(LEFT_AT_PUBLISH);
  }

  private void assertWaitingAtPublish(RunbookProgress waiting) {
    assertStepsLeftAtPublish(waiting.detail());
    assertThat(waiting.state()).isEqualTo(RunbookState.WAITING_FOR_OPERATOR);
    assertThat(waiting.failureType()).isEqualTo(FailureType.STALE_EPOCH);
    assertThat(waiting.currentStep()).isEqualTo(WAITING_STEP);
    assertThat(waiting.oldPrimary()).isEqualTo(PRIMARY.toString());
    assertThat(waiting.newPrimary()).isEqualTo(R2.toString());
    assertThat(waiting.detail()).contains(R2 + " is the primary",
        "step " + RunbookPlan.PUBLISH_TOPOLOGY + " failed: " + STALE,
        "./handoff runbook retry --cluster " + CLUSTER,
        "./handoff runbook abandon --cluster " + CLUSTER);
    // Writes resumed while the KV store refuses: the writers were repointed beside the failed publish.
    assertThat(waiting.steps()).extracting(StepRecord::name, StepRecord::outcome).contains(
        tuple(RunbookPlan.PROMOTE, StepOutcome.DONE), tuple(RunbookPlan.REPOINT_HAPROXY, StepOutcome.DONE),
        tuple(RunbookPlan.PUBLISH_TOPOLOGY, StepOutcome.FAILED));
    // The replicas move beside it (done by now or not): under the new primary, whatever the operator decides.
  }

  private RecoveryWorkflow start() {
    RecoveryWorkflow workflow = client.newWorkflowStub(RecoveryWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(WorkflowIds.failover(CLUSTER)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(workflow::recover, new RecoveryRequest(CLUSTER, true, "test"));
    return workflow;
  }

  /**
   * The progress once the recovery stopped running: waiting for the operator (and every step beside the
   * failed one finished), or (wrongly) ended.
   */
  private static RunbookProgress awaitWaitingForOperator(RecoveryWorkflow workflow) {
    RunbookProgress p = awaitProgress(workflow, q -> !RunbookState.RUNNING.equals(q.state())
        && (!RunbookPlan.PUBLISH_TOPOLOGY.equals(lastFailed(q))
            || q.steps().stream().map(StepRecord::name).toList()
                .containsAll(List.of(RunbookPlan.REPOINT_HAPROXY, RunbookPlan.MOVE_REPLICAS))));
    assertThat(p.state()).as("state after the failed step: " + p.detail())
        .isEqualTo(RunbookState.WAITING_FOR_OPERATOR);
    return p;
  }

  private static String lastFailed(RunbookProgress p) {
    return p.steps().stream().filter(r -> r.outcome().equals(StepOutcome.FAILED)).map(StepRecord::name)
        .reduce((a, b) -> b).orElse(null);
  }

  /** Polls the progress query until it satisfies {@code until}; fails after 20 s of real time. */
  private static RunbookProgress awaitProgress(RecoveryWorkflow workflow,
      Predicate<RunbookProgress> until) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      RunbookProgress p = workflow.progress();
      if (until.test(p)) {
        return p;
      }
      if (System.nanoTime() > deadline) {
        return fail("the recovery never reached the expected state; last progress: " + p);
      }
      sleepBriefly();
    }
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
