package dev.handoff.recovery;

import static dev.handoff.recovery.RecoveryFixture.CLUSTER;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: records the history of today's watch that {@link ClusterWatchReplayTest} replays
 * ({@link ClusterWatchReplayTest#HISTORY}): a watch of {@link RecoveryFixture}'s cluster that hears NoProblem
 * from the workers' detection, then a confirmed dead primary, recovers it (the real unplanned failover as its
 * child), looks again when the recovery ends and blocks the still-dead primary for the cooldown, and is
 * stopped. ({@link ClusterWatchReplayTest#LEGACY_HISTORY}, a watch that ran the detector as an activity, was
 * recorded by this class before detection moved into the workers; it stays as it is.) The watch
 * never ends: the history is taken while it waits, stopped. Run it once from the repository root after a
 * deliberate, compatible change to the workflow's commands, and commit the file:
 *
 * <pre>
 * mvn -o -q -pl workflows test-compile dependency:build-classpath -Dmdep.outputFile=target/test.cp
 * java -cp workflows/target/test-classes:workflows/target/classes:$(cat workflows/target/test.cp) \
 *     dev.handoff.recovery.RecordClusterWatchHistory
 * </pre>
 *
 * A history recorded before the change must keep replaying: record a new file beside it rather than
 * overwrite one that running watches may still match.
 */
public final class RecordClusterWatchHistory {
  static final String DEFAULT_OUTPUT = "workflows/src/test/resources/" + ClusterWatchReplayTest.HISTORY;
  private static final String BLOCKED = "-> action: none: automatic recovery is blocked until";

  private RecordClusterWatchHistory() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : DEFAULT_OUTPUT);
    RecoveryFixture fixture = new RecoveryFixture();
    ScriptedDetector detector = new ScriptedDetector(fixture);
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker(WorkflowIds.DEFAULT_TASK_QUEUE);
      worker.registerWorkflowImplementationTypes(ClusterWatchWorkflowImpl.class, RecoveryWorkflowImpl.class);
      worker.registerActivitiesImplementations(fixture.activities());
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      detector.reportTo(client, ClusterWatchReplayTest.REQUEST.settings().confirmations());
      String workflowId = WorkflowIds.watch(CLUSTER);
      WorkflowClient.start(client.newWorkflowStub(ClusterWatchWorkflow.class, WorkflowOptions.newBuilder()
          .setWorkflowId(workflowId).setTaskQueue(WorkflowIds.DEFAULT_TASK_QUEUE).build())::watch,
          ClusterWatchReplayTest.REQUEST);
      ClusterWatchWorkflow watch = client.newWorkflowStub(ClusterWatchWorkflow.class, workflowId);

      detector.awaitQuiet(watch, "NoProblem is reported", s -> AnalysisCode.NO_PROBLEM == s.lastAnalysis());
      detector.world.set(AnalysisCode.DEAD_PRIMARY);
      detector.awaitQuiet(watch, "one recovery, then the still-dead primary blocked",
          s -> s.recoveries() == 1 && ScriptedDetector.hasEvent(s, BLOCKED));
      watch.stop("recorder");
      ScriptedDetector.awaitStatus(watch, "stopped", s -> s.mode() == WatchMode.STOPPED);

      detector.close();
      String json = settled(client, workflowId).toJson(true);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, json + "\n", StandardCharsets.UTF_8);
      System.out.println("wrote " + out.toAbsolutePath() + " (" + json.length() + " characters)");
    }
  }

  /** The history once the stop's workflow task completed. */
  private static WorkflowExecutionHistory settled(WorkflowClient client, String workflowId)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      WorkflowExecutionHistory history = client.fetchHistory(workflowId);
      List<HistoryEvent> events = history.getEvents();
      int stop = 0;
      while (stop < events.size() && !(events.get(stop).hasWorkflowExecutionSignaledEventAttributes()
          && "stop".equals(events.get(stop).getWorkflowExecutionSignaledEventAttributes().getSignalName()))) {
        stop++;
      }
      if (stop < events.size()
          && history.getLastEvent().getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        return history;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the stopped watch did not settle: last event " + history.getLastEvent());
      }
      Thread.sleep(100);
    }
  }
}
