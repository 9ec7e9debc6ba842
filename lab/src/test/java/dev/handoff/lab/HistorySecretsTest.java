package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Header;
import io.temporal.api.common.v1.Memo;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.ActivityTaskCompletedEventAttributes;
import io.temporal.api.history.v1.History;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The secrets scan finds a secret wherever a history carries it, payloads decoded first. */
class HistorySecretsTest {
  private static final String SECRET = "s3cr3t-planted-Password!";
  private static final List<String> SECRETS = List.of(SECRET);
  private static final List<String> REFS = List.of("{file: /lab/secrets/admin.password}");

  private static Payload json(String text) {
    return Payload.newBuilder().putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(text)).build();
  }

  private static History history(HistoryEvent... events) {
    return History.newBuilder().addAllEvents(List.of(events)).build();
  }

  @Test
  void aSecretInsideAPayloadIsFoundThoughTheJsonOnlyCarriesItBase64Encoded() throws Exception {
    History h = history(HistoryEvent.newBuilder().setEventId(1)
        .setEventType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
        .setWorkflowExecutionStartedEventAttributes(WorkflowExecutionStartedEventAttributes.newBuilder()
            .setInput(Payloads.newBuilder().addPayloads(json("{\"cluster\":\"c1\",\"password\":\"" + SECRET + "\"}")))
            .build())
        .build());
    assertThat(JsonFormat.printer().print(h)).as("the JSON alone hides it").doesNotContain(SECRET);

    assertThat(HistorySecrets.leaks("planted input", h, SECRETS, REFS))
        .containsExactly(new HistorySecrets.Leak("planted input", REFS.get(0)));
  }

  @Test
  void resultsMemosAndHeadersAreSearchedToo() {
    History inResult = history(HistoryEvent.newBuilder().setEventId(5)
        .setEventType(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
        .setActivityTaskCompletedEventAttributes(ActivityTaskCompletedEventAttributes.newBuilder()
            .setResult(Payloads.newBuilder().addPayloads(json("\"ok\"")).addPayloads(json("\"" + SECRET + "\""))))
        .build());
    History inMemo = history(HistoryEvent.newBuilder().setEventId(1)
        .setEventType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
        .setWorkflowExecutionStartedEventAttributes(WorkflowExecutionStartedEventAttributes.newBuilder()
            .setMemo(Memo.newBuilder().putFields("note", json("\"" + SECRET + "\"")))
            .setHeader(Header.newBuilder().putFields("h", json("\"clean\""))))
        .build());
    assertThat(HistorySecrets.leaks("result", inResult, SECRETS, REFS)).hasSize(1);
    assertThat(HistorySecrets.leaks("memo", inMemo, SECRETS, REFS)).hasSize(1);
    assertThat(HistorySecrets.payloads(inMemo)).hasSize(2);
  }

  @Test
  void aCleanHistoryHasNoLeak() {
    History h = history(HistoryEvent.newBuilder().setEventId(1)
        .setEventType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
        .setWorkflowExecutionStartedEventAttributes(WorkflowExecutionStartedEventAttributes.newBuilder()
            .setInput(Payloads.newBuilder().addPayloads(json("{\"cluster\":\"c1\"}"))))
        .build());
    assertThat(HistorySecrets.leaks("clean", h, SECRETS, REFS)).isEmpty();
  }
}
