package dev.handoff.recovery;

import dev.handoff.domain.StepDone;
import dev.handoff.detection.DetectionActivities;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.heartbeat.HeartbeatActivities;
import dev.handoff.mysql.MysqlActivities;
import java.util.Objects;
import dev.handoff.kv.TopologyActivities;
import static org.mockito.ArgumentMatchers.argThat;
import dev.handoff.runbook.StepOutcome;
import dev.handoff.runbook.RunbookState;
import static dev.handoff.recovery.RecoveryFixture.CLUSTER;
import static dev.handoff.recovery.RecoveryFixture.EPOCH;
import static dev.handoff.recovery.RecoveryFixture.PRIMARY;
import static dev.handoff.recovery.RecoveryFixture.R1;
import static dev.handoff.recovery.RecoveryFixture.R2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.PromotionRule;
import dev.handoff.planning.RunbookPlan;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;

/** The dead-primary recovery runbook against mocked activities, on the SDK's time-skipping test server. */
@Timeout(60)
class RecoveryWorkflowTest {
  private static final int CATCH_UP = RecoveryWorkflowImpl.CATCH_UP_STALL_SECONDS;
  private static final List<String> ALL_STEPS = List.of(
      RunbookPlan.CONFIRM_DEAD + ":config", RunbookPlan.CONFIRM_DEAD + ":topology", RunbookPlan.CONFIRM_DEAD,
      RunbookPlan.FENCE_OLD_PRIMARY, RunbookPlan.CHOOSE_CANDIDATE + ":inspect", RunbookPlan.CHOOSE_CANDIDATE,
      RunbookPlan.CATCH_UP, "kv-writable:before-promote", RunbookPlan.STOP_RECEIVING, RunbookPlan.PROMOTE, RunbookPlan.REPOINT_HAPROXY, RunbookPlan.PUBLISH_TOPOLOGY,
      RunbookPlan.MOVE_REPLICAS, RunbookPlan.RESTART_HEARTBEAT, RunbookPlan.OLD_PRIMARY);
  /** The steps that run side by side right after the promotion, in whichever order they finish. */
  private static final List<String> SIDE_BY_SIDE = List.of(RunbookPlan.REPOINT_HAPROXY, RunbookPlan.PUBLISH_TOPOLOGY,
      RunbookPlan.MOVE_REPLICAS);

  @RegisterExtension
  final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .setWorkerOptions(TestWorkers.OPTIONS)
      .registerWorkflowImplementationTypes(RecoveryWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  final RecoveryFixture fixture = new RecoveryFixture();
  WorkflowClient client;
  String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    worker.registerActivitiesImplementations(fixture.activities());
    env.start();
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  @Nested
  class HappyPath {
    @Test
    void promotesTheMostAdvancedReplicaByReceivedGtids() {
      // 3309 received up to 0-1-105, 3308 only up to 0-1-103.
      RunbookProgress result = recover();

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.cluster()).isEqualTo(CLUSTER);
      assertThat(result.oldPrimary()).isEqualTo(PRIMARY.toString());
      assertThat(result.newPrimary()).isEqualTo(R2.toString());
      assertThat(result.failureType()).isNull();
      assertThat(result.currentStep()).isNull();
      assertThat(result.plan()).contains("choose " + R2);
      assertAllSteps(result);
      assertThat(result.steps()).extracting(StepRecord::outcome).containsOnly(StepOutcome.DONE);
      assertThat(result.detail()).contains(PRIMARY + " answered and is now read-only");

      InOrder order = inOrder(fixture.detection, fixture.haproxy, fixture.mysql, fixture.kv, fixture.heartbeat);
      order.verify(fixture.detection).probeCluster(new DetectionActivities.ProbeCluster(CLUSTER));
      // Fenced on every HAProxy (in parallel) before anything is caught up or promoted.
      order.verify(fixture.haproxy, times(2)).fenceWriter(argThat(r -> Objects.equals(r.cluster(), CLUSTER) && Objects.equals(r.instance(), PRIMARY)));
      order.verify(fixture.mysql).catchUp(new MysqlActivities.CatchUp(CLUSTER, R2, "0-1-105", CATCH_UP));
      order.verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R2));
      // Routes, topology and replica moves side by side (see RouteFirstTidyAfter); the dead primary is not
      // among the replicas published.
      verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
      verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R1, R2));
      order.verify(fixture.haproxy, times(2)).repointRoutes(argThat(r -> Objects.equals(r.cluster(), CLUSTER) && Objects.equals(r.primary(), R2) && Objects.equals(r.readers(), List.of(R1))));
      order.verify(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, R2));
      order.verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));
      // Read beside the fence, once; the fenced old primary is not connected to: frozen, it would only hold
      // the step for a timeout.
      verify(fixture.mysql).inspectClusterExcept(new MysqlActivities.InspectClusterExcept(CLUSTER, List.of(PRIMARY)));
      verify(fixture.mysql, never()).inspectCluster(any());
      // Every replica stopped receiving from the dead primary before the promotion, the dead one never asked.
      InOrder stops = inOrder(fixture.mysql);
      stops.verify(fixture.mysql).stopReceiving(new MysqlActivities.StopReceiving(CLUSTER, R2));
      stops.verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R2));
      verify(fixture.mysql).stopReceiving(new MysqlActivities.StopReceiving(CLUSTER, R1));
      verify(fixture.mysql, never()).stopReceiving(new MysqlActivities.StopReceiving(CLUSTER, PRIMARY));
      verify(fixture.mysql, never()).resumeReceiving(any());
      order.verifyNoMoreInteractions();

      for (String h : RecoveryFixture.HAPROXIES) {
        verify(fixture.haproxy).fenceWriter(new HaproxyActivities.FenceWriter(h, CLUSTER, PRIMARY));
        verify(fixture.haproxy).repointRoutes(new HaproxyActivities.RepointRoutes(h, CLUSTER, R2, List.of(R1)));
      }
      verify(fixture.mysql, never()).moveReplica(argThat(r -> Objects.equals(r.replica(), PRIMARY)));
      verify(fixture.mysql, never()).promote(new MysqlActivities.Promote(CLUSTER, R1));
      verify(fixture.mysql, never()).setReadOnly(argThat(r -> Objects.equals(r.readOnly(), false)));
    }

    @Test
    void progressQueryReportsEveryStepDone() {
      RecoveryWorkflow workflow = newWorkflow();
      workflow.recover(new RecoveryRequest(CLUSTER, true, "test"));

      RunbookProgress progress = workflow.progress();
      assertThat(progress.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(progress.newPrimary()).isEqualTo(R2.toString());
      assertAllSteps(progress);
      assertThat(stepDetail(progress, RunbookPlan.CONFIRM_DEAD)).contains("DeadPrimary", RecoveryFixture.DEAD_DETAIL);
      assertThat(stepDetail(progress, RunbookPlan.CHOOSE_CANDIDATE)).contains("chose " + R2);
      assertThat(stepDetail(progress, RunbookPlan.REPOINT_HAPROXY))
          .contains("remote1 writes to " + R2, "remote2 writes to " + R2);
    }
  }

  @Nested
  class CatchUpFromAReplicaAhead {
    @Test
    void catchesUpFromAMustNotReplicaThatReceivedMore() {
      // 3308 may never be promoted, but its relay log holds up to 0-1-110 (it acknowledged the last
      // writes); 3309 received only up to 0-1-104. 3309 must get 0-1-105..110 from 3308 before promotion.
      fixture.instance(R1).replica("0-1-106", "0-1-110").rule(PromotionRule.MUST_NOT);
      fixture.instance(R2).replica("0-1-101", "0-1-104");

      RunbookProgress result = recover();

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.newPrimary()).isEqualTo(R2.toString());
      assertThat(stepDetail(result, RunbookPlan.CHOOSE_CANDIDATE)).contains(R1 + " is ahead by 0-1-110");
      assertThat(stepDetail(result, RunbookPlan.CATCH_UP)).contains("caught up from " + R1);
      InOrder order = inOrder(fixture.mysql, fixture.kv);
      order.verify(fixture.mysql).catchUp(new MysqlActivities.CatchUp(CLUSTER, R2, "0-1-104", CATCH_UP));
      order.verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, R1));
      // Everything 3308 received, not only what it had executed when inspected (0-1-106).
      order.verify(fixture.mysql).catchUp(new MysqlActivities.CatchUp(CLUSTER, R2, "0-1-110", CATCH_UP));
      order.verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R2));
      order.verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R1, R2));
      verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
      verify(fixture.mysql, never()).promote(new MysqlActivities.Promote(CLUSTER, R1));
    }

    @Test
    void catchesUpOnlyToWhatABrokenReplicaExecuted() {
      // 3308's SQL thread stopped on an error: it can serve only what it executed (0-1-106) from its binlog.
      fixture.instance(R1).replica("0-1-106", "0-1-110").sqlStopped("Duplicate entry '7' for key 'PRIMARY'");
      fixture.instance(R2).replica("0-1-101", "0-1-104");

      RunbookProgress result = recover();

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.newPrimary()).isEqualTo(R2.toString());
      InOrder order = inOrder(fixture.mysql);
      order.verify(fixture.mysql).catchUp(new MysqlActivities.CatchUp(CLUSTER, R2, "0-1-104", CATCH_UP));
      order.verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, R1));
      order.verify(fixture.mysql).catchUp(new MysqlActivities.CatchUp(CLUSTER, R2, "0-1-106", CATCH_UP));
      order.verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R2));
    }

    @Test
    void noReplicaAheadMeansNoDetour() {
      recover();

      verify(fixture.mysql).catchUp(any());
      verify(fixture.mysql, never()).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, R1));
    }
  }

  @Nested
  class RouteFirstTidyAfter {
    @Test
    void replicasMoveBesideTheRoutingRightAfterPromotionAndNeitherWaitsForTheOther() throws Exception {
      // Each side waits (bounded) for the other to have started: a runbook that moved the replicas only after
      // the routing (or routed only after the moves) would see the other side missing.
      CountDownLatch moveStarted = new CountDownLatch(1);
      CountDownLatch publishStarted = new CountDownLatch(1);
      AtomicBoolean publishSawMove = new AtomicBoolean();
      AtomicBoolean moveSawPublish = new AtomicBoolean();
      when(fixture.kv.publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH))).thenAnswer(inv -> {
        publishStarted.countDown();
        publishSawMove.set(moveStarted.await(5, TimeUnit.SECONDS));
        return new StepDone("epoch 2");
      });
      when(fixture.mysql.moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R1, R2))).thenAnswer(inv -> {
        moveStarted.countDown();
        moveSawPublish.set(publishStarted.await(5, TimeUnit.SECONDS));
        return new StepDone(R1 + " replicates from " + R2);
      });

      RunbookProgress result = recover();

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(publishSawMove).as("the moves started while the topology was being published").isTrue();
      assertThat(moveSawPublish).as("the publish started while a replica was being moved").isTrue();
      InOrder order = inOrder(fixture.mysql, fixture.kv, fixture.haproxy, fixture.heartbeat);
      order.verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R2));
      order.verify(fixture.haproxy, times(2)).repointRoutes(argThat(r -> Objects.equals(r.cluster(), CLUSTER) && Objects.equals(r.primary(), R2) && Objects.equals(r.readers(), List.of(R1))));
      order.verify(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, R2));
      order.verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));
      assertThat(result.steps()).extracting(StepRecord::name).containsSubsequence(RunbookPlan.PROMOTE,
          RunbookPlan.RESTART_HEARTBEAT, "old-primary");
    }

    @Test
    void aRecoveryThatPromotesNothingLeavesTheReplicasReceiving() {
      fixture.instance(R1).unreachable();
      fixture.instance(R2).unreachable();

      Outcome out = failedRecovery();

      assertThat(out.progress().state()).isEqualTo(RunbookState.FAILED_BEFORE_PROMOTION);
      // Inspected, neither answers, so nothing is promoted; the replicas are told to stop receiving only right
      // before a promotion, so none was, and none has to receive again.
      verify(fixture.mysql, never()).stopReceiving(any());
      verify(fixture.mysql, never()).resumeReceiving(any());
      assertThat(out.progress().steps()).extracting(StepRecord::name).doesNotContain("resume-receiving");
      fixture.verifyNothingPromoted();
    }

    @Test
    void aReplicaThatCannotStopReceivingDoesNotHoldTheRecovery() {
      doThrow(FailureType.INSTANCE_UNREACHABLE.failure("connect to " + R1 + ": Connection refused"))
          .when(fixture.mysql).stopReceiving(new MysqlActivities.StopReceiving(CLUSTER, R1));

      RunbookProgress result = recover();

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(stepDetail(result, RunbookPlan.STOP_RECEIVING))
          .contains(R2 + " stopped receiving", R1 + " (not stopped", "Connection refused");
    }

    @Test
    void aReplicaThatCannotBeMovedIsLeftBehindAndReported() {
      // 3308 keeps failing to replicate from the new primary: no retry can fix it.
      doThrow(ApplicationFailure.newNonRetryableFailure(R1 + " does not replicate stably from " + R2
          + ": SQL thread stopped: error 1062: Duplicate entry '7' for key 'PRIMARY'", "ReplicationNotRunning"))
          .when(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R1, R2));

      RunbookProgress result = recover();

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.newPrimary()).isEqualTo(R2.toString());
      assertThat(result.failureType()).isNull();
      assertThat(result.detail()).contains("left behind: " + R1 + " (", "error 1062", "to do: ");
      assertThat(stepDetail(result, RunbookPlan.MOVE_REPLICAS)).contains("left behind: " + R1, "error 1062");
      // Writes were routed beside the move; the runbook went on past it.
      InOrder order = inOrder(fixture.mysql, fixture.haproxy, fixture.heartbeat);
      order.verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R2));
      order.verify(fixture.mysql, atLeastOnce()).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R1, R2));
      order.verify(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, R2));
      verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
      // The replica left behind is then no longer published nor routed as a healthy replica.
      verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(), EPOCH + 1));
      for (String h : RecoveryFixture.HAPROXIES) {
        verify(fixture.haproxy).repointRoutes(new HaproxyActivities.RepointRoutes(h, CLUSTER, R2, List.of()));
      }
      verify(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));
    }

    @Test
    void anErrantReplicaIsNeitherWaitedOnNorPublished() {
      // 3308 has a transaction in domain 9 that nobody else has: never a candidate, never moved blindly.
      fixture.instance(R1).replica("0-1-100,9-2-1", "0-1-103");

      RunbookProgress result = recover();

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.newPrimary()).isEqualTo(R2.toString());
      assertThat(result.detail()).contains("left behind: " + R1 + " (errant transactions", "9-2-1", "to do: ");
      verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(), EPOCH));
      for (String h : RecoveryFixture.HAPROXIES) {
        verify(fixture.haproxy).repointRoutes(new HaproxyActivities.RepointRoutes(h, CLUSTER, R2, List.of()));
      }
      verify(fixture.mysql, never()).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R1, R2));
      verify(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, R2));
    }
  }

  @Nested
  class CandidateThatCannotCatchUp {
    @Test
    void isReplacedByTheNextBestCandidate() {
      // 3309 is the best by what it received, but its SQL thread keeps failing.
      doThrow(FailureType.CATCH_UP_TIMEOUT.nonRetryable(R2 + " stopped executing at 0-1-101 of 0-1-105:"
          + " SQL thread stopped: error 1062: Duplicate entry '7' for key 'PRIMARY'"))
          .when(fixture.mysql).catchUp(new MysqlActivities.CatchUp(CLUSTER, R2, "0-1-105", CATCH_UP));

      RunbookProgress result = recover();

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.newPrimary()).isEqualTo(R1.toString());
      assertThat(result.detail()).contains(R2 + " could not catch up", "error 1062");
      InOrder order = inOrder(fixture.mysql, fixture.kv);
      order.verify(fixture.mysql).catchUp(new MysqlActivities.CatchUp(CLUSTER, R2, "0-1-105", CATCH_UP));
      order.verify(fixture.mysql).catchUp(new MysqlActivities.CatchUp(CLUSTER, R1, "0-1-103", CATCH_UP));
      order.verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R1));
      order.verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R2, R1));
      verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R1, List.of(R2), EPOCH));
      verify(fixture.mysql, never()).promote(new MysqlActivities.Promote(CLUSTER, R2));
    }
  }

  @Nested
  class Refusals {
    @ParameterizedTest
    @EnumSource(value = AnalysisCode.class, mode = EnumSource.Mode.EXCLUDE, names = "DEAD_PRIMARY")
    void refusesUnlessThePrimaryIsConfirmedDead(AnalysisCode code) {
      when(fixture.detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER))).thenReturn(RecoveryFixture.analysis(code));

      Outcome out = failedRecovery();

      assertThat(out.failure().getType()).isEqualTo(FailureType.PRIMARY_NOT_DEAD.wireName());
      assertThat(out.failure().getOriginalMessage())
          .contains("not recovering " + CLUSTER, "the analysis is " + code.wireName(), "needs a confirmed dead primary");
      if (code == AnalysisCode.NO_PROBLEM) {
        assertThat(out.failure().getOriginalMessage()).contains("use a planned switchover");
      }
      assertThat(out.progress().state()).isEqualTo(RunbookState.REFUSED);
      assertThat(out.progress().failureType()).isEqualTo(FailureType.PRIMARY_NOT_DEAD);
      assertThat(out.progress().newPrimary()).isNull();
      assertThat(out.progress().currentStep()).isNull();
      assertThat(out.progress().steps()).extracting(StepRecord::name)
          .allSatisfy(name -> assertThat(name).startsWith(RunbookPlan.CONFIRM_DEAD));
      fixture.verifyNothingChanged();
      verify(fixture.mysql, never()).inspectCluster(any());
      verify(fixture.mysql, never()).inspectClusterExcept(any());
      // An operator's recovery (no watch confirmed anything before it) changes nothing before it confirms.
      verify(fixture.mysql, never()).stopReceiving(any());
    }

    @Test
    void aHandedOverRecoveryThatFindsThePrimaryAliveChangesNothing() {
      // The switchover that handed over confirmed the death twice, but the replicas stop receiving only once
      // this recovery's own confirmation is recorded, and it now says the primary answers.
      when(fixture.detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER))).thenReturn(RecoveryFixture.analysis(AnalysisCode.NO_PROBLEM));
      RecoveryWorkflow workflow = newWorkflow();
      WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class,
          () -> workflow.recover(new RecoveryRequest(CLUSTER, false, "planned switchover to " + R2, 0,
              new RecoveryRequest.Handover(R2.toString(), PRIMARY + " died before set-read-only", List.of()))));

      assertThat(failed).as("the recovery was refused").isNotNull();
      assertThat(workflow.progress().state()).isEqualTo(RunbookState.REFUSED);
      verify(fixture.mysql, never()).stopReceiving(any());
      verify(fixture.mysql, never()).resumeReceiving(any());
      verify(fixture.haproxy, never()).fenceWriter(any());
      fixture.verifyNothingPromoted();
    }

    @Test
    void refusesWhenTheProbeItselfFails() {
      when(fixture.detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER))).thenThrow(
          FailureType.UNKNOWN_CLUSTER.nonRetryable("no cluster c1 in the worker's configuration"));

      Outcome out = failedRecovery();

      assertThat(out.failure().getType()).isEqualTo(FailureType.UNKNOWN_CLUSTER.wireName());
      assertThat(out.progress().state()).isEqualTo(RunbookState.REFUSED);
      fixture.verifyNothingChanged();
    }
  }

  @Nested
  class FailuresBeforePromotion {
    @Test
    void aFenceThatFailsStopsEverything() {
      doThrow(FailureType.HAPROXY_UNREACHABLE.nonRetryable("remote2: admin socket: connect: connection refused")).when(fixture.haproxy).fenceWriter(new HaproxyActivities.FenceWriter("remote2", CLUSTER, PRIMARY));

      Outcome out = failedRecovery();

      assertThat(out.progress().state()).isEqualTo(RunbookState.FENCE_FAILED);
      assertThat(out.failure().getType()).isEqualTo(FailureType.HAPROXY_UNREACHABLE.wireName());
      assertThat(out.progress().failureType()).isEqualTo(FailureType.HAPROXY_UNREACHABLE);
      assertThat(out.failure().getOriginalMessage()).contains("could not fence " + PRIMARY,
          "remote2: admin socket", "nothing was promoted", "Fence it by hand");
      assertThat(out.progress().newPrimary()).isNull();
      assertThat(out.progress().steps()).extracting(StepRecord::name, StepRecord::outcome)
          .contains(tuple(RunbookPlan.FENCE_OLD_PRIMARY, StepOutcome.FAILED))
          .doesNotContain(tuple(RunbookPlan.CHOOSE_CANDIDATE, StepOutcome.DONE));
      // The cluster was read beside the fence (a read needs no fence), but nothing was chosen or caught up.
      verify(fixture.mysql, never()).catchUp(any());
      fixture.verifyNothingPromoted();
    }

    @Test
    void aKvStoreThatTakesNoWriteIsWaitedForAndNothingIsPromotedWithoutIt() {
      doThrow(FailureType.KV_UNAVAILABLE.nonRetryable("etcd at http://127.0.0.1:2379 failed to take a write to"
          + " handoff/kv-check/c1: no answer within 2 s (tried 50 times in 120 s)"))
          .when(fixture.kv).checkWritable(new TopologyActivities.CheckWritable(CLUSTER, EPOCH, RecoveryWorkflowImpl.KV_WAIT_SECONDS));

      Outcome out = failedRecovery();

      assertThat(out.progress().state()).isEqualTo(RunbookState.FAILED_BEFORE_PROMOTION);
      assertThat(out.failure().getType()).isEqualTo(FailureType.KV_UNAVAILABLE.wireName());
      assertThat(out.failure().getOriginalMessage()).contains("etcd at http://127.0.0.1:2379", "nothing was promoted",
          PRIMARY + " is fenced", "Bring the KV store back", "./handoff recovery start --cluster " + CLUSTER);
      // It was checked beside the choice and the catch-up, the promotion waited for it, and nothing was
      // promoted without it.
      verify(fixture.kv).checkWritable(new TopologyActivities.CheckWritable(CLUSTER, EPOCH, RecoveryWorkflowImpl.KV_WAIT_SECONDS));
      verify(fixture.mysql).catchUp(any());
      assertThat(out.progress().steps()).extracting(StepRecord::name).containsSubsequence(RunbookPlan.CATCH_UP,
          "kv-writable:before-promote");
      fixture.verifyNothingPromoted();
    }

    @Test
    void noEligibleCandidate() {
      fixture.instance(R1).unreachable();
      fixture.instance(R2).rule(PromotionRule.MUST_NOT);

      Outcome out = failedRecovery();

      assertThat(out.progress().state()).isEqualTo(RunbookState.FAILED_BEFORE_PROMOTION);
      assertThat(out.failure().getType()).isEqualTo(FailureType.NO_ELIGIBLE_CANDIDATE.wireName());
      assertThat(out.progress().failureType()).isEqualTo(FailureType.NO_ELIGIBLE_CANDIDATE);
      assertThat(out.failure().getOriginalMessage()).contains("no replica can be promoted",
          R1 + " (unreachable", R2 + " (promotion rule must_not)",
          PRIMARY + " is fenced and nothing was promoted");
      assertThat(out.progress().newPrimary()).isNull();
      verify(fixture.haproxy, times(2)).fenceWriter(argThat(r -> Objects.equals(r.cluster(), CLUSTER) && Objects.equals(r.instance(), PRIMARY)));
      verify(fixture.mysql, never()).catchUp(any());
      fixture.verifyNothingPromoted();
    }

    @Test
    void noCandidateCanCatchUp() {
      doThrow(FailureType.CATCH_UP_TIMEOUT.nonRetryable(R2 + " cannot catch up: SQL thread stopped; its executed"
          + " position did not advance for 20 s; executed 101 of 105"))
          .when(fixture.mysql).catchUp(new MysqlActivities.CatchUp(CLUSTER, R2, "0-1-105", CATCH_UP));
      doThrow(FailureType.CATCH_UP_TIMEOUT.nonRetryable(R1 + " cannot catch up: SQL thread stopped: error 1032:"
          + " Can't find record"))
          .when(fixture.mysql).catchUp(new MysqlActivities.CatchUp(CLUSTER, R1, "0-1-103", CATCH_UP));

      Outcome out = failedRecovery();

      assertThat(out.progress().state()).isEqualTo(RunbookState.FAILED_BEFORE_PROMOTION);
      assertThat(out.failure().getType()).isEqualTo(FailureType.CATCH_UP_TIMEOUT.wireName());
      assertThat(out.progress().failureType()).isEqualTo(FailureType.CATCH_UP_TIMEOUT);
      assertThat(out.progress().newPrimary()).isNull();
      assertThat(out.failure().getOriginalMessage()).contains("no candidate could catch up",
          R2 + " (" + R2 + " cannot catch up: SQL thread stopped; its executed position did not advance for 20 s",
          R1 + " (" + R1 + " cannot catch up: SQL thread stopped: error 1032", PRIMARY + " is fenced and nothing was promoted");
      assertThat(out.progress().steps()).extracting(StepRecord::name, StepRecord::outcome)
          .contains(tuple(RunbookPlan.CATCH_UP, StepOutcome.FAILED));
      fixture.verifyNothingPromoted();
    }
  }

  @Nested
  class ForwardAfterPromotion {
    @Test
    void aHaproxyThatCannotBeRepointedFailsAfterPromotion() {
      doThrow(FailureType.HAPROXY_NOT_REPOINTED.nonRetryable("remote2 still routes writes to " + PRIMARY)).when(fixture.haproxy).repointRoutes(new HaproxyActivities.RepointRoutes("remote2", CLUSTER, R2, List.of(R1)));

      Outcome out = failedRecovery();

      assertThat(out.progress().state()).isEqualTo(RunbookState.FAILED_AFTER_PROMOTION);
      assertThat(out.failure().getType()).isEqualTo(FailureType.HAPROXY_NOT_REPOINTED.wireName());
      assertThat(out.progress().failureType()).isEqualTo(FailureType.HAPROXY_NOT_REPOINTED);
      assertThat(out.progress().newPrimary()).isEqualTo(R2.toString());
      assertThat(out.failure().getOriginalMessage()).contains(R2 + " is the primary",
          "step " + RunbookPlan.REPOINT_HAPROXY + " failed", "remote2 still routes writes",
          "steps left: [" + RunbookPlan.REPOINT_HAPROXY + ", ", RunbookPlan.RESTART_HEARTBEAT + ", " + RunbookPlan.OLD_PRIMARY + "]");
      assertThat(out.progress().steps()).extracting(StepRecord::name, StepRecord::outcome).contains(
          tuple(RunbookPlan.PROMOTE, StepOutcome.DONE),
          tuple(RunbookPlan.PUBLISH_TOPOLOGY, StepOutcome.DONE),
          tuple(RunbookPlan.REPOINT_HAPROXY, StepOutcome.FAILED));
      verify(fixture.mysql).promote(new MysqlActivities.Promote(CLUSTER, R2));
      verify(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
      verify(fixture.heartbeat, never()).restartHeartbeat(any());
      // The replicas moved beside the routing: the new primary is the primary, whatever the operator decides.
      verify(fixture.mysql).moveReplica(new MysqlActivities.MoveReplica(CLUSTER, R1, R2));
      verify(fixture.mysql, never()).setReadOnly(any());
    }

    @Test
    void retriesTheKvWriteUntilItSucceeds() {
      doThrow(ApplicationFailure.newFailure("etcd: context deadline exceeded", "KvUnavailable"))
          .doReturn(new StepDone("epoch 2"))
          .when(fixture.kv).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));

      RunbookProgress result = recover();

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.newPrimary()).isEqualTo(R2.toString());
      assertThat(result.steps()).extracting(StepRecord::outcome).containsOnly(StepOutcome.DONE);
      verify(fixture.kv, times(2)).publishTopology(new TopologyActivities.PublishTopology(CLUSTER, R2, List.of(R1), EPOCH));
      verify(fixture.haproxy, times(2)).repointRoutes(argThat(r -> Objects.equals(r.cluster(), CLUSTER) && Objects.equals(r.primary(), R2) && Objects.equals(r.readers(), List.of(R1))));
      verify(fixture.heartbeat).restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(CLUSTER, R2));
    }

    @Test
    void anOldPrimaryThatAnswersWithTransactionsTheNewPrimaryLacksIsReportedWithWhatToDo() {
      // Thawed, it committed what was in its socket buffer: 0-1-106 and 0-1-107, beyond the promoted 0-1-105.
      when(fixture.mysql.setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true)))
          .thenReturn(new MysqlActivities.ReadOnlyResult(PRIMARY, true, "0-1-107", PRIMARY + " set read-only"));

      RunbookProgress result = recover();

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.detail()).contains(PRIMARY + " answered and is now read-only", "it has transactions",
          "that " + R2 + " lacks (errant", "rebuild it from " + R2, "or discard them");
    }

    @Test
    void anOldPrimaryThatStaysDeadStillCompletes() {
      doThrow(ApplicationFailure.newFailure("connect to " + PRIMARY + ": Connection refused", "InstanceUnreachable"))
          .when(fixture.mysql).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));

      RunbookProgress result = recover();

      assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(result.newPrimary()).isEqualTo(R2.toString());
      assertThat(result.failureType()).isNull();
      assertThat(result.detail()).contains(PRIMARY + " does not answer",
          "the cluster's watch sets it read-only if it comes back", "reports as ErrantGtid any transaction it has that "
          + R2 + " lacks", "It stays out of the cluster");
      assertThat(result.steps()).last().extracting(StepRecord::name, StepRecord::outcome)
          .containsExactly("old-primary", StepOutcome.DONE);
      // Best effort: tried, and the runbook moved on without it.
      verify(fixture.mysql, atLeastOnce()).setReadOnly(new MysqlActivities.SetReadOnly(CLUSTER, PRIMARY, true));
      verify(fixture.mysql, never()).setReadOnly(argThat(r -> Objects.equals(r.readOnly(), false)));
    }
  }

  private RecoveryWorkflow newWorkflow() {
    return client.newWorkflowStub(RecoveryWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.failover(CLUSTER)).setTaskQueue(taskQueue).build());
  }

  private RunbookProgress recover() {
    return newWorkflow().recover(new RecoveryRequest(CLUSTER, true, "test"));
  }

  /** Runs a recovery that must fail; returns its failure and its progress as the query reports it. */
  private Outcome failedRecovery() {
    RecoveryWorkflow workflow = newWorkflow();
    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class,
        () -> workflow.recover(new RecoveryRequest(CLUSTER, true, "test")));
    assertThat(failed).as("the recovery failed").isNotNull();
    assertThat(failed.getCause()).isInstanceOf(ApplicationFailure.class);
    return new Outcome((ApplicationFailure) failed.getCause(), workflow.progress());
  }

  /** Every step, in order, but the ones that run side by side after the promotion in either order. */
  private static void assertAllSteps(RunbookProgress progress) {
    List<String> names = progress.steps().stream().map(StepRecord::name).toList();
    assertThat(names).containsExactlyInAnyOrderElementsOf(ALL_STEPS);
    int first = ALL_STEPS.indexOf(RunbookPlan.REPOINT_HAPROXY);
    assertThat(names.subList(0, first)).containsExactlyElementsOf(ALL_STEPS.subList(0, first));
    assertThat(names.subList(first, first + SIDE_BY_SIDE.size())).containsExactlyInAnyOrderElementsOf(SIDE_BY_SIDE);
    assertThat(names.subList(first + SIDE_BY_SIDE.size(), names.size()))
        .containsExactlyElementsOf(ALL_STEPS.subList(first + SIDE_BY_SIDE.size(), ALL_STEPS.size()));
    // The plan --dry-run and the progress show is the list that ran: every step of it recorded, and nothing
    // recorded that is not one of its steps (or a part of one, or the KV check of the promotion).
    List<String> planned = RunbookPlan.recovery(new dev.handoff.domain.Topology(CLUSTER, PRIMARY, List.of(R1, R2),
        RecoveryFixture.EPOCH), null).stepNames();
    assertThat(names).containsAll(planned)
        .allMatch(n -> planned.contains(n.split(":")[0]) || n.startsWith("kv-writable:"), "a step of the plan");
  }

  private static String stepDetail(RunbookProgress progress, String step) {
    return progress.steps().stream().filter(s -> s.name().equals(step)).findFirst()
        .map(StepRecord::detail).orElseThrow(() -> new AssertionError("no step " + step + " in " + progress.steps()));
  }

  record Outcome(ApplicationFailure failure, RunbookProgress progress) {}
}
