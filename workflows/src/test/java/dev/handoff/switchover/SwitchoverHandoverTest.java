package dev.handoff.switchover;

import dev.handoff.runbook.RunbookControl;
import static org.mockito.AdditionalAnswers.answer;
import dev.handoff.domain.StepDone;
import dev.handoff.detection.DetectionActivities;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.mysql.MysqlActivities;
import java.util.Objects;
import dev.handoff.kv.TopologyActivities;
import static org.mockito.ArgumentMatchers.argThat;
import dev.handoff.runbook.StepOutcome;
import dev.handoff.runbook.RunbookState;
import static dev.handoff.switchover.SwitchoverFixture.CLUSTER;
import static dev.handoff.switchover.SwitchoverFixture.EPOCH;
import static dev.handoff.switchover.SwitchoverFixture.PRIMARY;
import static dev.handoff.switchover.SwitchoverFixture.R1;
import static dev.handoff.switchover.SwitchoverFixture.R2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeast;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.FailureType;
import dev.handoff.planning.DetectionResult;
import dev.handoff.planning.RunbookPlan;
import dev.handoff.recovery.RecoveryWorkflowImpl;
import dev.handoff.runbook.RunbookProgress;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A planned switchover whose old primary dies before promotion is not rolled back onto the dead primary: it
 * becomes a recovery under the same workflow ID (the unplanned runbook), and whoever waits on the switchover
 * gets the recovery's result. A primary that still answers is rolled back as before.
 */
@Timeout(60)
class SwitchoverHandoverTest {
  @RegisterExtension
  final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .setWorkerOptions(TestWorkers.OPTIONS)
      .registerWorkflowImplementationTypes(SwitchoverWorkflowImpl.class, RecoveryWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  final SwitchoverFixture fixture = new SwitchoverFixture();
  WorkflowClient client;
  String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    worker.registerActivitiesImplementations(fixture.activities());
    // R1 has received more than R2 (R2 is moved under it): the recovery promotes R1, as the switchover would have.
    fixture.instance(R2).gtid("0-1-99");
    // Whatever needs the dead old primary fails as a lost connection does.
    doAnswer(inv -> {
      if (!fixture.primaryAnswers()) {
        throw lostConnection();
      }
      MysqlActivities.SetReadOnly req = inv.getArgument(0);
      return new MysqlActivities.ReadOnlyResult(PRIMARY, req.readOnly(), SwitchoverFixture.FINAL_POSITION, "read_only set");
    }).when(fixture.mysql).setReadOnly(argThat(r -> Objects.equals(r.cluster(), CLUSTER) && Objects.equals(r.instance(), PRIMARY)));
    doAnswer(answer((MysqlActivities.MoveReplica req) -> {
      if (req.source().equals(PRIMARY) && !fixture.primaryAnswers()) {
        throw lostConnection();
      }
      return new StepDone(req.replica() + " replicates from " + req.source());
    })).when(fixture.mysql).moveReplica(any());
    env.start();
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  @Test
  void primaryDiesWhileSetReadOnly_theSwitchoverBecomesARecovery() {
    primaryDiesWhenSetReadOnly();

    RunbookProgress result = switchover();

    assertRecoveredWithoutRollback(result, RunbookPlan.SET_READ_ONLY_AND_WAIT);
  }

  @Test
  void primaryDiesWhileTheCandidateCatchesUp_theSwitchoverBecomesARecovery() {
    doAnswer(inv -> {
      fixture.killPrimary();
      throw FailureType.CATCH_UP_TIMEOUT.nonRetryable(R1 + " did not execute 0-1-104: its IO thread lost "
          + PRIMARY);
    }).when(fixture.mysql).waitForGtid(argThat(r -> Objects.equals(r.cluster(), CLUSTER) && Objects.equals(r.instance(), R1) && Objects.equals(r.timeoutSeconds(), SwitchoverWorkflowImpl.CATCH_UP_SECONDS)));

    RunbookProgress result = switchover();

    assertRecoveredWithoutRollback(result, RunbookPlan.SET_READ_ONLY_AND_WAIT);
  }

  @Test
  void primaryDiesWhileReplicasMove_theSwitchoverBecomesARecovery() {
    doAnswer(inv -> {
      fixture.killPrimary();
      throw lostConnection();
    }).when(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, R1));

    RunbookProgress result = switchover();

    assertRecoveredWithoutRollback(result, RunbookPlan.MOVE_REPLICAS);
    assertThat(result.steps()).extracting(StepRecord::name).doesNotContain(RunbookPlan.SET_READ_ONLY_AND_WAIT);
  }

  @Test
  void primaryDiesDuringTheRollback_theRollbackStopsAndARecoveryFollows() {
    // The step fails while the primary answers; the primary dies while the runbook undoes it.
    doAnswer(inv -> {
      throw FailureType.INSTANCE_UNREACHABLE.nonRetryable("RESET SLAVE ALL failed");
    }).when(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R1));
    doAnswer(inv -> {
      fixture.killPrimary();
      throw lostConnection();
    }).when(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, R1, PRIMARY));
    // From the recovery on, promoting R1 works again.
    when(fixture.detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER))).thenAnswer(inv -> {
      if (fixture.primaryAnswers()) {
        return new DetectionResult(AnalysisCode.NO_WRITABLE_PRIMARY, PRIMARY + " is read-only", List.of(), EPOCH, false);
      }
      doAnswer(p -> new StepDone(R1 + " is writable")).when(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R1));
      return new DetectionResult(AnalysisCode.DEAD_PRIMARY, PRIMARY + " unreachable", List.of(PRIMARY), EPOCH, false);
    });

    RunbookProgress result = switchover();

    assertThat(result.state()).as(result.detail()).isEqualTo(RunbookState.COMPLETED);
    assertThat(result.newPrimary()).isEqualTo(R1.toString());
    assertThat(result.detail()).contains("planned switchover", "InstanceUnreachable", "died");
    assertThat(result.steps()).extracting(StepRecord::name).contains(RunbookPlan.PROMOTE, SwitchoverWorkflowImpl.HANDOVER,
        RunbookPlan.CONFIRM_DEAD, RunbookPlan.FENCE_OLD_PRIMARY);
  }

  @Test
  void primaryThatAnswers_aFailedStepStillRollsBack() {
    doAnswer(inv -> {
      throw FailureType.READ_ONLY_BLOCKED.nonRetryable("SET GLOBAL read_only: lock wait timeout");
    }).when(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));

    WorkflowFailedException failed = failedSwitchover();

    RunbookProgress p = latestProgress();
    assertThat(p.state()).isEqualTo(RunbookState.ROLLED_BACK);
    assertThat(((ApplicationFailure) failed.getCause()).getType()).isEqualTo(FailureType.READ_ONLY_BLOCKED.wireName());
    verify(fixture.detection).probeCluster(new DetectionActivities.ProbeCluster(CLUSTER));
    verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
    verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, PRIMARY));
    verify(fixture.haproxy, never()).fenceWriter(any());
    verify(fixture.mysql, never()).promote(any());
  }

  @Test
  void primaryUnreachableButNotConfirmedDead_noRecovery() {
    // The worker cannot reach it, but no replica confirms: no recovery on one side's view alone.
    primaryDiesWhenSetReadOnly();
    when(fixture.detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER))).thenReturn(new DetectionResult(AnalysisCode.UNREACHABLE_PRIMARY,
        PRIMARY + " unreachable from the worker; replicas still receive", List.of(PRIMARY), EPOCH, false));

    failedSwitchover();

    RunbookProgress p = latestProgress();
    assertThat(p.state()).isEqualTo(RunbookState.ROLLBACK_FAILED);
    verify(fixture.detection, atLeast(2)).probeCluster(new DetectionActivities.ProbeCluster(CLUSTER));
    verify(fixture.haproxy, never()).fenceWriter(any());
    verify(fixture.mysql, never()).promote(any());
  }

  @Test
  void deadPrimaryOfAnotherEpoch_noRecovery() {
    primaryDiesWhenSetReadOnly();
    when(fixture.detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER))).thenReturn(new DetectionResult(AnalysisCode.DEAD_PRIMARY,
        "a later topology's primary is dead", List.of(R2), EPOCH + 1, false));

    failedSwitchover();

    assertThat(latestProgress().state()).isEqualTo(RunbookState.ROLLBACK_FAILED);
    verify(fixture.haproxy, never()).fenceWriter(any());
  }

  @Test
  void primaryDiesAfterPromotion_itIsLeftBehindAndTheRunbookCompletes() {
    // Promoted, published, routed: the old primary dies before it can be made a replica.
    doAnswer(inv -> {
      fixture.killPrimary();
      throw lostConnection();
    }).when(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));

    RunbookProgress result = switchover();

    assertThat(result.state()).as(result.detail()).isEqualTo(RunbookState.COMPLETED);
    assertThat(result.newPrimary()).isEqualTo(R1.toString());
    assertThat(result.detail()).contains("left behind: " + PRIMARY, "unreachable", "to do:");
    // Out of the replica pool and the reader backends, so nothing routes reads to it or counts it a replica.
    verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R1, List.of(R2, PRIMARY), EPOCH));
    verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R1, List.of(R2), EPOCH + 1));
    verify(fixture.haproxy).repointRoutes(new HaproxyActivities.RepointRoutes("remote1", CLUSTER, R1, List.of(R2)));
    verify(fixture.haproxy).repointRoutes(new HaproxyActivities.RepointRoutes("remote2", CLUSTER, R1, List.of(R2)));
    // Never rolled back, never handed over: R1 was promoted once.
    verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R1));
    verify(fixture.haproxy, never()).fenceWriter(any());
    verify(fixture.mysql, never()).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
  }

  @Test
  void rejoinFailsWhileThePrimaryAnswers_theRunbookWaitsForTheOperatorAsBefore() throws InterruptedException {
    doAnswer(inv -> {
      throw FailureType.ERRANT_GTID.nonRetryable("CHANGE MASTER failed");
    }).when(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));

    SwitchoverWorkflow wf = newWorkflow();
    WorkflowClient.start(wf::switchover, new SwitchoverRequest(CLUSTER, R1, false));
    RunbookProgress p = latestProgress();
    for (long deadline = System.nanoTime() + 30_000_000_000L; RunbookState.RUNNING.equals(p.state())
        && System.nanoTime() < deadline; p = latestProgress()) {
      Thread.sleep(20);
    }

    assertThat(p.state()).as(p.detail()).isEqualTo(RunbookState.WAITING_FOR_OPERATOR);
    assertThat(p.detail()).contains(RunbookPlan.REJOIN_OLD_PRIMARY, "CHANGE MASTER failed");
    verify(fixture.kv, never()).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R1, List.of(R2), EPOCH + 1));
  }

  private void assertRecoveredWithoutRollback(RunbookProgress result, String failedStep) {
    assertThat(result.state()).as(result.detail()).isEqualTo(RunbookState.COMPLETED);
    assertThat(result.oldPrimary()).isEqualTo(PRIMARY.toString());
    assertThat(result.newPrimary()).isEqualTo(R1.toString());
    assertThat(result.detail()).contains("planned switchover", "died", failedStep);
    // The switchover's own steps come first, then the handover, then the recovery's.
    assertThat(result.steps()).extracting(StepRecord::name, StepRecord::outcome).contains(
        tuple(RunbookPlan.PRECHECK, StepOutcome.DONE),
        tuple(failedStep, StepOutcome.FAILED),
        tuple(SwitchoverWorkflowImpl.HANDOVER, StepOutcome.DONE),
        tuple(RunbookPlan.CONFIRM_DEAD, StepOutcome.DONE),
        tuple(RunbookPlan.FENCE_OLD_PRIMARY, StepOutcome.DONE),
        tuple(RunbookPlan.PROMOTE, StepOutcome.DONE));
    List<String> names = result.steps().stream().map(StepRecord::name).toList();
    assertThat(names.indexOf(failedStep)).isLessThan(names.indexOf(SwitchoverWorkflowImpl.HANDOVER));
    assertThat(names.indexOf(SwitchoverWorkflowImpl.HANDOVER)).isLessThan(names.indexOf(RunbookPlan.CONFIRM_DEAD));
    assertThat(result.steps()).extracting(StepRecord::outcome).doesNotContain(StepOutcome.ROLLED_BACK);
    // Nothing was rolled back onto the dead primary.
    verify(fixture.mysql, never()).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
    verify(fixture.mysql, never()).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, PRIMARY));
    verify(fixture.mysql, never()).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, R1, PRIMARY));
    // The recovery fenced the dead primary, promoted once, and published it without the dead primary.
    verify(fixture.haproxy).fenceWriter(new HaproxyActivities.FenceWriter("remote1", CLUSTER, PRIMARY));
    verify(fixture.haproxy).fenceWriter(new HaproxyActivities.FenceWriter("remote2", CLUSTER, PRIMARY));
    verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R1));
    verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R1, List.of(R2), EPOCH));
    // The query, asked of the workflow ID (its latest run), says the same.
    RunbookProgress p = latestProgress();
    assertThat(p.state()).isEqualTo(RunbookState.COMPLETED);
    assertThat(p.steps()).isEqualTo(result.steps());
  }

  /** The old primary dies as the switchover sets it read-only. */
  private void primaryDiesWhenSetReadOnly() {
    doAnswer(inv -> {
      fixture.killPrimary();
      throw lostConnection();
    }).when(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));
  }

  private static ApplicationFailure lostConnection() {
    return FailureType.INSTANCE_UNREACHABLE.failure("Could not connect to address=(host=127.0.0.1)(port=3307): Connection refused");
  }

  private SwitchoverWorkflow newWorkflow() {
    return client.newWorkflowStub(SwitchoverWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.failover(CLUSTER)).setTaskQueue(taskQueue).build());
  }

  /** Runs a switchover to R1 and returns what its caller gets: after a handover, the recovery's result. */
  private RunbookProgress switchover() {
    return newWorkflow().switchover(new SwitchoverRequest(CLUSTER, R1, false));
  }

  private WorkflowFailedException failedSwitchover() {
    SwitchoverWorkflow wf = newWorkflow();
    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class,
        () -> wf.switchover(new SwitchoverRequest(CLUSTER, R1, false)));
    assertThat(failed).as("the switchover failed").isNotNull();
    return failed;
  }

  /** The progress query of the cluster's failover ID: its latest run answers. */
  private RunbookProgress latestProgress() {
    return client.newWorkflowStub(RunbookControl.class, WorkflowIds.failover(CLUSTER)).progress();
  }
}
