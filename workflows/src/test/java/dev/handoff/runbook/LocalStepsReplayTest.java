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
  void aRecoveryRecordsItsConfirmationAndItsChoiceBeforeItStopsTheReplicasAndPromotes() throws IOException {
    List<String> seq = sequence(history(RECOVERY));

    // Only the stops of the replicas' IO threads go through the task queue: the recovery's durable point.
    assertThat(seq).filteredOn(s -> s.startsWith("task:")).containsOnly("task:StopReceiving").hasSize(2);
    int stops = seq.indexOf("task:StopReceiving");
    // Scheduling them records the confirmation, the fence, the choice and the catch-up: a successor never
    // confirms again after the stops (stopped replicas do not vouch for the death) nor chooses again after
    // the promotion (the promoted candidate is no replica).
    assertThat(seq.subList(0, stops)).contains("ProbeCluster", "FenceWriter", "InspectClusterExcept", "CatchUp")
        .doesNotContain("Promote");
    int stopped = seq.lastIndexOf("done:StopReceiving");
    assertThat(seq.indexOf("Promote")).isGreaterThan(stopped);
    assertThat(seq.subList(stopped, seq.size())).contains("RepointRoutes", "PublishTopology", "MoveReplica",
        "RestartHeartbeat");
  }

  @Test
  void aSwitchoverRecordsItsPreChecksAndItsMovesBeforeTheWriteOutageBegins() throws IOException {
    List<String> seq = sequence(history(SWITCHOVER));

    // Only the KV check before read-only goes through the task queue: nothing inside the write outage does.
    assertThat(seq).filteredOn(s -> s.startsWith("task:")).containsExactly("task:CheckWritable");
    // The pre-checks and the moves recorded before read-only: a successor never runs the pre-checks again
    // against an old primary it finds read-only.
    assertThat(seq.indexOf("done:CheckWritable")).isGreaterThan(seq.indexOf("MoveReplica"))
        .isLessThan(seq.indexOf("SetReadOnly"));
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
