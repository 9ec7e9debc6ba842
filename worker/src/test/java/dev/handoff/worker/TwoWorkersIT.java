package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.lab.LabExtension;
import dev.handoff.recovery.ClusterWatchWorkflow;
import dev.handoff.recovery.DetectionReport;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two workers, each probing the cluster itself: a primary and one of the workers killed at the same moment.
 * The survivor's own detector reports the death and the watch recovers it; nothing waits for work to move
 * off the dead worker, for no detector runs as an activity (under the first design the watch's detector
 * would sit on the dead worker until its heartbeat timeout).
 */
class TwoWorkersIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);

  @Test
  void killingAWorkerWithThePrimaryLeavesTheOtherDetecting() throws Exception {
    Path work = Files.createTempDirectory(LAB.info().dir(), "two-workers-");
    var config = WorkerHarness.withWorker(LAB.info().config(),
        new dev.handoff.config.WorkerSettings(null, null, null, true, 3600L));
    try (WorkerHarness client = WorkerHarness.clientOnly(config);
        WorkerProcess w1 = WorkerProcess.start(config, work, "w1", null);
        WorkerProcess w2 = WorkerProcess.start(config, work, "w2", null)) {
      w1.awaitReady(60_000);
      w2.awaitReady(60_000);
      client.awaitAnalysis("c1", "NoProblem", 30_000);
      String dead = client.status("c1").kvPrimary();

      LAB.info().mariadb("c1", dead).signal("KILL");
      w1.kill9();

      WatchStatus w = client.awaitRecoveries("c1", 1, 60_000);
      assertThat(w.recoveries()).as("watch: " + w).isEqualTo(1);
      ClusterStatus s = client.awaitHealthy("c1", 30_000);
      assertThat(s.kvPrimary()).isNotEqualTo(dead);

      List<HistoryEvent> events = client.client.fetchHistory(WorkflowIds.watch("c1")).getEvents();
      List<DetectionReport> deaths = events.stream()
          .filter(e -> e.hasWorkflowExecutionSignaledEventAttributes()
              && "report".equals(e.getWorkflowExecutionSignaledEventAttributes().getSignalName()))
          .map(e -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
              e.getWorkflowExecutionSignaledEventAttributes().getInput().getPayloads(0), DetectionReport.class,
              DetectionReport.class))
          .filter(r -> r.result().code() == AnalysisCode.DEAD_PRIMARY).toList();
      assertThat(deaths).as("the survivor reported the death it confirmed").isNotEmpty()
          .allSatisfy(r -> assertThat(r.worker()).startsWith(w2.pid() + "@"))
          .allSatisfy(r -> assertThat(r.confirmations()).isGreaterThanOrEqualTo(2));
      assertThat(events.stream().filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
          .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()))
          .as("no detector activity to move off the dead worker").doesNotContain("WatchCluster");

      // watch status asks each worker for its own latest analysis: the survivor answers, the dead one cannot.
      List<ClusterWatchWorkflow.WorkerAnalysis> answers = client.client.newWorkflowStub(ClusterWatchWorkflow.class,
          WorkflowIds.watch("c1")).workerAnalyses().workers();
      assertThat(answers).as("answers: " + answers)
          .anySatisfy(a -> assertThat(a.worker()).startsWith(w2.pid() + "@"))
          .allSatisfy(a -> assertThat(a.code() != null).isEqualTo(a.worker().startsWith(w2.pid() + "@")));
    }
  }
}
