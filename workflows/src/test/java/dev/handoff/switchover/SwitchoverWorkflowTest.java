package dev.handoff.switchover;

import dev.handoff.domain.StepDone;
import dev.handoff.cluster.ClusterActivities;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.heartbeat.HeartbeatActivities;
import dev.handoff.mysql.MysqlActivities;
import java.util.Objects;
import dev.handoff.kv.TopologyActivities;
import static org.mockito.ArgumentMatchers.argThat;
import dev.handoff.runbook.StepOutcome;
import dev.handoff.runbook.RunbookState;
import dev.handoff.runbook.RunbookResults;
import dev.handoff.runbook.RunbookProgress;
import static dev.handoff.switchover.SwitchoverFixture.CLUSTER;
import static dev.handoff.switchover.SwitchoverFixture.EPOCH;
import static dev.handoff.switchover.SwitchoverFixture.FINAL_POSITION;
import static dev.handoff.switchover.SwitchoverFixture.PRIMARY;
import static dev.handoff.switchover.SwitchoverFixture.R1;
import static dev.handoff.switchover.SwitchoverFixture.R2;
import static dev.handoff.switchover.SwitchoverFixture.STRANGER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.Topology;
import dev.handoff.planning.RunbookPlan;
import dev.handoff.runbook.RunbookSteps;
import dev.handoff.runbook.StepRecord;
import dev.handoff.runbook.TestWorkers;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;

/** The planned switchover runbook against mocked activities, on the SDK's time-skipping test server. */
@Timeout(60)
class SwitchoverWorkflowTest {
  private static final List<String> ALL_STEPS = List.of(
      RunbookPlan.PRECHECK + ":config", RunbookPlan.PRECHECK + ":topology", RunbookPlan.PRECHECK + ":inspect",
      RunbookPlan.PRECHECK, RunbookPlan.MOVE_REPLICAS, "kv-writable:before-read-only",
      RunbookPlan.SET_READ_ONLY_AND_WAIT, "kv-writable:before-promote", RunbookPlan.PROMOTE,
      RunbookPlan.REPOINT_HAPROXY, RunbookPlan.PUBLISH_TOPOLOGY, RunbookPlan.RESTART_HEARTBEAT,
      RunbookPlan.REJOIN_OLD_PRIMARY);

  /**
   * The steps' records in the plan's order, but for the repoint and the publication: they run side by side
   * after the promotion, so either may finish first.
   */
  static List<String> inPlanOrder(List<StepRecord> records) {
    List<String> names = new java.util.ArrayList<>(records.stream().map(StepRecord::name).toList());
    int repoint = names.indexOf(RunbookPlan.REPOINT_HAPROXY);
    int publish = names.indexOf(RunbookPlan.PUBLISH_TOPOLOGY);
    if (repoint >= 0 && publish >= 0 && Math.abs(repoint - publish) == 1 && publish < repoint) {
      java.util.Collections.swap(names, repoint, publish);
    }
    return names;
  }

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

  @Nested
  class HappyPath {
    @Test
    void switchesToTheRequestedCandidateStepByStep() {
      RunbookProgress result = switchover(R1);

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.oldPrimary()).isEqualTo(PRIMARY.toString());
      assertThat(result.newPrimary()).isEqualTo(R1.toString());
      assertThat(result.failureType()).isNull();
      assertThat(result.currentStep()).isNull();
      assertThat(result.plan()).contains("to " + R1);
      assertThat(inPlanOrder(result.steps())).containsExactlyElementsOf(ALL_STEPS);
      assertThat(result.steps()).extracting(StepRecord::outcome).containsOnly(StepOutcome.DONE);
      verifySwitchedOver(R1, R2);
    }

    @Test
    void theStepsRunAreThePlansStepsInItsOrder() {
      RunbookProgress result = switchover(R1);

      // The plan --dry-run prints is the list the workflow runs: no step of its own, none skipped.
      List<String> planned = RunbookPlan.switchover(new Topology(CLUSTER, PRIMARY, List.of(R1, R2), EPOCH), R1)
          .stepNames();
      assertThat(inPlanOrder(result.steps())).filteredOn(planned::contains).containsExactlyElementsOf(planned);
      assertThat(result.steps()).extracting(StepRecord::name)
          .allMatch(n -> planned.contains(n.split(":")[0]) || n.startsWith("kv-writable:"));
    }

    @Test
    void progressQueryReportsEveryStepDone() {
      SwitchoverWorkflow workflow = newWorkflow(WorkflowIds.failover(CLUSTER));
      workflow.switchover(new SwitchoverRequest(CLUSTER, R1, false));

      RunbookProgress progress = workflow.progress();
      assertThat(progress.cluster()).isEqualTo(CLUSTER);
      assertThat(progress.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(progress.newPrimary()).isEqualTo(R1.toString());
      assertThat(inPlanOrder(progress.steps())).containsExactlyElementsOf(ALL_STEPS);
      assertThat(progress.steps()).allSatisfy(s -> assertThat(s.outcome()).as(s.name()).isEqualTo(StepOutcome.DONE));
      assertThat(progress.steps()).filteredOn(s -> s.name().equals(RunbookPlan.REPOINT_HAPROXY))
          .singleElement().extracting(StepRecord::detail).asString()
          .contains("remote1 writes to " + R1, "remote2 writes to " + R1);
    }

    @Test
    void choosesTheBestReplicaWhenNoCandidateIsGiven() {
      // Both replicas qualify; 3309 lags less, so it wins over 3308.
      fixture.instance(R1).lag(0.4);

      RunbookProgress result = switchover(null);

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.newPrimary()).isEqualTo(R2.toString());
      assertThat(result.steps()).extracting(StepRecord::outcome).containsOnly(StepOutcome.DONE);
      verifySwitchedOver(R2, R1);
    }

    @Test
    void anUnreachableInstanceOutsideTheReplicaPoolStaysOutOfIt() {
      // R2 failed out earlier (a recovery left it out of the pool) and is still down.
      org.mockito.Mockito.when(fixture.kv.readTopology(new TopologyActivities.ReadTopology(CLUSTER)))
          .thenReturn(new dev.handoff.domain.Topology(CLUSTER, PRIMARY, List.of(R1), EPOCH));
      fixture.instance(R2).unreachable();

      RunbookProgress result = switchover(R1);

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R1, List.of(PRIMARY), EPOCH));
    }

    @Test
    void anUnreachableReplicaOfThePoolStaysInIt() {
      fixture.instance(R2).unreachable();

      RunbookProgress result = switchover(R1);

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R1, List.of(PRIMARY, R2), EPOCH));
    }

    private void verifySwitchedOver(InstanceKey candidate, InstanceKey other) {
      InOrder order = inOrder(fixture.mysql, fixture.kv, fixture.haproxy, fixture.heartbeat);
      order.verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, other, candidate));
      order.verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));
      order.verify(fixture.mysql).waitForGtid(new MysqlActivities.WaitForGtid(CLUSTER, candidate, FINAL_POSITION, SwitchoverWorkflowImpl.CATCH_UP_SECONDS));
      order.verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, candidate));
      // The HAProxies are repointed in parallel, and the KV write runs beside them: all after the promotion,
      // all before pt-heartbeat.
      order.verify(fixture.haproxy, times(2)).repointWriter(argThat(r -> Objects.equals(r.cluster(), CLUSTER) && Objects.equals(r.primary(), candidate)));
      order.verify(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, candidate));
      InOrder publish = inOrder(fixture.mysql, fixture.kv, fixture.heartbeat);
      publish.verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, candidate));
      publish.verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, candidate, List.of(other, PRIMARY), EPOCH));
      publish.verify(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, candidate));
      order.verify(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, candidate));
      verify(fixture.haproxy).repointWriter(new HaproxyActivities.RepointWriter("remote1", CLUSTER, candidate));
      verify(fixture.haproxy).repointWriter(new HaproxyActivities.RepointWriter("remote2", CLUSTER, candidate));
      // Nothing was undone.
      verify(fixture.mysql, never()).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
      verify(fixture.mysql, never()).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, other, PRIMARY));
      verify(fixture.mysql, never()).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, candidate, PRIMARY));
    }
  }

  @Nested
  class PreChecks {
    @Test
    void refusesACandidateWithAnErrantTransaction() {
      // 3308 (server_id 2) wrote a transaction of its own the primary never had.
      fixture.instance(R1).gtid("0-1-100,1-2-5");
      assertRefused(R1, FailureType.ERRANT_GTID, "has transactions the primary lacks: 1-2-5");
    }

    @Test
    void refusesACandidateWhoseGtidDivergedAtTheSameSequence() {
      // Same domain and seq, another server_id: a different transaction 100 than the primary's.
      fixture.instance(R1).gtid("0-2-100");
      assertRefused(R1, FailureType.ERRANT_GTID, "0-2-100");
    }

    @Test
    void refusesALaggingCandidate() {
      fixture.instance(R1).lag(12.0);
      assertRefused(R1, FailureType.CANDIDATE_LAGGING, "lags 12 s behind the primary, over the 5 s limit");
    }

    @Test
    void refusesACandidateRunningDdl() {
      fixture.instance(R1).ddlRunning();
      assertRefused(R1, FailureType.DDL_RUNNING, "is running DDL");
    }

    @Test
    void refusesACandidateThatDoesNotReplicate() {
      fixture.instance(R1).replicationStopped("Duplicate entry '7' for key 'PRIMARY'");
      assertRefused(R1, FailureType.CANDIDATE_NOT_REPLICATING, "IO thread not running", "Duplicate entry");
    }

    @Test
    void refusesAnUnreachableCandidate() {
      fixture.instance(R1).unreachable();
      assertRefused(R1, FailureType.CANDIDATE_UNREACHABLE, "connect timed out");
    }

    @Test
    void refusesAnUnknownCandidate() {
      assertRefused(STRANGER, FailureType.UNKNOWN_INSTANCE, STRANGER + " is not a replica of primary " + PRIMARY);
    }

    @Test
    void refusesTheCurrentPrimaryAsCandidate() {
      assertRefused(PRIMARY, FailureType.CANDIDATE_IS_PRIMARY, PRIMARY + " is already the primary");
    }

    @Test
    void refusesWhenAHaproxyDoesNotAnswer() {
      fixture.haproxySilent("remote2");
      assertRefused(R1, FailureType.HAPROXY_UNREACHABLE, "HAProxy remote2 did not answer");
    }

    @Test
    void refusesWhenAHaproxyPingFails() {
      doThrow(ApplicationFailure.newFailure("connect: no such file or directory", "HaproxySocket"))
          .when(fixture.haproxy).pingHaproxy(new HaproxyActivities.PingHaproxy("remote1"));
      assertRefused(R1, FailureType.HAPROXY_UNREACHABLE, "HAProxy remote1 did not answer");
    }

    @Test
    void refusesWhileALongDmlRunsOnThePrimary() {
      fixture.instance(PRIMARY).dmlRunningFor(300);
      assertRefused(R1, FailureType.LONG_RUNNING_DML, "DML running for 300 s, over the 60 s limit");
    }

    @Test
    void refusesWhenNoReplicaQualifiesForAutomaticChoice() {
      fixture.instance(R1).lag(30);
      fixture.instance(R2).ddlRunning();
      assertRefused(null, FailureType.NO_ELIGIBLE_CANDIDATE, "no replica of primary " + PRIMARY + " can be promoted");
    }

    @Test
    void refusesWhenAReplicaIsWritableToo() {
      fixture.instance(R2).writable();
      assertRefused(R1, FailureType.TOPOLOGY_MISMATCH, "expected only the KV primary " + PRIMARY + " to be writable");
    }

    @Test
    void refusesAClusterTheWorkerDoesNotKnow() {
      doThrow(FailureType.UNKNOWN_CLUSTER.nonRetryable("no cluster c1 in the worker's configuration")).when(fixture.cluster).describeCluster(new ClusterActivities.DescribeCluster(CLUSTER));
      assertRefused(R1, FailureType.UNKNOWN_CLUSTER, "no cluster c1");
    }

    private void assertRefused(InstanceKey candidate, FailureType type, String... detail) {
      Outcome out = failedSwitchover(candidate);

      assertThat(out.failure().getType()).isEqualTo(type.wireName());
      assertThat(out.failure().getOriginalMessage()).contains(detail);
      assertThat(out.progress().state()).isEqualTo(RunbookState.REFUSED);
      assertThat(out.progress().failureType()).isEqualTo(type);
      assertThat(out.progress().currentStep()).isNull();
      assertThat(out.progress().steps()).extracting(StepRecord::name)
          .allSatisfy(name -> assertThat(name).startsWith(RunbookPlan.PRECHECK));
      fixture.verifyNothingChanged();
    }
  }

  @Nested
  class DryRun {
    @Test
    void returnsThePlanAndChangesNothing() {
      RunbookProgress result = newWorkflow(WorkflowIds.dryRun(CLUSTER))
          .switchover(new SwitchoverRequest(CLUSTER, R1, true));

      assertThat(result.state()).isEqualTo(RunbookState.DRY_RUN);
      assertThat(result.newPrimary()).isEqualTo(R1.toString());
      assertThat(result.currentStep()).isNull();
      assertThat(result.plan()).isNotBlank()
          .contains("Switchover of cluster c1 from " + PRIMARY + " to " + R1)
          .contains(RunbookPlan.MOVE_REPLICAS, RunbookPlan.PROMOTE, RunbookPlan.REJOIN_OLD_PRIMARY);
      assertThat(result.steps()).extracting(StepRecord::name).last().isEqualTo(RunbookPlan.PRECHECK);
      assertThat(result.steps()).extracting(StepRecord::outcome).containsOnly(StepOutcome.DONE);
      fixture.verifyNothingChanged();
    }

    @Test
    void namesTheChosenCandidateWhenNoneIsGiven() {
      RunbookProgress result = newWorkflow(WorkflowIds.dryRun(CLUSTER))
          .switchover(new SwitchoverRequest(CLUSTER, null, true));

      assertThat(result.state()).isEqualTo(RunbookState.DRY_RUN);
      assertThat(result.newPrimary()).isEqualTo(R1.toString());
      assertThat(result.plan()).contains("to " + R1);
      fixture.verifyNothingChanged();
    }
  }

  @Nested
  class RollbackBeforePromotion {
    @Test
    void moveReplicaFailure() {
      doThrow(FailureType.REPLICATION_NOT_RUNNING.nonRetryable("3309 did not reach 0-1-100 on 3308"))
          .when(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, R1));

      Outcome out = assertRolledBack(RunbookPlan.MOVE_REPLICAS, FailureType.REPLICATION_NOT_RUNNING);

      // The undo was registered before the move, and moving back is a no-op when it never left.
      verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, PRIMARY));
      verify(fixture.mysql, never()).setReadOnly(argThat(r -> Objects.equals(r.instance(), PRIMARY) && Objects.equals(r.readOnly(), true)));
      verify(fixture.mysql, never()).setReadOnly(argThat(r -> Objects.equals(r.instance(), PRIMARY) && Objects.equals(r.readOnly(), false)));
      verify(fixture.mysql, never()).promote(argThat(r -> Objects.equals(r.instance(), R1)));
      assertThat(out.progress().steps()).extracting(StepRecord::name)
          .doesNotContain(RunbookPlan.SET_READ_ONLY_AND_WAIT, RunbookPlan.PROMOTE);
    }

    @Test
    void setReadOnlyFailure() {
      doThrow(FailureType.READ_ONLY_BLOCKED.nonRetryable("SET GLOBAL read_only: lock wait timeout"))
          .when(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));

      assertRolledBack(RunbookPlan.SET_READ_ONLY_AND_WAIT, FailureType.READ_ONLY_BLOCKED);

      InOrder undo = inOrder(fixture.mysql);
      undo.verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
      undo.verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, PRIMARY));
      verify(fixture.mysql, never()).waitForGtid(argThat(r -> Objects.equals(r.instance(), R1)));
      verify(fixture.mysql, never()).promote(argThat(r -> Objects.equals(r.instance(), R1)));
    }

    @Test
    void catchUpFailure() {
      doThrow(FailureType.CATCH_UP_TIMEOUT.nonRetryable("3308 did not execute 0-1-104 in 30 s")).when(fixture.mysql).waitForGtid(new MysqlActivities.WaitForGtid(CLUSTER, R1, FINAL_POSITION, SwitchoverWorkflowImpl.CATCH_UP_SECONDS));

      assertRolledBack(RunbookPlan.SET_READ_ONLY_AND_WAIT, FailureType.CATCH_UP_TIMEOUT);

      InOrder undo = inOrder(fixture.mysql);
      undo.verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));
      undo.verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
      undo.verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, PRIMARY));
      verify(fixture.mysql, never()).promote(argThat(r -> Objects.equals(r.instance(), R1)));
    }

    @Test
    void aKvStoreGoneBeforeReadOnlyRollsBackWithoutStoppingWrites() {
      doThrow(FailureType.KV_UNAVAILABLE.failure("etcd at http://127.0.0.1:2379 failed to take a write to"
          + " handoff/kv-check/c1: no answer within 2 s"))
          .when(fixture.kv).checkWritable(new TopologyActivities.CheckWritable(CLUSTER, EPOCH, 0));

      Outcome out = assertRolledBack("kv-writable:before-read-only", FailureType.KV_UNAVAILABLE);

      assertThat(out.failure().getOriginalMessage()).contains("etcd at http://127.0.0.1:2379", "nothing was promoted",
          "bring the KV store back");
      verify(fixture.kv, times(2)).checkWritable(new TopologyActivities.CheckWritable(CLUSTER, EPOCH, 0)); // KV_CHECK: one more try, then roll back
      verify(fixture.mysql, never()).setReadOnly(argThat(r -> Objects.equals(r.instance(), PRIMARY)));
      verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, PRIMARY));
      verify(fixture.mysql, never()).promote(any());
    }

    @Test
    void aKvStoreGoneDuringTheCatchUpRollsBackBeforePromotion() {
      // The check before read-only passes; every later one fails (KV_CHECK tries twice).
      doReturn(new StepDone("etcd took a write")).doThrow(FailureType.KV_UNAVAILABLE.failure("etcd at http://127.0.0.1:2379 failed to"
          + " take a write: no answer within 2 s"))
          .when(fixture.kv).checkWritable(new TopologyActivities.CheckWritable(CLUSTER, EPOCH, 0));

      assertRolledBack("kv-writable:before-promote", FailureType.KV_UNAVAILABLE);

      InOrder undo = inOrder(fixture.mysql, fixture.kv);
      undo.verify(fixture.kv).checkWritable(new TopologyActivities.CheckWritable(CLUSTER, EPOCH, 0));
      undo.verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));
      undo.verify(fixture.kv, times(2)).checkWritable(new TopologyActivities.CheckWritable(CLUSTER, EPOCH, 0));
      undo.verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
      undo.verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, PRIMARY));
      verify(fixture.mysql, never()).promote(any());
    }

    @Test
    void promoteFailure() {
      doThrow(FailureType.INSTANCE_UNREACHABLE.nonRetryable("RESET SLAVE ALL failed"))
          .when(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R1));

      assertRolledBack(RunbookPlan.PROMOTE, FailureType.INSTANCE_UNREACHABLE);

      // Undone in reverse: candidate back under the old primary, old primary writable, replica moved back.
      InOrder undo = inOrder(fixture.mysql);
      undo.verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R1));
      undo.verify(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, R1, PRIMARY));
      undo.verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
      undo.verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, PRIMARY));
    }

    @Test
    void rollbackThatFailsTooIsNotReportedAsRolledBack() {
      doThrow(FailureType.INSTANCE_UNREACHABLE.nonRetryable("RESET SLAVE ALL failed"))
          .when(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R1));
      doThrow(FailureType.READ_ONLY_BLOCKED.nonRetryable("SET GLOBAL read_only=0: access denied"))
          .when(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));

      Outcome out = failedSwitchover(R1);

      // Left for the operator: the state says so, and the type stays the step's own failure.
      assertThat(out.progress().state()).isEqualTo(RunbookState.ROLLBACK_FAILED);
      assertThat(out.progress().steps()).extracting(StepRecord::outcome).doesNotContain(StepOutcome.ROLLED_BACK);
      assertThat(out.failure().getType()).isEqualTo(FailureType.INSTANCE_UNREACHABLE.wireName());
      assertThat(out.progress().failureType()).isEqualTo(FailureType.INSTANCE_UNREACHABLE);
      assertThat(out.failure().getOriginalMessage()).contains("step " + RunbookPlan.PROMOTE + " failed",
          "the rollback failed too", "access denied", "check that " + PRIMARY + " is writable");
      verify(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, R1, PRIMARY));
      verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
      fixture.verifyNothingAfterPromotion();
    }

    private Outcome assertRolledBack(String failedStep, FailureType type) {
      Outcome out = failedSwitchover(R1);

      assertThat(out.failure().getType()).isEqualTo(type.wireName());
      assertThat(out.failure().getOriginalMessage())
          .contains("step " + failedStep + " failed", "rolled back: " + PRIMARY + " is writable again");
      assertThat(out.progress().state()).isEqualTo(RunbookState.ROLLED_BACK);
      assertThat(out.progress().failureType()).isEqualTo(type);
      assertThat(out.progress().currentStep()).isNull();
      assertThat(out.progress().steps()).filteredOn(s -> s.name().equals(failedStep))
          .singleElement().extracting(StepRecord::outcome).isEqualTo(StepOutcome.FAILED);
      assertThat(out.progress().steps()).last().extracting(StepRecord::name, StepRecord::outcome)
          .containsExactly(RunbookSteps.ROLLBACK, StepOutcome.ROLLED_BACK);
      fixture.verifyNothingAfterPromotion();
      return out;
    }
  }

  @Nested
  class ForwardAfterPromotion {
    @Test
    void aRerunThatFindsItsOwnPublicationGoesForwardInsteadOfRollingBack() {
      // The steps from read-only on ran before, up to the publication, and their workflow task was lost (its
      // worker died, or it timed out): this run's epoch check fails on the switchover's own publication.
      doReturn(new StepDone("etcd took a write at epoch " + EPOCH))
          .doThrow(FailureType.STALE_EPOCH.nonRetryable("topology of c1 is at epoch " + (EPOCH + 1) + ", expected "
              + EPOCH + ": a newer change was published; nothing was written"))
          .when(fixture.kv).checkWritable(new TopologyActivities.CheckWritable(CLUSTER, EPOCH, 0));
      org.mockito.Mockito.when(fixture.kv.readTopology(new TopologyActivities.ReadTopology(CLUSTER))).thenReturn(
          new Topology(CLUSTER, PRIMARY, List.of(R1, R2), EPOCH), new Topology(CLUSTER, R1, List.of(R2, PRIMARY), EPOCH + 1));

      RunbookProgress result = switchover(R1);

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.newPrimary()).isEqualTo(R1.toString());
      assertThat(result.steps()).filteredOn(r -> r.name().equals(SwitchoverWorkflowImpl.PROMOTION_PUBLISHED))
          .singleElement().satisfies(r -> assertThat(r.detail()).contains("not rolled back",
              "the KV store names " + R1 + " as primary at epoch " + (EPOCH + 1)));
      // Never back onto the old primary while the writer frontends go to the new one.
      verify(fixture.mysql, never()).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
      verify(fixture.mysql, never()).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, R1, PRIMARY));
      verify(fixture.haproxy).repointWriter(new HaproxyActivities.RepointWriter("remote1", CLUSTER, R1));
      verify(fixture.haproxy).repointWriter(new HaproxyActivities.RepointWriter("remote2", CLUSTER, R1));
      verify(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));
    }

    @Test
    void retriesTheKvWriteUntilItSucceeds() {
      doThrow(ApplicationFailure.newFailure("etcd: context deadline exceeded", "KvUnavailable"))
          .doReturn(new StepDone("epoch 2"))
          .when(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R1, List.of(R2, PRIMARY), EPOCH));

      RunbookProgress result = switchover(R1);

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.newPrimary()).isEqualTo(R1.toString());
      verify(fixture.kv, times(2)).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R1, List.of(R2, PRIMARY), EPOCH));
      verify(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, R1));
      verify(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));
      verify(fixture.mysql, never()).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
    }

    @Test
    void keepsRetryingAFlakyStepForMinutesWithoutRollingBack() {
      // FORWARD retries for about five minutes (35 attempts), backing off to 10 s; the test server skips the waiting.
      AtomicInteger attempts = new AtomicInteger();
      doAnswer(inv -> {
        if (attempts.incrementAndGet() <= 12) {
          throw new IllegalStateException("pt-heartbeat row did not advance");
        }
        return new StepDone("heartbeat on " + R1);
      }).when(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, R1));
      long start = env.currentTimeMillis();

      RunbookProgress result = switchover(R1);

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(attempts).hasValue(13);
      assertThat(env.currentTimeMillis() - start).as("workflow time spent retrying").isGreaterThan(60_000);
      verify(fixture.mysql).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));
      verify(fixture.mysql, never()).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
    }

    @Test
    void aHaproxyThatCannotBeRepointedFailsForwardWithoutRollback() {
      doThrow(FailureType.HAPROXY_NOT_REPOINTED.nonRetryable("remote2 still routes writes to " + PRIMARY)).when(fixture.haproxy).repointWriter(new HaproxyActivities.RepointWriter("remote2", CLUSTER, R1));

      Outcome out = failedSwitchover(R1);

      assertThat(out.failure().getType()).isEqualTo(FailureType.HAPROXY_NOT_REPOINTED.wireName());
      assertThat(out.failure().getOriginalMessage()).contains(R1 + " is the primary",
          "step " + RunbookPlan.REPOINT_HAPROXY + " failed", "remote2 still routes writes",
          "steps left: [" + RunbookPlan.REPOINT_HAPROXY + ", ", RunbookPlan.RESTART_HEARTBEAT + ", "
              + RunbookPlan.REJOIN_OLD_PRIMARY + "]");
      assertThat(out.progress().state()).isEqualTo(RunbookState.FAILED_AFTER_PROMOTION);
      assertThat(out.progress().newPrimary()).isEqualTo(R1.toString());
      assertThat(out.progress().steps()).extracting(StepRecord::name, StepRecord::outcome).contains(
          tuple(RunbookPlan.PROMOTE, StepOutcome.DONE),
          tuple(RunbookPlan.PUBLISH_TOPOLOGY, StepOutcome.DONE),
          tuple(RunbookPlan.REPOINT_HAPROXY, StepOutcome.FAILED));
      verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R1, List.of(R2, PRIMARY), EPOCH));
      verify(fixture.heartbeat, never()).restartHeartbeat(any());
      verify(fixture.mysql, never()).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));
      // No rollback past the point of no return.
      verify(fixture.mysql, never()).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, false));
      verify(fixture.mysql, never()).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, PRIMARY));
      verify(fixture.mysql, never()).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, R1, PRIMARY));
    }
  }

  @Nested
  class OneFailoverPerCluster {
    @Test
    void aSecondStartWithTheSameIdIsRefusedWhileTheFirstRuns() throws InterruptedException {
      CountDownLatch waiting = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      doAnswer(inv -> {
        waiting.countDown();
        release.await(10, TimeUnit.SECONDS);
        return new StepDone(R1 + " executed " + FINAL_POSITION);
      }).when(fixture.mysql).waitForGtid(new MysqlActivities.WaitForGtid(CLUSTER, R1, FINAL_POSITION, SwitchoverWorkflowImpl.CATCH_UP_SECONDS));

      SwitchoverWorkflow first = newWorkflow(WorkflowIds.failover(CLUSTER));
      WorkflowExecution running = WorkflowClient.start(first::switchover, new SwitchoverRequest(CLUSTER, R1, false));
      assertThat(waiting.await(10, TimeUnit.SECONDS)).as("the first switchover reached the catch-up wait").isTrue();

      SwitchoverWorkflow second = newWorkflow(WorkflowIds.failover(CLUSTER));
      WorkflowExecutionAlreadyStarted refused = catchThrowableOfType(WorkflowExecutionAlreadyStarted.class,
          () -> WorkflowClient.start(second::switchover, new SwitchoverRequest(CLUSTER, R2, false)));
      release.countDown();

      assertThat(refused).isNotNull();
      assertThat(refused.getExecution().getWorkflowId()).isEqualTo("failover-c1");
      assertThat(refused.getExecution().getRunId()).isEqualTo(running.getRunId());
      RunbookProgress result = RunbookResults.await(first);
      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.newPrimary()).isEqualTo(R1.toString());
      verify(fixture.mysql, never()).promote(new MysqlActivities.Promote(CLUSTER, R2));
    }
  }

  private SwitchoverWorkflow newWorkflow(String workflowId) {
    return client.newWorkflowStub(SwitchoverWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(taskQueue).build());
  }

  private RunbookProgress switchover(InstanceKey candidate) {
    return newWorkflow(WorkflowIds.failover(CLUSTER)).switchover(new SwitchoverRequest(CLUSTER, candidate, false));
  }

  /** Runs a switchover that must fail; returns its failure and its progress as the query reports it. */
  private Outcome failedSwitchover(InstanceKey candidate) {
    SwitchoverWorkflow workflow = newWorkflow(WorkflowIds.failover(CLUSTER));
    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class,
        () -> workflow.switchover(new SwitchoverRequest(CLUSTER, candidate, false)));
    assertThat(failed).as("the switchover failed").isNotNull();
    assertThat(failed.getCause()).isInstanceOf(ApplicationFailure.class);
    return new Outcome((ApplicationFailure) failed.getCause(), workflow.progress());
  }

  record Outcome(ApplicationFailure failure, RunbookProgress progress) {}
}
