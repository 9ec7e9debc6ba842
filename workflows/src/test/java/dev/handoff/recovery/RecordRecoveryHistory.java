package dev.handoff.recovery;

import dev.handoff.runbook.RunbookState;
import static dev.handoff.recovery.RecoveryFixture.CLUSTER;

import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: records the history that {@link RecoveryReplayTest} replays, a recovery of the dead
 * primary of {@link RecoveryFixture}'s cluster that completes. Run it once from the repository root after a
 * deliberate, compatible change to the workflow's commands, and commit the file:
 *
 * <pre>
 * mvn -o -q -pl workflows test-compile dependency:build-classpath -Dmdep.outputFile=target/test.cp
 * java -cp workflows/target/test-classes:workflows/target/classes:$(cat workflows/target/test.cp) \
 *     dev.handoff.recovery.RecordRecoveryHistory
 * </pre>
 *
 * A history recorded before the change must keep replaying: record a new file beside it rather than
 * overwrite one that running failovers may still match.
 */
public final class RecordRecoveryHistory {
  static final String DEFAULT_OUTPUT = "workflows/src/test/resources/" + RecoveryReplayTest.HISTORY;

  private RecordRecoveryHistory() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : DEFAULT_OUTPUT);
    RecoveryFixture fixture = new RecoveryFixture();
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker(WorkflowIds.DEFAULT_TASK_QUEUE);
      worker.registerWorkflowImplementationTypes(RecoveryWorkflowImpl.class);
      worker.registerActivitiesImplementations(fixture.activities());
      env.start();
      String workflowId = WorkflowIds.failover(CLUSTER);
      RecoveryWorkflow workflow = env.getWorkflowClient().newWorkflowStub(RecoveryWorkflow.class,
          WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(WorkflowIds.DEFAULT_TASK_QUEUE).build());
      RunbookProgress result = workflow.recover(RecoveryReplayTest.REQUEST);
      if (!RunbookState.COMPLETED.equals(result.state())) {
        throw new IllegalStateException("the recorded recovery did not complete: " + result);
      }
      String json = env.getWorkflowClient().fetchHistory(workflowId).toJson(true);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, json + "\n", StandardCharsets.UTF_8);
      System.out.println("wrote " + out.toAbsolutePath() + " (" + json.length() + " characters)");
    }
  }
}
