package dev.handoff.lab;

import dev.handoff.config.HandoffConfig;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.History;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Invariant 7: no configured secret in any workflow history, nor in a log. Reads every execution the
 * lab's Temporal server holds and checks each history for every configured secret's value: its JSON (event
 * attributes, failure messages) and every payload in it decoded (inputs, results, signals, heartbeat details,
 * memos, search attributes), since the JSON carries payload bytes base64-encoded, where a plain search
 * would never find a secret.
 */
public final class HistorySecrets {
  private HistorySecrets() {}

  /** One finding: where a secret showed up (never the secret itself). */
  public record Leak(String where, String secretReference) {}

  /** Every leak in every history of the lab's namespace; also returns how many histories were read. */
  public static Scan scan(HandoffConfig config) {
    List<String> secrets = values(config);
    List<Leak> leaks = new ArrayList<>();
    int read = 0;
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    try {
      WorkflowClient client = WorkflowClient.newInstance(service,
          WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
      com.google.protobuf.ByteString page = com.google.protobuf.ByteString.EMPTY;
      do {
        ListWorkflowExecutionsResponse resp = service.blockingStub().listWorkflowExecutions(
            ListWorkflowExecutionsRequest.newBuilder().setNamespace(config.temporal().namespace())
                .setPageSize(100).setNextPageToken(page).build());
        for (WorkflowExecutionInfo info : resp.getExecutionsList()) {
          String id = info.getExecution().getWorkflowId();
          WorkflowExecutionHistory history = client.fetchHistory(id, info.getExecution().getRunId());
          read++;
          leaks.addAll(leaks("history of " + id + "/" + info.getExecution().getRunId(), history.getHistory(),
              secrets, refs(config)));
        }
        page = resp.getNextPageToken();
      } while (!page.isEmpty());
    } finally {
      service.shutdownNow();
    }
    return new Scan(read, leaks);
  }

  /** The leaks of configured secrets in a text file (a worker's log). */
  public static List<Leak> scanFile(HandoffConfig config, Path file) throws java.io.IOException {
    String text = Files.readString(file);
    List<String> secrets = values(config);
    List<Leak> leaks = new ArrayList<>();
    for (int i = 0; i < secrets.size(); i++) {
      if (text.contains(secrets.get(i))) {
        leaks.add(new Leak(file.toString(), config.secretRefs().get(i).toString()));
      }
    }
    return leaks;
  }

  /** The leaks of the configured secrets in one history, payloads decoded. */
  public static List<Leak> leaks(HandoffConfig config, String where, History history) {
    return leaks(where, history, values(config), refs(config));
  }

  /** The leaks of {@code secrets} (named by {@code refs}, same order) in one history, payloads decoded. */
  static List<Leak> leaks(String where, History history, List<String> secrets, List<String> refs) {
    String json;
    try {
      json = JsonFormat.printer().print(history);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      json = history.toString();
    }
    StringBuilder texts = new StringBuilder(json);
    for (Payload p : payloads(history)) {
      texts.append('\n').append(p.getData().toStringUtf8());
      p.getMetadataMap().values().forEach(v -> texts.append('\n').append(v.toStringUtf8()));
    }
    String all = texts.toString();
    List<Leak> out = new ArrayList<>();
    for (int i = 0; i < secrets.size(); i++) {
      if (all.contains(secrets.get(i))) {
        out.add(new Leak(where, refs.get(i)));
      }
    }
    return out;
  }

  /** Every Payload anywhere in {@code message}, found by walking its fields (maps and lists included). */
  static List<Payload> payloads(Message message) {
    List<Payload> out = new ArrayList<>();
    collect(message, out);
    return out;
  }

  private static void collect(Object value, List<Payload> out) {
    if (value instanceof Payload p) {
      out.add(p);
    } else if (value instanceof Message m) {
      for (Map.Entry<Descriptors.FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
        if (f.getKey().getJavaType() != Descriptors.FieldDescriptor.JavaType.MESSAGE) {
          continue;
        }
        if (f.getValue() instanceof List<?> list) {
          list.forEach(v -> collect(v, out));
        } else {
          collect(f.getValue(), out);
        }
      }
    }
  }

  private static List<String> refs(HandoffConfig config) {
    return config.secretRefs().stream().map(Object::toString).toList();
  }

  /** How many histories were read, and what leaked. */
  public record Scan(int histories, List<Leak> leaks) {}

  private static List<String> values(HandoffConfig config) {
    return config.secretRefs().stream().map(dev.handoff.support.Secrets::resolve).toList();
  }
}
