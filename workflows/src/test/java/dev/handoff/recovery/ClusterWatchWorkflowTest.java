package dev.handoff.recovery;

import dev.handoff.domain.StepDone;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.AdditionalAnswers.answer;
import dev.handoff.detection.DetectionActivities;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.mysql.MysqlActivities;
import java.util.Objects;
import static org.mockito.ArgumentMatchers.argThat;
import dev.handoff.runbook.RunbookState;
import static dev.handoff.recovery.RecoveryFixture.CLUSTER;
import static dev.handoff.recovery.RecoveryFixture.EPOCH;
import static dev.handoff.recovery.RecoveryFixture.PRIMARY;
import static dev.handoff.recovery.RecoveryFixture.R1;
import static dev.handoff.recovery.RecoveryFixture.R2;
import static dev.handoff.recovery.ScriptedDetector.awaitStatus;
import static dev.handoff.recovery.ScriptedDetector.count;
import static dev.handoff.recovery.ScriptedDetector.hasEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.handoff.detection.WatchSettings;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.PromotionRule;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.RunbookResults;
import dev.handoff.runbook.TestWorkers;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.activity.Activity;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A cluster's watch with a scripted detector ({@link ScriptedDetector}: it answers from the test's world,
 * and only ever completes when the test changes that world, never while the test signals the watch, for
 * the SDK's test server wedges a workflow whose cancel command races its activity's completion) and the
 * real unplanned failover as its child (its activities mocked by {@link RecoveryFixture}). Activities in
 * flight keep the test server's clock at real time: the cooldown test uses a cooldown of seconds, the
 * repair retry waits its real 5 s, and every wait polls the status query.
 */
@Timeout(60)
class ClusterWatchWorkflowTest {
  private static final long COOLDOWN_SECONDS = 60;
  private static final WatchSettings SETTINGS = new WatchSettings(100, 3.0, 2, 60_000);
  private static final String BLOCKED = "-> action: none: automatic recovery is blocked until";
  private static final String IN_MAINTENANCE = "-> action: none: maintenance mode is on for " + CLUSTER;
  private static final String PROMOTED_NOTHING = "-> action: none: the last attempt promoted nothing";

  @RegisterExtension
  final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .setWorkerOptions(TestWorkers.OPTIONS)
      .registerWorkflowImplementationTypes(ClusterWatchWorkflowImpl.class, RecoveryWorkflowImpl.class,
          HeldRunbookImpl.class)
      .setDoNotStart(true)
      .build();

  final RecoveryFixture fixture = new RecoveryFixture();
  final ScriptedDetector detector = new ScriptedDetector(fixture);
  TestWorkflowEnvironment env;
  WorkflowClient client;
  String taskQueue;
  /** The watch by workflow ID alone: signals and queries reach its latest run, past continue-as-new. */
  ClusterWatchWorkflow watch;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    worker.registerActivitiesImplementations(fixture.activities());
    env.newWorker(WorkflowIds.workerQueue(worker.getTaskQueue(), ScriptedDetector.WORKER))
        .registerActivitiesImplementations(detector.localProbes());
    env.start();
    detector.reportTo(client, SETTINGS.confirmations());
    this.env = env;
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    this.watch = client.newWorkflowStub(ClusterWatchWorkflow.class, WorkflowIds.watch(CLUSTER));
  }

  /**
   * Ends what the test left running. The watch never ends by itself and its detector is an activity in
   * flight: closing the test environment over it stalled each such test by about 4 s (measured), so the
   * watch and any runbook holding the failover ID are terminated before the environment closes.
   */
  @AfterEach
  void stopTheWatch() throws InterruptedException {
    try {
      watch.stop("test teardown");
    } catch (RuntimeException notStarted) {
      // the test failed before it started the watch
    }
    detector.close();
    for (String id : List.of(WorkflowIds.watch(CLUSTER), WorkflowIds.failover(CLUSTER))) {
      try {
        client.newUntypedWorkflowStub(id).terminate("test teardown");
      } catch (RuntimeException notRunning) {
        // never started, or already closed
      }
    }
  }

  @Test
  void theRecoveryItStartsStopsTheReplicasReceivingOnlyOnceItsOwnConfirmationIsRecorded() throws InterruptedException {
    // The watch confirmed the death on two probes; still, the recovery's third confirmation is recorded before
    // anything changes: stopped replicas no longer vouch for the death, so a successor (its worker died) that
    // confirmed again after the stops would refuse.
    CountDownLatch stopAsked = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean confirmationSawTheStop = new java.util.concurrent.atomic.AtomicBoolean();
    doAnswer(answer((MysqlActivities.StopReceiving req) -> {
      stopAsked.countDown();
      return new StepDone(req.replica() + " stopped receiving");
    })).when(fixture.mysql).stopReceiving(any());
    when(fixture.detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER))).thenAnswer(inv -> {
      confirmationSawTheStop.set(stopAsked.await(500, TimeUnit.MILLISECONDS));
      return RecoveryFixture.analysis(AnalysisCode.DEAD_PRIMARY);
    });
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());

    detector.world.set(AnalysisCode.DEAD_PRIMARY);
    WatchStatus after = awaitQuiet("one recovery", s -> s.recoveries() == 1 && s.lastRecovery() != null);

    assertThat(after.lastRecovery()).contains("recovered " + PRIMARY + " -> " + R2);
    assertThat(confirmationSawTheStop).as("the replicas were told to stop receiving while the recovery confirmed")
        .isFalse();
    verify(fixture.mysql).stopReceiving(new MysqlActivities.StopReceiving(CLUSTER, R1));
    verify(fixture.mysql).stopReceiving(new MysqlActivities.StopReceiving(CLUSTER, R2));
    verify(fixture.mysql, never()).stopReceiving(new MysqlActivities.StopReceiving(CLUSTER, PRIMARY));
  }

  @Test
  void aDeadPrimaryStartsExactlyOneFailover() throws InterruptedException {
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());
    verify(fixture.detection, never()).probeCluster(any());

    detector.world.set(AnalysisCode.DEAD_PRIMARY);
    // The primary stays dead (the mocks say so): reported again after the recovery, and blocked.
    WatchStatus after = awaitQuiet("one recovery, then the still-dead primary blocked",
        s -> s.recoveries() == 1 && hasEvent(s, BLOCKED));

    assertThat(after.lastRecovery()).contains("recovered " + PRIMARY + " -> " + R2);
    assertThat(after.blockedUntilMillis()).isGreaterThan(env.currentTimeMillis());
    assertThat(after.retryNotBeforeMillis()).isZero();
    assertThat(after.unfencePending()).isNull();
    assertThat(after.mode()).isEqualTo(WatchMode.WATCHING);
    assertThat(after.events()).filteredOn(e -> e.contains("recovered " + PRIMARY)).hasSize(1);
    assertThat(after.events()).anyMatch(e -> e.contains("DeadPrimary: " + RecoveryFixture.DEAD_DETAIL
        + " -> action: recovery started: " + WorkflowIds.failover(CLUSTER)));
    RunbookProgress child = RunbookResults.await(client.newUntypedWorkflowStub(WorkflowIds.failover(CLUSTER),
        Optional.empty(), Optional.empty()));
    assertThat(child.state()).isEqualTo(RunbookState.COMPLETED);
    assertThat(child.newPrimary()).isEqualTo(R2.toString());
    verify(fixture.detection, times(1)).probeCluster(new DetectionActivities.ProbeCluster(CLUSTER));
    verify(fixture.mysql, times(1)).promote(any());
    // The failed-over primary is fenced for good: the watch remembers it.
    assertThat(after.fenced()).containsExactly(PRIMARY.toString());
  }

  @ParameterizedTest
  @EnumSource(value = AnalysisCode.class, names = {"UNREACHABLE_PRIMARY", "REPLICA_LAGGING", "ALL_REPLICAS_STOPPED",
      "ERRANT_GTID", "SEMI_SYNC_DEGRADED", "DETECTION_BLIND"})
  void otherAnalysesAreReportedButNeverActedOn(AnalysisCode code) throws InterruptedException {
    detector.world.set(code);
    startWatch(COOLDOWN_SECONDS);

    WatchStatus s = awaitQuiet(code + " is reported", st -> code == st.lastAnalysis());

    assertThat(s.lastDetail()).isEqualTo(code + " on " + CLUSTER);
    assertThat(s.events()).anyMatch(e -> e.endsWith(code.wireName() + ": " + code + " on " + CLUSTER));
    assertThat(s.events()).noneMatch(e -> e.contains("-> action"));
    assertThat(s.recoveries()).isZero();
    assertThat(s.lastRecovery()).isNull();
    assertThat(s.blockedUntilMillis()).isZero();
    assertThat(s.mode()).isEqualTo(WatchMode.WATCHING);
    if (code == AnalysisCode.SEMI_SYNC_DEGRADED) {
      assertThat(s.semiSyncDegradedSinceMillis()).isPositive().isLessThanOrEqualTo(env.currentTimeMillis());
    } else {
      assertThat(s.semiSyncDegradedSinceMillis()).isZero();
    }
    verify(fixture.detection, never()).probeCluster(any());
    verify(fixture.detection, never()).repair(any());
    verify(fixture.detection, never()).restoreWriter(any());
    verify(fixture.haproxy, never()).fenceWriter(any());
    verify(fixture.mysql, never()).promote(any());
  }

  @Test
  void aDeadPrimaryInsideTheCooldownWaitsForAnAcknowledgement() throws InterruptedException {
    detector.world.set(AnalysisCode.DEAD_PRIMARY);
    startWatch(COOLDOWN_SECONDS);
    // The watch looks again once its recovery ended, and finds the world (still) dead: blocked.
    awaitQuiet("one recovery, then the still-dead primary blocked", s -> s.recoveries() == 1 && count(s, BLOCKED) == 1);

    // The new primary dies too, well inside the cooldown.
    detector.world.set(AnalysisCode.NO_PROBLEM);
    awaitQuiet("the recovered cluster is healthy", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());
    detector.world.set(AnalysisCode.DEAD_PRIMARY);
    WatchStatus blocked = awaitQuiet("the second DeadPrimary is reported",
        s -> AnalysisCode.DEAD_PRIMARY == s.lastAnalysis() && count(s, BLOCKED) == 2);
    assertThat(blocked.recoveries()).isEqualTo(1);
    assertThat(blocked.blockedUntilMillis()).isGreaterThan(env.currentTimeMillis());
    verify(fixture.mysql, times(1)).promote(any());

    watch.acknowledge("test");

    WatchStatus after = awaitQuiet("a second recovery", s -> s.recoveries() == 2);
    assertThat(after.events()).anyMatch(e -> e.contains("recovery acknowledged by test"));
    assertThat(after.blockedUntilMillis()).isGreaterThan(env.currentTimeMillis());
    verify(fixture.detection, times(2)).probeCluster(new DetectionActivities.ProbeCluster(CLUSTER));
    verify(fixture.mysql, times(2)).promote(any());
  }

  @Test
  void aDeadPrimaryAfterTheCooldownIsRecoveredAgain() throws InterruptedException {
    long cooldownSeconds = 3;
    detector.world.set(AnalysisCode.DEAD_PRIMARY);
    startWatch(cooldownSeconds);
    long blockedUntil = awaitQuiet("one recovery", s -> s.recoveries() == 1).blockedUntilMillis();
    assertThat(blockedUntil - env.currentTimeMillis()).isBetween(0L, cooldownSeconds * 1000);
    detector.world.set(AnalysisCode.NO_PROBLEM);
    awaitQuiet("the recovered cluster is healthy", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());

    // The activities in flight keep the test server's clock at real time: wait out the short cooldown.
    int runsBefore = detector.runs.get();
    while (env.currentTimeMillis() <= blockedUntil) {
      Thread.sleep(50);
    }
    // The cooldown's end restarts the detector (now confirming dead primaries); change the world only once
    // that run waits, so the change cannot race the cancel of the run before it (the test server wedges).
    int after = runsBefore;
    awaitQuiet("the detector restarted after the cooldown", s -> detector.runs.get() > after);
    detector.world.set(AnalysisCode.DEAD_PRIMARY);

    WatchStatus second = awaitQuiet("a second recovery", s -> s.recoveries() == 2);
    assertThat(second.blockedUntilMillis()).isGreaterThan(blockedUntil);
    verify(fixture.mysql, times(2)).promote(any());
  }

  @Test
  void maintenanceModeBlocksRecoveryUntilItIsOff() throws InterruptedException {
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());
    watch.setMaintenance(true);
    awaitQuiet("maintenance mode", s -> s.mode() == WatchMode.MAINTENANCE && AnalysisCode.NO_PROBLEM == s.lastAnalysis());

    detector.world.set(AnalysisCode.DEAD_PRIMARY);
    WatchStatus during = awaitQuiet("DeadPrimary is reported and not acted on", s -> hasEvent(s, IN_MAINTENANCE));
    assertThat(during.recoveries()).isZero();
    assertThat(during.lastAnalysis()).isEqualTo(AnalysisCode.DEAD_PRIMARY);
    assertThat(during.mode()).isEqualTo(WatchMode.MAINTENANCE);
    verify(fixture.detection, never()).probeCluster(any());
    verify(fixture.haproxy, never()).fenceWriter(any());

    watch.setMaintenance(false);

    WatchStatus after = awaitQuiet("a recovery once maintenance is off", s -> s.recoveries() == 1);
    assertThat(after.mode()).isEqualTo(WatchMode.WATCHING);
    assertThat(after.events()).anyMatch(e -> e.endsWith("maintenance off"));
    verify(fixture.mysql, times(1)).promote(any());
  }

  @Test
  void anAlertStormDuringTheRecoveryStartsNoSecondOne() throws InterruptedException {
    CountDownLatch fencing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    doAnswer(answer((HaproxyActivities.FenceWriter req) -> {
      fencing.countDown();
      release.await(20, TimeUnit.SECONDS);
      return new StepDone(req.haproxy() + ": " + req.instance() + " out of every writer backend");
    })).when(fixture.haproxy).fenceWriter(any());
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());

    detector.world.set(AnalysisCode.DEAD_PRIMARY);
    assertThat(fencing.await(20, TimeUnit.SECONDS)).as("the failover reached the fence").isTrue();
    for (int i = 1; i <= 50; i++) {
      watch.probeNow("alertmanager: MySQLPrimaryDown #" + i);
    }
    WatchStatus storm = awaitStatus(watch, "every alert counted", s -> s.alertsReceived() == 50);
    assertThat(storm.mode()).isEqualTo(WatchMode.RECOVERING);
    release.countDown();

    WatchStatus after = awaitQuiet("one recovery, then the still-dead primary blocked",
        s -> s.recoveries() == 1 && hasEvent(s, BLOCKED));
    assertThat(after.alertsReceived()).isEqualTo(50);
    assertThat(after.lastRecovery()).contains("recovered " + PRIMARY + " -> " + R2);
    verify(fixture.detection, times(1)).probeCluster(new DetectionActivities.ProbeCluster(CLUSTER));
    verify(fixture.mysql, times(1)).promote(any());
    verify(fixture.haproxy, times(2)).fenceWriter(argThat(r -> Objects.equals(r.cluster(), CLUSTER) && Objects.equals(r.instance(), PRIMARY)));
  }

  @Test
  void signalsThatArriveWithTheStartAreAddedToTheCarriedState() throws InterruptedException {
    WatchState carried = new WatchState(false, true, 0, 0, 0, 0, List.of(), null, 0, 0, 0, null, null, null, 5,
        List.of("2026-11-29T00:00:00Z carried event"));
    ClusterWatchWorkflow starter = client.newWorkflowStub(ClusterWatchWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.watch(CLUSTER)).setTaskQueue(taskQueue).build());
    BatchRequest batch = client.newSignalWithStartRequest();
    batch.add(starter::watch, new WatchRequest(CLUSTER, COOLDOWN_SECONDS, SETTINGS, carried));
    batch.add(starter::probeNow, "alertmanager: MySQLPrimaryDown");
    client.signalWithStart(batch);

    WatchStatus s = awaitQuiet("the alert counted on top of the carried ones", st -> st.alertsReceived() == 6);
    assertThat(s.mode()).as("maintenance carried").isEqualTo(WatchMode.MAINTENANCE);
    assertThat(s.events()).first().asString().endsWith("carried event");
    assertThat(s.events()).anyMatch(e -> e.contains("probe requested: alertmanager: MySQLPrimaryDown"));
  }

  @Test
  void alertsAloneNeverStartARecovery() throws InterruptedException {
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());
    int runsBefore = detector.runs.get();

    for (int i = 1; i <= 50; i++) {
      watch.probeNow("alertmanager: MySQLPrimaryDown #" + i);
    }

    WatchStatus after = awaitQuiet("every alert counted", s -> s.alertsReceived() == 50);
    assertThat(detector.runs.get()).as("the alerts asked for fresh probes").isGreaterThan(runsBefore);
    assertThat(after.recoveries()).isZero();
    assertThat(after.lastAnalysis()).isEqualTo(AnalysisCode.NO_PROBLEM);
    assertThat(after.events()).last().asString().contains("probe requested: alertmanager: MySQLPrimaryDown #50");
    verify(fixture.detection, never()).probeCluster(any());
    verify(fixture.mysql, never()).promote(any());
  }

  @Test
  void anAlertAsksEveryWorkerThatReportedToProbeAndForgetsOneThatIsGone() throws InterruptedException {
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());
    // A second worker that reported once and died: nothing polls its queue.
    watch.report(new DetectionReport("gone", RecoveryFixture.analysis(AnalysisCode.NO_PROBLEM, EPOCH), 1));

    watch.probeNow("alertmanager: MySQLPrimaryDown");

    awaitStatus(watch, "the scripted worker asked to probe", s -> detector.probesAsked.get() == 1);
    WatchStatus s = awaitStatus(watch, "the dead worker forgotten",
        st -> hasEvent(st, "worker gone did not take a request to probe"));
    assertThat(s.recoveries()).isZero();
    watch.probeNow("alertmanager: MySQLPrimaryDown again");
    awaitStatus(watch, "the scripted worker asked again", st -> detector.probesAsked.get() == 2);
    assertThat(count(watch.status(), "worker gone did not take")).as("the dead worker is not asked again")
        .isEqualTo(1);
  }

  @Test
  void theWatchAsksEachWorkerForItsLatestAnalysisAndNamesOneThatDoesNotAnswer() throws InterruptedException {
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());
    watch.report(new DetectionReport("gone", RecoveryFixture.analysis(AnalysisCode.NO_PROBLEM, EPOCH), 1));
    detector.world.set(AnalysisCode.REPLICA_LAGGING);

    List<ClusterWatchWorkflow.WorkerAnalysis> all = watch.workerAnalyses().workers();

    assertThat(all).extracting(ClusterWatchWorkflow.WorkerAnalysis::worker)
        .containsExactlyInAnyOrder(ScriptedDetector.WORKER, "gone");
    ClusterWatchWorkflow.WorkerAnalysis scripted = all.stream()
        .filter(w -> w.worker().equals(ScriptedDetector.WORKER)).findFirst().orElseThrow();
    ClusterWatchWorkflow.WorkerAnalysis gone = all.stream()
        .filter(w -> w.worker().equals("gone")).findFirst().orElseThrow();
    assertThat(scripted.code()).as("the worker's own latest").isEqualTo(AnalysisCode.REPLICA_LAGGING);
    assertThat(scripted.ageMillis()).isEqualTo(7);
    assertThat(gone.code()).isNull();
    assertThat(gone.detail()).contains("no answer within 2 s");
  }

  @Test
  void stopKeepsTheWorkflowRunningUntilResume() throws InterruptedException {
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());

    watch.stop("test");

    WatchStatus stopped = awaitStatus(watch, "stopped", s -> s.mode() == WatchMode.STOPPED);
    assertThat(stopped.events()).last().asString().contains("stopped by test");
    int runsWhenStopped = detector.runs.get();

    watch.probeNow("alertmanager: MySQLPrimaryDown");

    WatchStatus alerted = awaitStatus(watch, "the alert noted", s -> s.alertsReceived() == 1);
    assertThat(alerted.events()).last().asString()
        .contains("probe requested (alertmanager: MySQLPrimaryDown) but the watch is stopped");
    Thread.sleep(500); // time for a detector run, had the alert (wrongly) started one
    assertThat(detector.runs.get()).as("no detector runs while stopped").isEqualTo(runsWhenStopped);
    assertThat(watch.status().mode()).isEqualTo(WatchMode.STOPPED);
    assertThat(client.newUntypedWorkflowStub(WorkflowIds.watch(CLUSTER)).describe().getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);

    watch.resume("test");

    WatchStatus resumed = awaitQuiet("NoProblem reported afresh", s -> s.mode() == WatchMode.WATCHING
        && afterEvent(s, "started again by test", e -> e.endsWith("NoProblem: NoProblem on " + CLUSTER)));
    assertThat(detector.runs.get()).isGreaterThan(runsWhenStopped);
    assertThat(resumed.alertsReceived()).isEqualTo(1);
    verify(fixture.detection, never()).probeCluster(any());
  }

  @ParameterizedTest
  @EnumSource(value = AnalysisCode.class, names = {"NO_WRITABLE_PRIMARY", "MULTIPLE_WRITABLE"})
  void aWriterAnalysisIsRepairedAtTheEpochItWasSeenAt(AnalysisCode code) throws InterruptedException {
    detector.epoch.set(7);
    detector.world.set(code);
    startWatch(COOLDOWN_SECONDS);

    WatchStatus s = awaitQuiet("the repair noted", st -> hasEvent(st,
        code.wireName() + ": " + code + " on " + CLUSTER + " -> action: " + code + " repaired at epoch 7"));

    assertThat(s.lastAnalysis()).isEqualTo(code);
    assertThat(s.recoveries()).isZero();
    verify(fixture.detection, times(1)).repair(new DetectionActivities.Repair(CLUSTER, code, 7));
    verify(fixture.detection, never()).probeCluster(any());
    verify(fixture.detection, never()).restoreWriter(any());
  }

  @Test
  void aRepairThatDidNotActIsTriedAgainWhileTheAnalysisStands() throws InterruptedException {
    List<Long> calledAt = new CopyOnWriteArrayList<>();
    when(fixture.detection.repair(new DetectionActivities.Repair(CLUSTER, AnalysisCode.NO_WRITABLE_PRIMARY, EPOCH))).thenAnswer(inv -> {
      calledAt.add(env.currentTimeMillis());
      return calledAt.size() == 1 ? DetectionActivities.ActionResult.none("a failover of c1 is running")
          : new DetectionActivities.ActionResult(true, "127.0.0.1:3307 is writable");
    });
    detector.world.set(AnalysisCode.NO_WRITABLE_PRIMARY);
    startWatch(COOLDOWN_SECONDS);

    WatchStatus s = awaitQuiet("the repair tried again", st -> hasEvent(st, "-> action: 127.0.0.1:3307 is writable"));

    assertThat(s.events()).anyMatch(e -> e.endsWith("-> action: no action: a failover of c1 is running"));
    assertThat(calledAt).hasSize(2);
    assertThat(calledAt.get(1) - calledAt.get(0)).isBetween(ClusterWatchWorkflowImpl.REPAIR_RETRY_MILLIS,
        ClusterWatchWorkflowImpl.REPAIR_RETRY_MILLIS + 5_000);
    verify(fixture.detection, times(2)).repair(new DetectionActivities.Repair(CLUSTER, AnalysisCode.NO_WRITABLE_PRIMARY, EPOCH));
  }

  @Test
  void aRepairIsNotTriedAgainOnceTheAnalysisIsGone() throws InterruptedException {
    List<Long> calledAt = new CopyOnWriteArrayList<>();
    when(fixture.detection.repair(new DetectionActivities.Repair(CLUSTER, AnalysisCode.NO_WRITABLE_PRIMARY, EPOCH))).thenAnswer(inv -> {
      calledAt.add(env.currentTimeMillis());
      return DetectionActivities.ActionResult.none("a failover of c1 is running");
    });
    detector.world.set(AnalysisCode.NO_WRITABLE_PRIMARY);
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("the repair did not act", s -> hasEvent(s, "-> action: no action: a failover of c1 is running"));

    detector.world.set(AnalysisCode.NO_PROBLEM);
    awaitQuiet("the primary is writable again", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());
    while (env.currentTimeMillis() < calledAt.get(0) + ClusterWatchWorkflowImpl.REPAIR_RETRY_MILLIS + 1_000) {
      Thread.sleep(50);
    }

    WatchStatus after = awaitQuiet("past the retry", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());
    assertThat(after.events()).filteredOn(e -> e.contains("NoWritablePrimary")).hasSize(1);
    verify(fixture.detection, times(1)).repair(any());
  }

  @ParameterizedTest
  @EnumSource(value = AnalysisCode.class, names = {"NO_WRITABLE_PRIMARY", "MULTIPLE_WRITABLE"})
  void maintenanceModeRepairsNothing(AnalysisCode code) throws InterruptedException {
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());
    watch.setMaintenance(true);
    awaitQuiet("maintenance mode", s -> s.mode() == WatchMode.MAINTENANCE && AnalysisCode.NO_PROBLEM == s.lastAnalysis());

    detector.world.set(code);

    WatchStatus s = awaitQuiet(code + " reported and not acted on", st -> hasEvent(st,
        code.wireName() + ": " + code + " on " + CLUSTER + " " + IN_MAINTENANCE));
    assertThat(s.mode()).isEqualTo(WatchMode.MAINTENANCE);
    verify(fixture.detection, never()).repair(any());
  }

  @ParameterizedTest
  @EnumSource(value = RunbookState.class, names = {"REFUSED", "FENCE_FAILED", "FAILED_BEFORE_PROMOTION"})
  void aRecoveryThatPromotedNothingBacksOffAndUndoesItsFenceOnceThePrimaryAnswers(RunbookState finalState)
      throws InterruptedException {
    switch (finalState) {
      case REFUSED -> // the failover's own probe still reaches the primary's host
          when(fixture.detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER)))
              .thenReturn(RecoveryFixture.analysis(AnalysisCode.UNREACHABLE_PRIMARY));
      case FENCE_FAILED ->
          doThrow(FailureType.HAPROXY_UNREACHABLE.nonRetryable("remote2: admin socket: connect: connection refused")).when(fixture.haproxy).fenceWriter(new HaproxyActivities.FenceWriter("remote2", CLUSTER, PRIMARY));
      default -> {
        fixture.instance(R1).unreachable();
        fixture.instance(R2).rule(PromotionRule.MUST_NOT);
      }
    }
    detector.world.set(AnalysisCode.DEAD_PRIMARY);
    startWatch(COOLDOWN_SECONDS);

    WatchStatus failed = awaitQuiet("the attempt that promoted nothing",
        s -> s.lastRecovery() != null && hasEvent(s, PROMOTED_NOTHING));

    assertThat(failed.lastRecovery()).startsWith("recovery " + finalState + " at ");
    assertThat(failed.recoveries()).isZero();
    assertThat(failed.blockedUntilMillis()).as("no cooldown").isZero();
    assertThat(failed.retryNotBeforeMillis() - env.currentTimeMillis())
        .isPositive().isLessThanOrEqualTo(ClusterWatchWorkflowImpl.RETRY_BASE_MILLIS);
    assertThat(failed.unfencePending()).isEqualTo(PRIMARY.toString());
    assertThat(failed.fenced()).isEmpty();
    assertThat(failed.mode()).isEqualTo(WatchMode.WATCHING);
    assertThat(failed.events()).anyMatch(e -> e.contains("nothing was promoted, so no cooldown")
        && e.contains(PRIMARY + " is routed to again as soon as it answers"));
    verify(fixture.detection, times(1)).probeCluster(new DetectionActivities.ProbeCluster(CLUSTER));
    verify(fixture.detection, never()).restoreWriter(any());
    fixture.verifyNothingPromoted();

    detector.world.set(AnalysisCode.NO_PROBLEM);

    WatchStatus answered = awaitQuiet("the fence undone",
        s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis() && s.unfencePending() == null);
    assertThat(answered.events()).last().asString().contains("NoProblem: NoProblem on " + CLUSTER
        + " -> action: fence of " + PRIMARY + " undone (it answers and nothing was promoted): remote1, remote2");
    assertThat(answered.blockedUntilMillis()).isZero();
    verify(fixture.detection, times(1)).restoreWriter(new DetectionActivities.RestoreWriter(CLUSTER, PRIMARY, EPOCH));
  }

  @Test
  void aRecoveryThatCannotStartIsNoAttempt() throws InterruptedException {
    // Another runbook holds the cluster's failover ID.
    HeldRunbook held = client.newWorkflowStub(HeldRunbook.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.failover(CLUSTER)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(held::hold);
    detector.world.set(AnalysisCode.DEAD_PRIMARY);
    startWatch(COOLDOWN_SECONDS);

    WatchStatus s = awaitQuiet("the recovery could not start, twice",
        st -> count(st, "-> action: none: the recovery could not start") >= 2);

    assertThat(s.events()).anyMatch(e -> e.contains(
        WorkflowIds.failover(CLUSTER) + " is held by another runbook, not counted as an attempt"));
    assertThat(s.recoveries()).isZero();
    assertThat(s.lastRecovery()).isNull();
    assertThat(s.blockedUntilMillis()).isZero();
    assertThat(s.unfencePending()).isNull();
    assertThat(s.retryNotBeforeMillis() - env.currentTimeMillis())
        .isLessThanOrEqualTo(ClusterWatchWorkflowImpl.NOT_STARTED_RETRY_MILLIS);
    assertThat(s.mode()).isEqualTo(WatchMode.WATCHING);
    verify(fixture.detection, never()).probeCluster(any());
    verify(fixture.haproxy, never()).fenceWriter(any());

    held.release();

    WatchStatus after = awaitQuiet("the recovery once the cluster is free",
        st -> st.recoveries() == 1 && hasEvent(st, BLOCKED));
    assertThat(after.lastRecovery()).contains("recovered " + PRIMARY + " -> " + R2);
    verify(fixture.mysql, times(1)).promote(any());
  }

  @Test
  void theWholeStateCrossesContinueAsNew() throws InterruptedException {
    // Past the ~90 events up to the stop below, so the watch continues as new only on the alerts after it.
    WatchSettings settings = new WatchSettings(100, 3.0, 2, 60_000, 100);
    detector.world.set(AnalysisCode.DEAD_PRIMARY);
    startWatch(COOLDOWN_SECONDS, settings);
    awaitQuiet("one recovery, then blocked", s -> s.recoveries() == 1 && hasEvent(s, BLOCKED));
    watch.setMaintenance(true);
    awaitQuiet("maintenance", s -> s.mode() == WatchMode.MAINTENANCE && hasEvent(s, IN_MAINTENANCE));
    for (int i = 1; i <= 3; i++) {
      watch.probeNow("alertmanager: MySQLPrimaryDown #" + i);
    }
    awaitQuiet("the alerts counted", s -> s.alertsReceived() == 3);
    watch.stop("test");
    awaitStatus(watch, "stopped", s -> s.mode() == WatchMode.STOPPED);
    String stoppedRun = runId();
    WatchStatus before = watch.status();

    // Only alerts now: each is noted, and the history grows until the watch continues as new. No query
    // meanwhile: the SDK's test server stalls a query that races a continue-as-new for seconds.
    int sent = 0;
    int tries = 0;
    while (runId().equals(stoppedRun)) {
      assertThat(tries++).as("alerts sent to a stopped watch without it continuing as new").isLessThan(30);
      try {
        watch.probeNow("alert while stopped #" + (sent + 1));
        sent++;
      } catch (io.temporal.client.WorkflowNotFoundException betweenRuns) {
        // the test server refuses a signal for a moment while the run it reached continues as new
      }
      Thread.sleep(100);
    }
    int alerts = before.alertsReceived() + sent;
    WatchStatus after = awaitStatus(watch, "every alert noted", s -> s.alertsReceived() == alerts);

    assertThat(sent).isPositive();
    assertThat(after.mode()).isEqualTo(WatchMode.STOPPED);
    assertThat(after.blockedUntilMillis()).isEqualTo(before.blockedUntilMillis()).isGreaterThan(0);
    assertThat(after.retryNotBeforeMillis()).isEqualTo(before.retryNotBeforeMillis());
    assertThat(after.fenced()).isEqualTo(before.fenced()).containsExactly(PRIMARY.toString());
    assertThat(after.recoveries()).isEqualTo(1);
    assertThat(after.lastRecovery()).isEqualTo(before.lastRecovery()).contains("recovered " + PRIMARY);
    assertThat(after.lastAnalysis()).isEqualTo(before.lastAnalysis()).isEqualTo(AnalysisCode.DEAD_PRIMARY);
    assertThat(after.lastDetail()).isEqualTo(before.lastDetail());
    assertThat(after.alertsReceived()).isEqualTo(3 + sent);
    List<String> all = new ArrayList<>(before.events());
    all.addAll(after.events().subList(after.events().size() - sent, after.events().size()));
    assertThat(after.events()).isEqualTo(all.subList(Math.max(0, all.size() - ClusterWatchWorkflowImpl.MAX_EVENTS),
        all.size()));
    assertThat(after.events()).last().asString().contains("probe requested (alert while stopped #" + sent
        + ") but the watch is stopped");

    // Maintenance and the cooldown crossed too, and still act.
    watch.resume("test");
    awaitQuiet("maintenance after the resume", s -> s.mode() == WatchMode.MAINTENANCE
        && afterEvent(s, "started again by test", e -> e.contains(IN_MAINTENANCE)));
    watch.setMaintenance(false);
    WatchStatus blocked = awaitQuiet("blocked by the cooldown",
        s -> s.mode() == WatchMode.WATCHING && afterEvent(s, "maintenance off", e -> e.contains(BLOCKED)));
    assertThat(blocked.recoveries()).isEqualTo(1);
    verify(fixture.mysql, times(1)).promote(any());
  }

  @Test
  void aRepairRetryCrossesContinueAsNew() throws InterruptedException {
    List<String> calledIn = new CopyOnWriteArrayList<>();
    when(fixture.detection.repair(new DetectionActivities.Repair(CLUSTER, AnalysisCode.NO_WRITABLE_PRIMARY, EPOCH))).thenAnswer(inv -> {
      calledIn.add(Activity.getExecutionContext().getInfo().getRunId());
      return DetectionActivities.ActionResult.none("a failover of c1 is running");
    });
    detector.world.set(AnalysisCode.NO_WRITABLE_PRIMARY);
    // A history this short continues as new within the first retry.
    startWatch(COOLDOWN_SECONDS, new WatchSettings(100, 3.0, 2, 60_000, 20));

    // No query meanwhile: the SDK's test server stalls a query that races a continue-as-new for seconds.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (calledIn.size() < 2 || calledIn.get(calledIn.size() - 1).equals(calledIn.get(0))) {
      assertThat(System.nanoTime()).as("a retry in a later run; repairs so far in " + calledIn).isLessThan(deadline);
      Thread.sleep(20);
    }

    WatchStatus s = awaitQuiet("the retry noted", st -> AnalysisCode.NO_WRITABLE_PRIMARY == st.lastAnalysis());
    assertThat(s.events()).filteredOn(e -> e.endsWith("-> action: no action: a failover of c1 is running"))
        .hasSizeGreaterThanOrEqualTo(2);
  }

  private void startWatch(long cooldownSeconds) {
    startWatch(cooldownSeconds, SETTINGS);
  }

  private void startWatch(long cooldownSeconds, WatchSettings settings) {
    ClusterWatchWorkflow starter = client.newWorkflowStub(ClusterWatchWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.watch(CLUSTER)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(starter::watch, new WatchRequest(CLUSTER, cooldownSeconds, settings, WatchState.initial()));
  }

  private WatchStatus awaitQuiet(String what, Predicate<WatchStatus> condition)
      throws InterruptedException {
    return detector.awaitQuiet(watch, what, condition);
  }

  private String runId() {
    return client.newUntypedWorkflowStub(WorkflowIds.watch(CLUSTER)).describe().getExecution().getRunId();
  }

  /** Whether an event after the latest one containing {@code marker} matches {@code then}. */
  private static boolean afterEvent(WatchStatus s, String marker, Predicate<String> then) {
    List<String> events = s.events();
    for (int i = events.size() - 1; i >= 0; i--) {
      if (events.get(i).contains(marker)) {
        return events.subList(i + 1, events.size()).stream().anyMatch(then);
      }
    }
    return false;
  }

  /** Another runbook that holds the cluster's failover ID until released. */
  @WorkflowInterface
  public interface HeldRunbook {
    @WorkflowMethod
    void hold();

    @SignalMethod
    void release();
  }

  public static class HeldRunbookImpl implements HeldRunbook {
    private boolean released;

    @Override
    public void hold() {
      Workflow.await(() -> released);
    }

    @Override
    public void release() {
      released = true;
    }
  }
}
