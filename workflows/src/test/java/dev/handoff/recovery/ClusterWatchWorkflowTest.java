package dev.handoff.recovery;

import static dev.handoff.recovery.RecoveryFixture.CLUSTER;
import static dev.handoff.recovery.RecoveryFixture.PRIMARY;
import static dev.handoff.recovery.RecoveryFixture.R2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.handoff.detection.WatchSettings;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.runbook.FailoverProgress;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.activity.Activity;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A cluster's watch with a scripted detector and the real unplanned failover as its child (its activities
 * mocked by {@link RecoveryFixture}).
 *
 * <p>The detector answers from {@link #world}: at once when the verdict differs from what the watch last
 * reported, else it waits, heartbeating, until the world changes (or the watch cancels it). So a detector
 * only ever completes when the test changes the world, never while the test signals the watch: the SDK's
 * test server wedges a workflow whose cancel command races its activity's completion. Activities in
 * flight also stop the test server from skipping time, so the watch runs in real time: the cooldown test
 * uses a cooldown of seconds, and every wait polls the status query.
 */
@Timeout(60)
class ClusterWatchWorkflowTest {
  private static final long COOLDOWN_SECONDS = 60;
  private static final WatchSettings SETTINGS = new WatchSettings(100, 3.0, 2, 60_000);
  private static final String BLOCKED = "DeadPrimary not acted on: automatic recovery is blocked until";
  private static final String IN_MAINTENANCE = "DeadPrimary not acted on: maintenance mode is on for " + CLUSTER;

  @RegisterExtension
  final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .registerWorkflowImplementationTypes(ClusterWatchWorkflowImpl.class, UnplannedFailoverWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  final RecoveryFixture fixture = new RecoveryFixture();
  /** What the cluster looks like right now, to the detector and to the failover's own probe. */
  final AtomicReference<AnalysisCode> world = new AtomicReference<>(AnalysisCode.NO_PROBLEM);
  /** Detector runs started, and the latest one that is waiting for news. */
  final AtomicInteger detectorRuns = new AtomicInteger();
  final AtomicInteger waitingRun = new AtomicInteger();
  /** The verdict the latest waiting run was told the watch had reported. */
  final AtomicReference<String> waitingOn = new AtomicReference<>();
  /** Set when a test ends: waiting detector runs return, so none outlives its test. */
  volatile boolean closing;
  TestWorkflowEnvironment env;
  WorkflowClient client;
  ClusterWatchWorkflow watch;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(fixture.detection.watchCluster(eq(CLUSTER), any(), any(), org.mockito.ArgumentMatchers.anyBoolean())).thenAnswer(inv -> {
      int run = detectorRuns.incrementAndGet();
      String reported = inv.getArgument(2);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      AnalysisCode now = world.get();
      if (now.wireName().equals(reported)) {
        waitingOn.set(reported);
        waitingRun.accumulateAndGet(run, Math::max);
        while (now.wireName().equals(reported) && !closing && System.nanoTime() < deadline) {
          Activity.getExecutionContext().heartbeat(run); // throws once the watch cancelled this run
          Thread.sleep(10);
          now = world.get();
        }
      }
      return RecoveryFixture.analysis(now);
    });
    when(fixture.detection.probeCluster(CLUSTER)).thenAnswer(inv -> RecoveryFixture.analysis(world.get()));
    worker.registerActivitiesImplementations(fixture.activities());
    env.start();
    this.env = env;
    this.client = client;
    this.watch = client.newWorkflowStub(ClusterWatchWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.watch(CLUSTER)).setTaskQueue(worker.getTaskQueue()).build());
  }

  @AfterEach
  void stopTheWatch() {
    try {
      watch.stop("test teardown");
    } catch (RuntimeException alreadyClosed) {
      // the test stopped it itself
    }
    closing = true;
  }

  @Test
  void aDeadPrimaryStartsExactlyOneFailover() throws InterruptedException {
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> "NoProblem".equals(s.lastAnalysis()));
    verify(fixture.detection, never()).probeCluster(anyString());

    world.set(AnalysisCode.DEAD_PRIMARY);
    // The primary stays dead (the mocks say so): reported again after the recovery, and blocked.
    WatchStatus after = awaitQuiet("one recovery, then the still-dead primary blocked",
        s -> s.recoveries() == 1 && hasEvent(s, BLOCKED));

    assertThat(after.lastRecovery()).contains("recovered " + PRIMARY + " -> " + R2);
    assertThat(after.blockedUntilMillis()).isGreaterThan(env.currentTimeMillis());
    assertThat(after.mode()).isEqualTo("watching");
    assertThat(after.events()).filteredOn(e -> e.contains("recovered " + PRIMARY)).hasSize(1);
    FailoverProgress child = client.newUntypedWorkflowStub(WorkflowIds.failover(CLUSTER), Optional.empty(),
        Optional.empty()).getResult(FailoverProgress.class);
    assertThat(child.state()).isEqualTo(FailoverProgress.COMPLETED);
    assertThat(child.newPrimary()).isEqualTo(R2.toString());
    verify(fixture.detection, times(1)).probeCluster(CLUSTER);
    verify(fixture.mysql, times(1)).promote(any(), any());
    // From now on every detector run also sets the failed-over primary read-only should it come back.
    assertThat(after.fenced()).containsExactly(PRIMARY.toString());
  }

  @ParameterizedTest
  @EnumSource(value = AnalysisCode.class, names = {
      "UNREACHABLE_PRIMARY", "REPLICA_LAGGING", "ALL_REPLICAS_STOPPED", "ERRANT_GTID"})
  void otherAnalysesAreReportedButNeverActedOn(AnalysisCode code) throws InterruptedException {
    world.set(code);
    startWatch(COOLDOWN_SECONDS);

    WatchStatus s = awaitQuiet(code + " is reported", st -> code.wireName().equals(st.lastAnalysis()));

    assertThat(s.lastDetail()).isEqualTo(code + " on " + CLUSTER);
    assertThat(s.events()).anyMatch(e -> e.endsWith(code.wireName() + ": " + code + " on " + CLUSTER));
    assertThat(s.recoveries()).isZero();
    assertThat(s.lastRecovery()).isNull();
    assertThat(s.blockedUntilMillis()).isZero();
    assertThat(s.mode()).isEqualTo("watching");
    verify(fixture.detection, never()).probeCluster(anyString());
    verify(fixture.haproxy, never()).fenceWriter(anyString(), anyString(), any());
    verify(fixture.mysql, never()).promote(anyString(), any());
  }

  @Test
  void aDeadPrimaryInsideTheCooldownWaitsForAnAcknowledgement() throws InterruptedException {
    world.set(AnalysisCode.DEAD_PRIMARY);
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("one recovery", s -> s.recoveries() == 1);

    // The new primary dies too, well inside the cooldown.
    world.set(AnalysisCode.NO_PROBLEM);
    awaitQuiet("the recovered cluster is healthy", s -> "NoProblem".equals(s.lastAnalysis()));
    world.set(AnalysisCode.DEAD_PRIMARY);
    WatchStatus blocked = awaitQuiet("the second DeadPrimary is reported",
        s -> "DeadPrimary".equals(s.lastAnalysis()) && count(s, BLOCKED) == 2);
    assertThat(blocked.recoveries()).isEqualTo(1);
    assertThat(blocked.blockedUntilMillis()).isGreaterThan(env.currentTimeMillis());
    verify(fixture.mysql, times(1)).promote(any(), any());

    watch.acknowledge("test");

    WatchStatus after = awaitQuiet("a second recovery", s -> s.recoveries() == 2);
    assertThat(after.events()).anyMatch(e -> e.contains("recovery acknowledged by test"));
    assertThat(after.blockedUntilMillis()).isGreaterThan(env.currentTimeMillis());
    verify(fixture.detection, times(2)).probeCluster(CLUSTER);
    verify(fixture.mysql, times(2)).promote(any(), any());
  }

  @Test
  void aDeadPrimaryAfterTheCooldownIsRecoveredAgain() throws InterruptedException {
    long cooldownSeconds = 3;
    world.set(AnalysisCode.DEAD_PRIMARY);
    startWatch(cooldownSeconds);
    long blockedUntil = awaitQuiet("one recovery", s -> s.recoveries() == 1).blockedUntilMillis();
    assertThat(blockedUntil - env.currentTimeMillis()).isBetween(0L, cooldownSeconds * 1000);
    world.set(AnalysisCode.NO_PROBLEM);
    awaitQuiet("the recovered cluster is healthy", s -> "NoProblem".equals(s.lastAnalysis()));

    // The activities in flight keep the test server's clock at real time: wait out the short cooldown.
    while (env.currentTimeMillis() <= blockedUntil) {
      Thread.sleep(50);
    }
    world.set(AnalysisCode.DEAD_PRIMARY);

    WatchStatus after = awaitQuiet("a second recovery", s -> s.recoveries() == 2);
    assertThat(after.blockedUntilMillis()).isGreaterThan(blockedUntil);
    verify(fixture.mysql, times(2)).promote(any(), any());
  }

  @Test
  void maintenanceModeBlocksRecoveryUntilItIsOff() throws InterruptedException {
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> "NoProblem".equals(s.lastAnalysis()));
    watch.setMaintenance(true);
    awaitQuiet("maintenance mode", s -> "maintenance".equals(s.mode()) && "NoProblem".equals(s.lastAnalysis()));

    world.set(AnalysisCode.DEAD_PRIMARY);
    WatchStatus during = awaitQuiet("DeadPrimary is reported and not acted on", s -> hasEvent(s, IN_MAINTENANCE));
    assertThat(during.recoveries()).isZero();
    assertThat(during.lastAnalysis()).isEqualTo("DeadPrimary");
    assertThat(during.mode()).isEqualTo("maintenance");
    verify(fixture.detection, never()).probeCluster(anyString());
    verify(fixture.haproxy, never()).fenceWriter(anyString(), anyString(), any());

    watch.setMaintenance(false);

    WatchStatus after = awaitQuiet("a recovery once maintenance is off", s -> s.recoveries() == 1);
    assertThat(after.mode()).isEqualTo("watching");
    assertThat(after.events()).anyMatch(e -> e.endsWith("maintenance off"));
    verify(fixture.mysql, times(1)).promote(any(), any());
  }

  @Test
  void anAlertStormDuringTheRecoveryStartsNoSecondOne() throws InterruptedException {
    CountDownLatch fencing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    when(fixture.haproxy.fenceWriter(anyString(), anyString(), any())).thenAnswer(inv -> {
      fencing.countDown();
      release.await(20, TimeUnit.SECONDS);
      return inv.getArgument(0) + ": " + inv.getArgument(2) + " out of every writer backend";
    });
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> "NoProblem".equals(s.lastAnalysis()));

    world.set(AnalysisCode.DEAD_PRIMARY);
    assertThat(fencing.await(20, TimeUnit.SECONDS)).as("the failover reached the fence").isTrue();
    for (int i = 1; i <= 50; i++) {
      watch.probeNow("alertmanager: MySQLPrimaryDown #" + i);
    }
    WatchStatus storm = awaitStatus("every alert counted", s -> s.alertsReceived() == 50);
    assertThat(storm.mode()).isEqualTo("recovering");
    release.countDown();

    WatchStatus after = awaitQuiet("one recovery, then the still-dead primary blocked",
        s -> s.recoveries() == 1 && hasEvent(s, BLOCKED));
    assertThat(after.alertsReceived()).isEqualTo(50);
    assertThat(after.lastRecovery()).contains("recovered " + PRIMARY + " -> " + R2);
    verify(fixture.detection, times(1)).probeCluster(CLUSTER);
    verify(fixture.mysql, times(1)).promote(any(), any());
    verify(fixture.haproxy, times(2)).fenceWriter(anyString(), eq(CLUSTER), eq(PRIMARY));
  }

  @Test
  void alertsAloneNeverStartARecovery() throws InterruptedException {
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> "NoProblem".equals(s.lastAnalysis()));
    int runsBefore = detectorRuns.get();

    for (int i = 1; i <= 50; i++) {
      watch.probeNow("alertmanager: MySQLPrimaryDown #" + i);
    }

    WatchStatus after = awaitQuiet("every alert counted", s -> s.alertsReceived() == 50);
    assertThat(detectorRuns.get()).as("the alerts asked for fresh probes").isGreaterThan(runsBefore);
    assertThat(after.recoveries()).isZero();
    assertThat(after.lastAnalysis()).isEqualTo("NoProblem");
    assertThat(after.events()).last().asString().contains("probe requested: alertmanager: MySQLPrimaryDown #50");
    verify(fixture.detection, never()).probeCluster(anyString());
    verify(fixture.mysql, never()).promote(anyString(), any());
  }

  @Test
  void stopEndsTheWatch() throws Exception {
    startWatch(COOLDOWN_SECONDS);
    awaitQuiet("NoProblem is reported", s -> "NoProblem".equals(s.lastAnalysis()));

    watch.stop("test");

    WorkflowStub.fromTyped(watch).getResult(10, TimeUnit.SECONDS, Void.class);
    WatchStatus s = watch.status();
    assertThat(s.mode()).isEqualTo("stopped");
    assertThat(s.events()).last().asString().endsWith("stopped by test");
    verify(fixture.detection, never()).probeCluster(anyString());
  }

  private void startWatch(long cooldownSeconds) {
    WorkflowClient.start(watch::watch, new WatchRequest(CLUSTER, cooldownSeconds, SETTINGS, WatchState.initial()));
  }

  /**
   * Waits until {@code condition} holds and the latest detector run waits for news about the verdict the
   * status shows: the watch has handled every verdict so far, and a signal now cannot race a detector's
   * completion.
   */
  private WatchStatus awaitQuiet(String what, Predicate<WatchStatus> condition) throws InterruptedException {
    return awaitStatus(what + " (detector waiting)",
        s -> condition.test(s) && waitingRun.get() == detectorRuns.get()
            && Objects.equals(waitingOn.get(), s.lastAnalysis()));
  }

  /** Polls the status query until {@code condition} holds; fails naming what it waited for. */
  private WatchStatus awaitStatus(String what, Predicate<WatchStatus> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    WatchStatus last = null;
    while (System.nanoTime() < deadline) {
      last = watch.status();
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("timed out waiting until " + what + "; last status: " + last);
  }

  private static boolean hasEvent(WatchStatus s, String text) {
    return count(s, text) > 0;
  }

  private static long count(WatchStatus s, String text) {
    return s.events() == null ? 0 : s.events().stream().filter(e -> e.contains(text)).count();
  }
}
