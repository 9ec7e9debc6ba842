package dev.handoff.recovery;

import dev.handoff.runbook.RunbookState;
import static dev.handoff.recovery.RecoveryFixture.CLUSTER;
import static dev.handoff.recovery.RecoveryFixture.PRIMARY;
import static dev.handoff.recovery.RecoveryFixture.R2;
import static dev.handoff.recovery.ScriptedDetector.awaitStatus;
import static dev.handoff.recovery.ScriptedDetector.hasEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.handoff.detection.WatchSettings;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.RunbookOptions;
import dev.handoff.runbook.TestWorkers;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A forced recovery ({@code ./handoff recovery start}: an operator's, outside the watch) that promotes
 * starts the watch's cooldown as an automatic one does; the watch's own (unforced) child does not signal.
 * The watch runs in maintenance mode here, so that the dead primary the forced recovery confirms is the
 * operator's to recover; its detector is scripted ({@link ScriptedDetector}), so it runs in real time.
 */
@Timeout(60)
class ForcedRecoveryCooldownTest {
  private static final long COOLDOWN_SECONDS = 3600;
  private static final WatchSettings SETTINGS = new WatchSettings(100, 3.0, 2, 60_000);
  private static final String BLOCKED = "-> action: none: automatic recovery is blocked until";

  @RegisterExtension
  final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .setWorkerOptions(TestWorkers.OPTIONS)
      .registerWorkflowImplementationTypes(ClusterWatchWorkflowImpl.class, RecoveryWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  final RecoveryFixture fixture = new RecoveryFixture();
  final ScriptedDetector detector = new ScriptedDetector(fixture);
  TestWorkflowEnvironment env;
  WorkflowClient client;
  String taskQueue;
  ClusterWatchWorkflow watch;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    worker.registerActivitiesImplementations(fixture.activities());
    env.start();
    detector.reportTo(client, SETTINGS.confirmations());
    this.env = env;
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    this.watch = client.newWorkflowStub(ClusterWatchWorkflow.class, WorkflowIds.watch(CLUSTER));
  }

  @AfterEach
  void stopTheWatch() throws InterruptedException {
    try {
      watch.stop("test teardown");
    } catch (RuntimeException notStarted) {
      // this test ran no watch
    }
    detector.close();
  }

  @Test
  void aForcedRecoveryThatPromotedStartsTheWatchsCooldown() throws InterruptedException {
    deadPrimaryUnderMaintenance();

    RunbookProgress result = recover(true);

    assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
    assertThat(result.detail()).contains("The watch of " + CLUSTER + " blocks automatic recoveries for its cooldown",
        "./handoff recovery ack --cluster " + CLUSTER);
    WatchStatus blocked = awaitStatus(watch, "the cooldown started by the forced recovery",
        s -> hasEvent(s, "forced recovery " + WorkflowIds.failover(CLUSTER) + " promoted " + R2 + " in place of "
            + PRIMARY + "; automatic recovery blocked until"));
    assertThat(blocked.blockedUntilMillis())
        .isGreaterThan(env.currentTimeMillis() + (COOLDOWN_SECONDS - 60) * 1000);

    // Maintenance off: the primary the mocks still call dead is not recovered again within the cooldown.
    watch.setMaintenance(false);
    detector.awaitQuiet(watch, "the dead primary blocked by the cooldown", s -> hasEvent(s, BLOCKED));
    verify(fixture.mysql, times(1)).promote(any());
    assertThat(watch.status().recoveries()).isZero();
  }

  @Test
  void theWatchsOwnRecoveryDoesNotSignalIt() throws InterruptedException {
    deadPrimaryUnderMaintenance();

    RunbookProgress result = recover(false);

    assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
    assertThat(result.detail()).doesNotContain("cooldown");
    WatchStatus after = detector.awaitQuiet(watch, "still in maintenance", s -> s.mode() == WatchMode.MAINTENANCE);
    assertThat(after.blockedUntilMillis()).isZero();
    assertThat(after.events()).noneMatch(e -> e.contains("forced recovery"));
  }

  @Test
  void withoutAWatchTheForcedRecoverySaysNoCooldownStarted() {
    detector.world.set(AnalysisCode.DEAD_PRIMARY);

    RunbookProgress result = recover(true);

    assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
    assertThat(result.newPrimary()).isEqualTo(R2.toString());
    assertThat(result.detail()).contains("No watch of " + CLUSTER + " runs (" + WorkflowIds.watch(CLUSTER)
        + "), so no cooldown was started");
  }

  /** A watch in maintenance mode that has reported the dead primary (and done nothing about it). */
  private void deadPrimaryUnderMaintenance() throws InterruptedException {
    ClusterWatchWorkflow starter = client.newWorkflowStub(ClusterWatchWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.watch(CLUSTER)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(starter::watch, new WatchRequest(CLUSTER, COOLDOWN_SECONDS, SETTINGS, WatchState.initial()));
    detector.awaitQuiet(watch, "NoProblem is reported", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());
    watch.setMaintenance(true);
    detector.awaitQuiet(watch, "maintenance on", s -> s.mode() == WatchMode.MAINTENANCE && s.lastAnalysis() != null);
    detector.world.set(AnalysisCode.DEAD_PRIMARY);
    detector.awaitQuiet(watch, "the dead primary reported under maintenance",
        s -> AnalysisCode.DEAD_PRIMARY == s.lastAnalysis() && hasEvent(s, "maintenance mode is on for " + CLUSTER));
  }

  private RunbookProgress recover(boolean forced) {
    RecoveryWorkflow workflow = client.newWorkflowStub(RecoveryWorkflow.class,
        RunbookOptions.failoverWorkflow(taskQueue, WorkflowIds.failover(CLUSTER)));
    return workflow.recover(new RecoveryRequest(CLUSTER, forced, forced ? "operator: test" : "watch: test"));
  }
}
