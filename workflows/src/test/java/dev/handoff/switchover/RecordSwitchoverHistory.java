package dev.handoff.switchover;

import dev.handoff.runbook.RunbookState;
import dev.handoff.runbook.RunbookProgress;
import static dev.handoff.switchover.SwitchoverFixture.CLUSTER;
import static dev.handoff.switchover.SwitchoverFixture.R1;

import dev.handoff.runbook.WorkflowIds;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: records the history that {@link SwitchoverReplayTest} replays. Run it once from the
 * repository root after a deliberate, compatible change to the workflow's commands, and commit the file:
 *
 * <pre>
 * mvn -o -q -pl workflows test-compile dependency:build-classpath -Dmdep.outputFile=target/test.cp
 * java -cp workflows/target/test-classes:workflows/target/classes:$(cat workflows/target/test.cp) \
 *     dev.handoff.switchover.RecordSwitchoverHistory
 * </pre>
 *
 * A history recorded before the change must keep replaying: record a new file beside it rather than
 * overwrite one that running failovers may still match.
 */
public final class RecordSwitchoverHistory {
  static final String DEFAULT_OUTPUT = "workflows/src/test/resources/" + SwitchoverReplayTest.HISTORY;

  private RecordSwitchoverHistory() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : DEFAULT_OUTPUT);
    SwitchoverFixture fixture = new SwitchoverFixture();
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker(WorkflowIds.DEFAULT_TASK_QUEUE);
      worker.registerWorkflowImplementationTypes(SwitchoverWorkflowImpl.class);
      worker.registerActivitiesImplementations(fixture.activities());
      env.start();
      String workflowId = WorkflowIds.failover(CLUSTER);
      SwitchoverWorkflow workflow = env.getWorkflowClient().newWorkflowStub(SwitchoverWorkflow.class,
          WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(WorkflowIds.DEFAULT_TASK_QUEUE).build());
      RunbookProgress result = workflow.switchover(new SwitchoverRequest(CLUSTER, R1, false));
      if (!RunbookState.COMPLETED.equals(result.state())) {
        throw new IllegalStateException("the recorded switchover did not complete: " + result);
      }
      String json = env.getWorkflowClient().fetchHistory(workflowId).toJson(true);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, json + "\n", StandardCharsets.UTF_8);
      System.out.println("wrote " + out.toAbsolutePath() + " (" + json.length() + " characters)");
    }
  }
}
