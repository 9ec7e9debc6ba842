package dev.handoff.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.TemporalJson;
import dev.handoff.recovery.RecoveryWorkflowImpl;
import dev.handoff.switchover.SwitchoverWorkflowImpl;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The runbooks of the local-steps version (every step a local activity), recorded by
 * {@code RecordRecoveryHistory} and {@code RecordSwitchoverHistory} into their own files beside the histories
 * of the first version: they replay against today's code, and their few task-queue activities sit where a
 * worker that died later would otherwise have its successor re-run steps that decide differently once the
 * cluster changed (see {@code RunbookWorkflow#pickSteps}).
 */
class LocalStepsReplayTest {
  static final String RECOVERY = "histories/recovery-local-steps.json";
  static final String SWITCHOVER = "histories/switchover-local-steps.json";

  @Test
  void theRecordedLocalStepsRecoveryReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(history(RECOVERY), RecoveryWorkflowImpl.class);
  }

  @Test
  void theRecordedLocalStepsSwitchoverReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(history(SWITCHOVER), SwitchoverWorkflowImpl.class);
  }

  @Test
  void aRecoveryRecordsItsConfirmationBeforeItChangesAnythingAndItsChoiceBeforeThePromotion() throws IOException {
    List<String> seq = sequence(history(RECOVERY));

    // Only the confirmation and the promotion go through the task queue.
    assertThat(seq).filteredOn(s -> s.startsWith("task:")).containsExactly("task:ProbeCluster", "task:Promote");
    // The confirmation recorded before the IO threads stop and the fence: a successor confirming again
    // afterwards would find the replicas silent (stopped) and refuse.
    int confirmed = seq.indexOf("done:ProbeCluster");
    assertThat(confirmed).isLessThan(seq.indexOf("StopReceiving")).isLessThan(seq.indexOf("FenceWriter"));
    // The choice and the catch-up recorded before the promotion (scheduling it completes their workflow task),
    // the promotion before the routing: a successor never inspects again and finds the candidate promoted.
    int promote = seq.indexOf("task:Promote");
    assertThat(seq.subList(confirmed, promote)).contains("InspectClusterExcept", "CatchUp", "StopReceiving");
    assertThat(seq.subList(seq.indexOf("done:Promote"), seq.size()))
        .contains("RepointRoutes", "PublishTopology", "MoveReplica", "RestartHeartbeat");
  }

  @Test
  void aSwitchoverRecordsItsPreChecksAndItsMovesBeforeTheWriteOutageAndItsPromotionBeforeTheRouting()
      throws IOException {
    List<String> seq = sequence(history(SWITCHOVER));

    assertThat(seq).filteredOn(s -> s.startsWith("task:")).containsExactly("task:CheckWritable", "task:Promote");
    // The pre-checks and the moves recorded before read-only: a successor never runs the pre-checks again
    // against an old primary it finds read-only.
    int readOnly = seq.indexOf("SetReadOnly");
    assertThat(seq.indexOf("done:CheckWritable")).isGreaterThan(seq.indexOf("MoveReplica")).isLessThan(readOnly);
    // Read-only, the wait and the epoch check recorded before the promotion, the promotion before the routing
    // and the publication: a successor never finds its own publication and rolls back.
    int promoted = seq.indexOf("done:Promote");
    assertThat(seq.subList(readOnly, seq.indexOf("task:Promote"))).contains("WaitForGtid", "CheckWritable");
    assertThat(seq.subList(promoted, seq.size())).contains("RepointWriter", "PublishTopology");
    assertThat(seq.subList(0, promoted)).doesNotContain("RepointWriter", "PublishTopology");
  }

  /**
   * The history as the steps it ran, in order: each local activity by its type, each task-queue activity as
   * {@code task:<type>} when scheduled and {@code done:<type>} when completed.
   */
  static List<String> sequence(WorkflowExecutionHistory history) {
    List<String> out = new ArrayList<>();
    for (HistoryEvent e : history.getEvents()) {
      if (e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED
          && e.getMarkerRecordedEventAttributes().getMarkerName().equals("LocalActivity")) {
        out.add(TemporalJson.CONVERTER.fromPayload(e.getMarkerRecordedEventAttributes().getDetailsMap().get("type")
            .getPayloads(0), String.class, String.class));
      } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        out.add("task:" + e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        long scheduled = e.getActivityTaskCompletedEventAttributes().getScheduledEventId();
        out.add("done:" + history.getEvents().stream().filter(x -> x.getEventId() == scheduled).findFirst()
            .orElseThrow().getActivityTaskScheduledEventAttributes().getActivityType().getName());
      }
    }
    return out;
  }

  static WorkflowExecutionHistory history(String resource) throws IOException {
    try (InputStream in = LocalStepsReplayTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource + " on the test classpath").isNotNull();
      return WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
