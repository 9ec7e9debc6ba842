package dev.handoff.recovery;

import dev.handoff.runbook.DecisionTaken;
import dev.handoff.runbook.RunbookState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import dev.handoff.cluster.ClusterActivities;
import dev.handoff.detection.DetectionActivities;
import dev.handoff.domain.TemporalJson;
import dev.handoff.kv.TopologyActivities;
import dev.handoff.mysql.MysqlActivities;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.OperatorDecision;
import dev.handoff.runbook.RunbookOptions;
import io.temporal.api.common.v1.Payload;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Replays a recorded recovery (see {@link RecordRecoveryHistory}) against today's workflow code:
 * a change that would break a recovery running during a worker upgrade fails here first.
 */
class RecoveryReplayTest {
  static final String HISTORY = "histories/recovery.json";
  /** What the recorded recovery was started with: as the cluster's watch starts one. */
  static final RecoveryRequest REQUEST =
      new RecoveryRequest(RecoveryFixture.CLUSTER, false, RecoveryFixture.DEAD_DETAIL);

  @Test
  void theRecordedRecoveryReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(HISTORY, RecoveryWorkflowImpl.class);
  }

  @Test
  void theRecoveryStopsReceivingBeforeThePromotionAndMovesBesideTheRouting() throws IOException {
    List<String> scheduled = recorded().getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()).toList();
    assertThat(scheduled.subList(0, 3)).containsExactly("ProbeCluster", "DescribeCluster", "ReadTopology");
    assertThat(scheduled.indexOf("StopReceiving")).isLessThan(scheduled.indexOf("FenceWriter"));
    assertThat(scheduled.lastIndexOf("StopReceiving")).isLessThan(scheduled.indexOf("Promote"));
    assertThat(scheduled.indexOf("MoveReplica")).isGreaterThan(scheduled.indexOf("Promote"))
        .isLessThan(scheduled.indexOf("PublishTopology"));
  }

  @Test
  void theRecordedHistoryIsACompletedRecoveryOfC1() throws IOException {
    WorkflowExecutionHistory history = recorded();

    WorkflowExecutionStartedEventAttributes started =
        history.getEvents().get(0).getWorkflowExecutionStartedEventAttributes();
    assertThat(started.getWorkflowType().getName()).isEqualTo("RecoveryWorkflow");
    RecoveryRequest request = TemporalJson.CONVERTER.fromPayload(
        started.getInput().getPayloads(0), RecoveryRequest.class, RecoveryRequest.class);
    assertThat(request).isEqualTo(REQUEST);
    assertThat(history.getLastEvent().getEventType()).isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    RunbookProgress result = TemporalJson.CONVERTER.fromPayload(
        history.getLastEvent().getWorkflowExecutionCompletedEventAttributes().getResult().getPayloads(0),
        RunbookProgress.class, RunbookProgress.class);
    assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
    assertThat(result.oldPrimary()).isEqualTo(RecoveryFixture.PRIMARY.toString());
    assertThat(result.newPrimary()).isEqualTo(RecoveryFixture.R2.toString());
    // Confirm (the probe beside the reads), stop receiving, inspect and check the KV store beside the fence (both
    // HAProxies, in parallel), catch up, promote; then the move beside the routing (both HAProxies and the KV
    // store side by side) and tidy after (restart pt-heartbeat, settle the old primary).
    assertThat(history.getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()))
        .containsExactly("ProbeCluster", "DescribeCluster", "ReadTopology", "StopReceiving", "StopReceiving",
            "InspectClusterExcept", "CheckWritable", "FenceWriter", "FenceWriter", "CatchUp", "Promote", "MoveReplica",
            "RepointRoutes", "RepointRoutes", "PublishTopology", "RestartHeartbeat", "SetReadOnly");
    assertThat(history.getEvents()).extracting(HistoryEvent::getEventType)
        .doesNotContain(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  }

  @Test
  void theRecordedHistoryHoldsNoCredential() throws IOException {
    // Payloads (inputs, results, failures) are base64 in the file: look at the decoded text too.
    StringBuilder text = new StringBuilder(recordedJson());
    for (HistoryEvent e : recorded().getEvents()) {
      payloads(e, text);
    }

    assertThat(text.toString().toLowerCase())
        .contains("0-1-105") // the decoded payloads are there
        .doesNotContain("password", "passwd", "pwd=", "token", "secret");
  }

  /** Appends the data of every payload inside {@code message}, decoded. */
  private static void payloads(Message message, StringBuilder out) {
    if (message instanceof Payload p) {
      out.append('\n').append(p.getData().toStringUtf8());
      return;
    }
    for (Map.Entry<Descriptors.FieldDescriptor, Object> f : message.getAllFields().entrySet()) {
      if (f.getKey().getJavaType() != Descriptors.FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.getValue() instanceof List<?> values) {
        values.forEach(v -> payloads((Message) v, out));
      } else {
        payloads((Message) f.getValue(), out);
      }
    }
  }

  @Test
  void aWorkflowThatSkipsTheFenceDoesNotReplay() {
    assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecutionFromResource(HISTORY, SkipsTheFence.class))
        // The replayer reports it in the message of a RuntimeException, not as a cause.
        .hasMessageContaining(NonDeterministicException.class.getName())
        .hasMessageContaining("Promote")
        .hasMessageContaining("StopReceiving");
  }

  private static String recordedJson() throws IOException {
    try (InputStream in = RecoveryReplayTest.class.getClassLoader().getResourceAsStream(HISTORY)) {
      assertThat(in).as(HISTORY + " on the test classpath").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static WorkflowExecutionHistory recorded() throws IOException {
    return WorkflowExecutionHistory.fromJson(recordedJson());
  }

  /** A changed runbook that promotes without stopping the replicas and fencing the dead primary: incompatible. */
  public static class SkipsTheFence implements RecoveryWorkflow {
    private final ClusterActivities cluster = Workflow.newActivityStub(ClusterActivities.class, RunbookOptions.PROBE);
    private final TopologyActivities kv = Workflow.newActivityStub(TopologyActivities.class, RunbookOptions.PROBE);
    private final DetectionActivities detection =
        Workflow.newActivityStub(DetectionActivities.class, RunbookOptions.PROBE);
    private final MysqlActivities mysql = Workflow.newActivityStub(MysqlActivities.class, RunbookOptions.PROBE);

    @Override
    public RunbookProgress recover(RecoveryRequest request) {
      io.temporal.workflow.Async.function(detection::probeCluster,
          new DetectionActivities.ProbeCluster(request.cluster()));
      cluster.describeCluster(new ClusterActivities.DescribeCluster(request.cluster()));
      kv.readTopology(new TopologyActivities.ReadTopology(request.cluster()));
      mysql.promote(new MysqlActivities.Promote(request.cluster(), RecoveryFixture.R2));
      return progress();
    }

    @Override
    public RunbookProgress progress() {
      return new RunbookProgress(null, RunbookState.RUNNING, null, null, null, List.of(), null, null, null);
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
