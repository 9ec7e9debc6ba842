package dev.handoff.switchover;

import dev.handoff.domain.StepDone;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.heartbeat.HeartbeatActivities;
import dev.handoff.mysql.MysqlActivities;
import dev.handoff.kv.TopologyActivities;
import dev.handoff.runbook.StepOutcome;
import dev.handoff.runbook.RunbookState;
import static dev.handoff.switchover.SwitchoverFixture.CLUSTER;
import static dev.handoff.switchover.SwitchoverFixture.EPOCH;
import static dev.handoff.switchover.SwitchoverFixture.PRIMARY;
import static dev.handoff.switchover.SwitchoverFixture.R1;
import static dev.handoff.switchover.SwitchoverFixture.R2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
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
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A planned switchover whose step after promotion fails for good waits for an operator: {@code retry}
 * runs the step again, {@code abandon} ends the runbook, and no decision within {@link OperatorGate#WAIT}
 * ends it failed after promotion. The test server's clock stands still while the test polls the progress
 * query or signals (so the 24 h wait cannot pass by accident) and only skips ahead while a test waits for
 * the result or calls {@code env.sleep}.
 */
@Timeout(60)
class SwitchoverOperatorDecisionTest {
  private static final String REPOINT_FAILURE = "remote2 still routes writes to " + PRIMARY;
  /**
   * What the message lists as left when the repoint failed: the repoint first, the publication beside it only
   * while it still runs (either may finish first), then the steps after.
   */
  private static final String[] LEFT_AT_REPOINT = {"steps left: [" + RunbookPlan.REPOINT_HAPROXY + ", ",
      RunbookPlan.RESTART_HEARTBEAT + ", " + RunbookPlan.REJOIN_OLD_PRIMARY + "]"};
  private static final String WAITING_STEP = "waiting for the operator";

  @RegisterExtension
  final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .setWorkerOptions(TestWorkers.OPTIONS)
      .registerWorkflowImplementationTypes(SwitchoverWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  final SwitchoverFixture fixture = new SwitchoverFixture();
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
  void retryRunsTheFailedStepAgainAndTheSwitchoverCompletes() {
    repointFailsOnceThenSucceeds();
    SwitchoverWorkflow workflow = start();

    RunbookProgress waiting = awaitWaitingForOperator(workflow);

    assertWaitingAtRepoint(waiting);
    verify(fixture.haproxy).repointWriter(new HaproxyActivities.RepointWriter("remote2", CLUSTER, R1));
    verify(fixture.heartbeat, never()).restartHeartbeat(any());
    verify(fixture.mysql, never()).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));

    // What ./handoff runbook retry sends.
    String accepted = workflow.decision(OperatorDecision.RETRY).describe();
    assertThat(accepted).contains("retry accepted by the runbook of " + CLUSTER, "it waited after: ");
    RunbookProgress result = RunbookResults.await(workflow);

    assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
    assertThat(result.newPrimary()).isEqualTo(R1.toString());
    assertThat(result.failureType()).isNull();
    assertThat(result.detail()).isNull();
    assertThat(result.currentStep()).isNull();
    assertThat(result.steps()).extracting(StepRecord::name, StepRecord::outcome)
        .contains(tuple(RunbookPlan.PUBLISH_TOPOLOGY, StepOutcome.DONE));
    assertThat(result.steps()).extracting(StepRecord::name, StepRecord::outcome).containsSubsequence(
        tuple(RunbookPlan.REPOINT_HAPROXY, StepOutcome.FAILED),
        tuple(RunbookPlan.REPOINT_HAPROXY, StepOutcome.DONE),
        tuple(RunbookPlan.RESTART_HEARTBEAT, StepOutcome.DONE),
        tuple(RunbookPlan.REJOIN_OLD_PRIMARY, StepOutcome.DONE));
    // The step ran twice: both HAProxies were repointed again (idempotent), nothing before it was redone.
    verify(fixture.haproxy, times(2)).repointWriter(new HaproxyActivities.RepointWriter("remote2", CLUSTER, R1));
    verify(fixture.haproxy, times(2)).repointWriter(new HaproxyActivities.RepointWriter("remote1", CLUSTER, R1));
    verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R1, List.of(R2, PRIMARY), EPOCH));
    verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R1));
    verify(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, R1));
    verify(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));
    verifyNoRollback();
  }

  @Test
  void retryMayBeNeededMoreThanOnce() {
    doThrow(FailureType.HAPROXY_NOT_REPOINTED.nonRetryable(REPOINT_FAILURE))
        .doThrow(FailureType.HAPROXY_UNREACHABLE.nonRetryable("remote2: admin socket: connection refused"))
        .doReturn(new StepDone("remote2 writes to " + R1))
        .when(fixture.haproxy).repointWriter(new HaproxyActivities.RepointWriter("remote2", CLUSTER, R1));
    SwitchoverWorkflow workflow = start();

    awaitWaitingForOperator(workflow);
    workflow.decision(OperatorDecision.RETRY);
    RunbookProgress again = awaitProgress(workflow, p -> RunbookState.WAITING_FOR_OPERATOR.equals(p.state())
        && failedRecords(p, RunbookPlan.REPOINT_HAPROXY) == 2, null);

    // The second failure is reported as such, with the same steps left.
    assertThat(again.failureType()).isEqualTo(FailureType.HAPROXY_UNREACHABLE);
    assertThat(again.detail()).contains("step " + RunbookPlan.REPOINT_HAPROXY + " failed: remote2: admin socket",
        LEFT_AT_REPOINT[0], LEFT_AT_REPOINT[1], "./handoff runbook retry --cluster " + CLUSTER);
    workflow.decision(OperatorDecision.RETRY);
    RunbookProgress result = RunbookResults.await(workflow);

    assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
    verify(fixture.haproxy, times(3)).repointWriter(new HaproxyActivities.RepointWriter("remote2", CLUSTER, R1));
    verify(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, R1));
    verify(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));
  }

  @Test
  void abandonEndsTheSwitchoverAndListsTheStepsLeft() {
    repointFailsOnceThenSucceeds();
    SwitchoverWorkflow workflow = start();
    assertWaitingAtRepoint(awaitWaitingForOperator(workflow));

    workflow.decision(OperatorDecision.ABANDON);
    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class,
        () -> RunbookResults.await(workflow));

    assertThat(failed).as("the abandoned switchover failed").isNotNull();
    assertThat(failed.getCause()).isInstanceOf(ApplicationFailure.class);
    ApplicationFailure failure = (ApplicationFailure) failed.getCause();
    assertThat(failure.getType()).isEqualTo(FailureType.HAPROXY_NOT_REPOINTED.wireName());
    assertThat(failure.getOriginalMessage()).contains(R1 + " is the primary",
        "step " + RunbookPlan.REPOINT_HAPROXY + " failed: " + REPOINT_FAILURE, LEFT_AT_REPOINT[0], LEFT_AT_REPOINT[1],
        "abandoned by the operator");
    RunbookProgress progress = workflow.progress();
    assertThat(progress.state()).isEqualTo(RunbookState.ABANDONED);
    assertThat(progress.failureType()).isEqualTo(FailureType.HAPROXY_NOT_REPOINTED);
    assertThat(progress.currentStep()).isNull();
    assertThat(progress.newPrimary()).isEqualTo(R1.toString());
    assertThat(progress.detail()).isEqualTo(failure.getOriginalMessage())
        .contains("abandoned by the operator: finish the steps left by hand", LEFT_AT_REPOINT[0], LEFT_AT_REPOINT[1])
        .doesNotContain("./handoff runbook retry");
    assertThat(progress.steps()).extracting(StepRecord::name)
        .doesNotContain(RunbookPlan.RESTART_HEARTBEAT, RunbookPlan.REJOIN_OLD_PRIMARY);
    // The failed step was not run again, and no later step ran.
    verify(fixture.haproxy).repointWriter(new HaproxyActivities.RepointWriter("remote2", CLUSTER, R1));
    verify(fixture.heartbeat, never()).restartHeartbeat(any());
    verify(fixture.mysql, never()).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));
    verifyNoRollback();
  }

  @Test
  void noDecisionWithinTheWaitFailsAfterPromotion() {
    repointFailsOnceThenSucceeds();
    long started = env.currentTimeMillis();
    SwitchoverWorkflow workflow = start();
    assertWaitingAtRepoint(awaitWaitingForOperator(workflow));

    // Waiting for the result lets the test server skip the 24 h.
    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class,
        () -> RunbookResults.await(workflow));

    assertThat(failed).as("the undecided switchover failed").isNotNull();
    assertThat(env.currentTimeMillis() - started).as("workflow time until it ended")
        .isGreaterThanOrEqualTo(OperatorGate.WAIT.toMillis());
    ApplicationFailure failure = (ApplicationFailure) failed.getCause();
    assertThat(failure.getType()).isEqualTo(FailureType.HAPROXY_NOT_REPOINTED.wireName());
    RunbookProgress progress = workflow.progress();
    assertThat(progress.state()).isEqualTo(RunbookState.FAILED_AFTER_PROMOTION);
    assertThat(progress.failureType()).isEqualTo(FailureType.HAPROXY_NOT_REPOINTED);
    assertThat(progress.currentStep()).isNull();
    assertThat(progress.detail()).isEqualTo(failure.getOriginalMessage())
        .contains("step " + RunbookPlan.REPOINT_HAPROXY + " failed", LEFT_AT_REPOINT[0], LEFT_AT_REPOINT[1],
            "no operator decision within 24 h");
    verify(fixture.haproxy).repointWriter(new HaproxyActivities.RepointWriter("remote2", CLUSTER, R1));
    verify(fixture.heartbeat, never()).restartHeartbeat(any());
    verifyNoRollback();
  }

  @Test
  void aDecisionSentWhileTheRunbookDoesNotWaitIsRefusedToTheCallerAndChangesNothing() throws InterruptedException {
    // What ./handoff runbook abandon sends, while the promotion still runs: refused to the caller, not dropped.
    CountDownLatch release = new CountDownLatch(1);
    SwitchoverWorkflow workflow = startHeldInThePromotion(release);

    WorkflowUpdateException early = catchThrowableOfType(WorkflowUpdateException.class,
        () -> workflow.decision(OperatorDecision.ABANDON));
    release.countDown();

    assertThat(early).as("an abandon while the runbook runs").isNotNull();
    assertThat(((ApplicationFailure) early.getCause()).getOriginalMessage())
        .contains("the runbook of " + CLUSTER + " is " + RunbookState.RUNNING + ", not waiting for an operator",
            "nothing was changed");
    assertWaitingAtRepoint(awaitWaitingForOperator(workflow));
    assertThat(workflow.decision(OperatorDecision.RETRY).describe()).contains("retry accepted");
    // A second decision for the same wait changes nothing either: the failed step runs once more, not twice.
    Throwable second = catchThrowable(() -> workflow.decision(OperatorDecision.RETRY));
    assertThat(second).as("a second retry for one wait").isNotNull();
    assertThat(RunbookResults.await(workflow).state()).isEqualTo(RunbookState.COMPLETED);
    verify(fixture.haproxy, times(2)).repointWriter(new HaproxyActivities.RepointWriter("remote2", CLUSTER, R1));
  }

  @Test
  void aStepThatExhaustsItsRetriesWaitsForTheOperatorToo() {
    // FORWARD gives up after 35 attempts (about five minutes of workflow time), then asks the operator.
    int maxAttempts = 35;
    AtomicInteger attempts = new AtomicInteger();
    doAnswer(inv -> {
      if (attempts.incrementAndGet() <= maxAttempts) {
        throw FailureType.HEARTBEAT_NOT_ADVANCING.failure("heartbeat row on " + R2 + " did not advance");
      }
      return new StepDone("heartbeat on " + R1);
    }).when(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, R1));
    SwitchoverWorkflow workflow = start();
    long start = env.currentTimeMillis();

    // Between polls the test server may skip 30 s ahead, over the backoff between attempts.
    RunbookProgress waiting = awaitProgress(workflow, p -> !RunbookState.RUNNING.equals(p.state()),
        Duration.ofSeconds(30));

    assertThat(waiting.state()).isEqualTo(RunbookState.WAITING_FOR_OPERATOR);
    assertThat(attempts).hasValue(maxAttempts);
    assertThat(env.currentTimeMillis() - start).as("workflow time spent retrying").isGreaterThan(240_000);
    assertThat(waiting.failureType()).isEqualTo(FailureType.HEARTBEAT_NOT_ADVANCING);
    assertThat(waiting.detail()).contains(R1 + " is the primary",
        "step " + RunbookPlan.RESTART_HEARTBEAT + " failed: heartbeat row on " + R2 + " did not advance",
        "steps left: " + List.of(RunbookPlan.RESTART_HEARTBEAT, RunbookPlan.REJOIN_OLD_PRIMARY),
        "./handoff runbook retry --cluster " + CLUSTER);
    verify(fixture.mysql, never()).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));

    workflow.decision(OperatorDecision.RETRY);
    RunbookProgress result = RunbookResults.await(workflow);

    assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
    assertThat(attempts).hasValue(maxAttempts + 1);
    verify(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));
    verifyNoRollback();
  }

  /** remote2 refuses the repoint once, for good (no automatic retry); the next run succeeds. */
  private void repointFailsOnceThenSucceeds() {
    doThrow(FailureType.HAPROXY_NOT_REPOINTED.nonRetryable(REPOINT_FAILURE))
        .doReturn(new StepDone("remote2 writes to " + R1))
        .when(fixture.haproxy).repointWriter(new HaproxyActivities.RepointWriter("remote2", CLUSTER, R1));
  }

  private void assertWaitingAtRepoint(RunbookProgress waiting) {
    assertThat(waiting.state()).isEqualTo(RunbookState.WAITING_FOR_OPERATOR);
    assertThat(waiting.failureType()).isEqualTo(FailureType.HAPROXY_NOT_REPOINTED);
    assertThat(waiting.currentStep()).isEqualTo(WAITING_STEP);
    assertThat(waiting.oldPrimary()).isEqualTo(PRIMARY.toString());
    assertThat(waiting.newPrimary()).isEqualTo(R1.toString());
    assertThat(waiting.detail()).contains(R1 + " is the primary",
        "step " + RunbookPlan.REPOINT_HAPROXY + " failed: " + REPOINT_FAILURE,
        LEFT_AT_REPOINT[0], LEFT_AT_REPOINT[1],
        "./handoff runbook retry --cluster " + CLUSTER,
        "./handoff runbook abandon --cluster " + CLUSTER);
    // The publication beside the repoint may finish after the repoint failed.
    assertThat(waiting.steps()).filteredOn(r -> !r.name().equals(RunbookPlan.PUBLISH_TOPOLOGY)).last()
        .extracting(StepRecord::name, StepRecord::outcome).containsExactly(RunbookPlan.REPOINT_HAPROXY, StepOutcome.FAILED);
    assertThat(waiting.steps()).extracting(StepRecord::name, StepRecord::outcome)
        .contains(tuple(RunbookPlan.PROMOTE, StepOutcome.DONE), tuple(RunbookPlan.PUBLISH_TOPOLOGY, StepOutcome.DONE));
  }

  /** Past the point of no return nothing is undone. */
  private void verifyNoRollback() {
    verify(fixture.mysql, never()).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
    verify(fixture.mysql, never()).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, PRIMARY));
    verify(fixture.mysql, never()).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, R1, PRIMARY));
  }

  /**
   * Starts a switchover whose KV write waits for {@code release} (at most 10 s) and whose repoint then fails
   * once; returns once the KV write runs.
   */
  private SwitchoverWorkflow startHeldInThePromotion(CountDownLatch release) throws InterruptedException {
    CountDownLatch promoting = new CountDownLatch(1);
    doAnswer(inv -> {
      promoting.countDown();
      release.await(10, TimeUnit.SECONDS);
      return new StepDone(R1 + " promoted");
    }).when(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R1));
    repointFailsOnceThenSucceeds();
    SwitchoverWorkflow workflow = start();
    assertThat(promoting.await(10, TimeUnit.SECONDS)).as("the switchover reached the promotion").isTrue();
    return workflow;
  }

  private SwitchoverWorkflow start() {
    SwitchoverWorkflow workflow = client.newWorkflowStub(SwitchoverWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(WorkflowIds.failover(CLUSTER)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(workflow::switchover, new SwitchoverRequest(CLUSTER, R1, false));
    return workflow;
  }

  /** The progress once the switchover stopped running: waiting for the operator, or (wrongly) ended. */
  private RunbookProgress awaitWaitingForOperator(SwitchoverWorkflow workflow) {
    RunbookProgress p = awaitProgress(workflow, q -> !RunbookState.RUNNING.equals(q.state()), null);
    assertThat(p.state()).as("state after the failed step: " + p.detail())
        .isEqualTo(RunbookState.WAITING_FOR_OPERATOR);
    return p;
  }

  /**
   * Polls the progress query until it satisfies {@code until}; fails after 20 s of real time. Between polls
   * the workflow clock stands still, unless {@code skip} is given: then it may jump that far ahead.
   */
  private RunbookProgress awaitProgress(SwitchoverWorkflow workflow, Predicate<RunbookProgress> until,
      Duration skip) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      RunbookProgress p = workflow.progress();
      if (until.test(p)) {
        return p;
      }
      if (System.nanoTime() > deadline) {
        return fail("the switchover never reached the expected state; last progress: " + p);
      }
      if (skip != null) {
        env.sleep(skip);
      } else {
        sleepBriefly();
      }
    }
  }

  private static long failedRecords(RunbookProgress p, String step) {
    return p.steps().stream().filter(s -> s.name().equals(step) && s.outcome().equals(StepOutcome.FAILED)).count();
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
