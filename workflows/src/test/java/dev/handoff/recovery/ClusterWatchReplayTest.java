package dev.handoff.recovery;

import static dev.handoff.recovery.RecoveryFixture.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.detection.DetectionActivities;
import dev.handoff.detection.WatchSettings;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.TemporalJson;
import dev.handoff.planning.DetectionResult;
import dev.handoff.runbook.RunbookOptions;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.StartChildWorkflowExecutionInitiatedEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replays a recorded watch (see {@link RecordClusterWatchHistory}) against today's workflow code: a change
 * that would break the watches running during a worker upgrade fails here first. A watch never ends, so the
 * history stops where it was taken (the watch waits, stopped); the replayer accepts that.
 */
@Timeout(60)
class ClusterWatchReplayTest {
  /** Today's watch: the workers' detection reports, the watch decides. */
  static final String HISTORY = "histories/cluster-watch-reports.json";
  /** A watch that ran its detector as an activity (before version {@code worker-detection}): still replays. */
  static final String LEGACY_HISTORY = "histories/cluster-watch.json";
  /** What the recorded watch was started with: a cooldown of 60 s and fast probes. */
  static final WatchRequest REQUEST = new WatchRequest(CLUSTER, 60,
      new WatchSettings(100, 3.0, 2, 60_000, WatchSettings.DEFAULT_HISTORY_LIMIT), WatchState.initial());

  @Test
  void theRecordedWatchReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(HISTORY, ClusterWatchWorkflowImpl.class,
        RecoveryWorkflowImpl.class);
  }

  @Test
  void aWatchThatRanItsDetectorAsAnActivityStillReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(LEGACY_HISTORY, ClusterWatchWorkflowImpl.class,
        RecoveryWorkflowImpl.class);
  }

  @Test
  void theRecordedHistoryIsAWatchThatHeardTheWorkersRecoveredOnceAndWasStopped() throws IOException {
    List<HistoryEvent> events = recorded(HISTORY).getEvents();

    WorkflowExecutionStartedEventAttributes started = events.get(0).getWorkflowExecutionStartedEventAttributes();
    assertThat(TemporalJson.CONVERTER.fromPayload(started.getInput().getPayloads(0), WatchRequest.class,
        WatchRequest.class)).isEqualTo(REQUEST);
    assertThat(events.stream().filter(HistoryEvent::hasMarkerRecordedEventAttributes)
        .map(e -> e.getMarkerRecordedEventAttributes().getDetailsMap().get("changeId"))
        .map(p -> TemporalJson.CONVERTER.fromPayload(p.getPayloads(0), String.class, String.class)))
        .containsExactly(ClusterWatchWorkflowImpl.WORKER_DETECTION);
    // The workers' NoProblem and their confirmed dead primary; the watch's own look after the recovery.
    assertThat(events.stream().filter(HistoryEvent::hasWorkflowExecutionSignaledEventAttributes)
        .map(e -> e.getWorkflowExecutionSignaledEventAttributes().getSignalName()))
        .containsExactly("report", "report", "stop");
    assertThat(events.stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()))
        .containsExactly("WatchProbe");
    assertThat(events.stream()
        .filter(HistoryEvent::hasStartChildWorkflowExecutionInitiatedEventAttributes)
        .map(e -> e.getStartChildWorkflowExecutionInitiatedEventAttributes().getWorkflowId()))
        .containsExactly(WorkflowIds.failover(CLUSTER));
    assertThat(events).extracting(HistoryEvent::getEventType)
        .contains(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, EventType.EVENT_TYPE_TIMER_STARTED)
        .doesNotContain(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  }

  @Test
  void aWatchThatProbesBeforeItStartsTheRecoveryDoesNotReplay() {
    assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecutionFromResource(HISTORY,
        ProbesOnReport.class, RecoveryWorkflowImpl.class))
        .hasMessageContaining(NonDeterministicException.class.getName())
        .hasMessageContaining("EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED does not match command type"
            + " COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK");
  }

  @Test
  void theLegacyHistoryIsAWatchThatRecoveredOnceAndWasStopped() throws IOException {
    WorkflowExecutionHistory history = recorded(LEGACY_HISTORY);
    List<HistoryEvent> events = history.getEvents();

    WorkflowExecutionStartedEventAttributes started = events.get(0).getWorkflowExecutionStartedEventAttributes();
    assertThat(started.getWorkflowType().getName()).isEqualTo("ClusterWatchWorkflow");
    assertThat(TemporalJson.CONVERTER.fromPayload(started.getInput().getPayloads(0), WatchRequest.class,
        WatchRequest.class)).isEqualTo(REQUEST);
    // NoProblem, a dead primary (acted on), and the still-dead primary after the recovery (blocked).
    assertThat(events.stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
        .map(e -> TemporalJson.CONVERTER.fromPayload(e.getActivityTaskCompletedEventAttributes().getResult()
            .getPayloads(0), DetectionResult.class, DetectionResult.class).code()))
        .containsExactly(AnalysisCode.NO_PROBLEM, AnalysisCode.DEAD_PRIMARY, AnalysisCode.DEAD_PRIMARY);
    assertThat(events.stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()))
        .containsOnly("WatchCluster");
    List<StartChildWorkflowExecutionInitiatedEventAttributes> children = events.stream()
        .filter(HistoryEvent::hasStartChildWorkflowExecutionInitiatedEventAttributes)
        .map(HistoryEvent::getStartChildWorkflowExecutionInitiatedEventAttributes).toList();
    assertThat(children).hasSize(1);
    assertThat(children.get(0).getWorkflowType().getName()).isEqualTo("RecoveryWorkflow");
    assertThat(children.get(0).getWorkflowId()).isEqualTo(WorkflowIds.failover(CLUSTER));
    assertThat(events).extracting(HistoryEvent::getEventType)
        .contains(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, EventType.EVENT_TYPE_TIMER_STARTED,
            EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED)
        .doesNotContain(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    assertThat(events.stream().filter(HistoryEvent::hasWorkflowExecutionSignaledEventAttributes)
        .map(e -> e.getWorkflowExecutionSignaledEventAttributes().getSignalName())).containsExactly("stop");
  }

  @Test
  void aWatchThatProbesAgainBeforeItRecoversDoesNotReplay() {
    assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecutionFromResource(LEGACY_HISTORY,
        ProbesBeforeRecovering.class, RecoveryWorkflowImpl.class))
        // The replayer reports it in the message of a RuntimeException, not as a cause.
        .hasMessageContaining(NonDeterministicException.class.getName())
        // Both detector runs replay; the recorded recovery is where the changed code schedules its probe.
        .hasMessageContaining("EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED does not match command type"
            + " COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK");
  }

  private static WorkflowExecutionHistory recorded(String resource) throws IOException {
    try (InputStream in = ClusterWatchReplayTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource + " on the test classpath").isNotNull();
      return WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** A changed watch that probes a reported dead primary itself before it starts the recovery: incompatible. */
  public static class ProbesOnReport extends ProbesBeforeRecovering {
    private final DetectionActivities detection =
        Workflow.newActivityStub(DetectionActivities.class, RunbookOptions.PROBE);
    private final List<DetectionReport> reports = new java.util.ArrayList<>();

    @Override
    public void watch(WatchRequest request) {
      Workflow.getVersion(ClusterWatchWorkflowImpl.WORKER_DETECTION, Workflow.DEFAULT_VERSION, 1);
      while (true) {
        Workflow.await(() -> !reports.isEmpty());
        DetectionReport r = reports.remove(0);
        if (r.result().code() == AnalysisCode.DEAD_PRIMARY) {
          detection.watchProbe(new DetectionActivities.WatchProbe(request.cluster()));
          Workflow.newChildWorkflowStub(RecoveryWorkflow.class, ChildWorkflowOptions.newBuilder()
              .setWorkflowId(WorkflowIds.failover(request.cluster())).build())
              .recover(new RecoveryRequest(request.cluster(), false, r.result().detail()));
        }
      }
    }

    @Override
    public void report(DetectionReport report) {
      reports.add(report);
    }
  }

  /** A changed watch that asks for a second probe of a dead primary before it starts the recovery: incompatible. */
  public static class ProbesBeforeRecovering implements ClusterWatchWorkflow {
    private final DetectionActivities detection =
        Workflow.newActivityStub(DetectionActivities.class, RunbookOptions.PROBE);

    @Override
    public void watch(WatchRequest request) {
      AnalysisCode reported = null;
      while (true) {
        DetectionResult r = detection.watchCluster(new DetectionActivities.WatchCluster(request.cluster(), request.settings(), reported, true));
        reported = r.code();
        if (r.code() == AnalysisCode.DEAD_PRIMARY) {
          detection.probeCluster(new DetectionActivities.ProbeCluster(request.cluster()));
          Workflow.newChildWorkflowStub(RecoveryWorkflow.class, ChildWorkflowOptions.newBuilder()
              .setWorkflowId(WorkflowIds.failover(request.cluster())).build())
              .recover(new RecoveryRequest(request.cluster(), false, r.detail()));
        }
      }
    }

    @Override
    public void report(DetectionReport report) {}

    @Override
    public void probeNow(String reason) {}

    @Override
    public void acknowledge(String by) {}

    @Override
    public void setMaintenance(boolean on) {}

    @Override
    public void recovered(String summary) {}

    @Override
    public void stop(String by) {}

    @Override
    public void resume(String by) {}

    @Override
    public WatchStatus status() {
      return null;
    }

    @Override
    public WorkerAnalyses workerAnalyses() {
      return new WorkerAnalyses(List.of());
    }
  }
}
