package dev.handoff.switchover;

import dev.handoff.runbook.DecisionTaken;
import dev.handoff.runbook.RunbookState;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.OperatorDecision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.cluster.ClusterActivities;
import dev.handoff.domain.TemporalJson;
import dev.handoff.mysql.MysqlActivities;
import dev.handoff.runbook.RunbookOptions;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replays a recorded switchover (see {@link RecordSwitchoverHistory}) against today's workflow code:
 * a change that would break a failover running during a worker upgrade fails here first.
 */
class SwitchoverReplayTest {
  static final String HISTORY = "histories/switchover.json";

  @Test
  void theRecordedSwitchoverReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(HISTORY, SwitchoverWorkflowImpl.class);
  }

  @Test
  void theRecordedHistoryIsACompletedSwitchoverOfC1() throws IOException {
    WorkflowExecutionHistory history = recorded();

    WorkflowExecutionStartedEventAttributes started =
        history.getEvents().get(0).getWorkflowExecutionStartedEventAttributes();
    assertThat(started.getWorkflowType().getName()).isEqualTo("SwitchoverWorkflow");
    SwitchoverRequest request = TemporalJson.CONVERTER.fromPayload(
        started.getInput().getPayloads(0), SwitchoverRequest.class, SwitchoverRequest.class);
    assertThat(request).isEqualTo(new SwitchoverRequest(SwitchoverFixture.CLUSTER, SwitchoverFixture.R1, false));
    assertThat(history.getLastEvent().getEventType()).isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    assertThat(history.getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()))
        .containsExactly("DescribeCluster", "ReadTopology", "InspectCluster", "PingHaproxy", "PingHaproxy",
            "MoveReplica", "CheckWritable", "SetReadOnly", "WaitForGtid", "CheckWritable", "Promote", "PublishTopology", "RepointWriter",
            "RepointWriter", "RestartHeartbeat", "RejoinAsReplica");
    assertThat(history.getEvents()).extracting(HistoryEvent::getEventType)
        .doesNotContain(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
  }

  @Test
  void aWorkflowThatSkipsAStepDoesNotReplay() {
    assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecutionFromResource(HISTORY, SkipsTheTopologyRead.class))
        // The replayer reports it in the message of a RuntimeException, not as a cause.
        .hasMessageContaining(NonDeterministicException.class.getName())
        .hasMessageContaining("InspectCluster")
        .hasMessageContaining("ReadTopology");
  }

  private static WorkflowExecutionHistory recorded() throws IOException {
    try (InputStream in = SwitchoverReplayTest.class.getClassLoader().getResourceAsStream(HISTORY)) {
      assertThat(in).as(HISTORY + " on the test classpath").isNotNull();
      return WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** A changed runbook that no longer reads the KV topology: incompatible with the recorded history. */
  public static class SkipsTheTopologyRead implements SwitchoverWorkflow {
    private final ClusterActivities cluster = Workflow.newActivityStub(ClusterActivities.class, RunbookOptions.PROBE);
    private final MysqlActivities mysql = Workflow.newActivityStub(MysqlActivities.class, RunbookOptions.PROBE);

    @Override
    public RunbookProgress switchover(SwitchoverRequest request) {
      cluster.describeCluster(new ClusterActivities.DescribeCluster(request.cluster()));
      mysql.inspectCluster(new MysqlActivities.InspectCluster(request.cluster()));
      return progress();
    }

    @Override
    public RunbookProgress progress() {
      return new RunbookProgress(null, RunbookState.RUNNING, null, null, null, List.of(), null,
          null, null);
    }

    @Override
    public DecisionTaken decision(OperatorDecision decision) {
      return null; // not part of the replayed history
    }

    @Override
    public void checkDecision(OperatorDecision decision) {
      // not part of the replayed history
    }
  }
}
