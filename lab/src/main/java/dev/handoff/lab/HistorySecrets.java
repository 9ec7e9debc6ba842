package dev.handoff.lab;

import dev.handoff.config.HandoffConfig;
import dev.handoff.config.SecretRef;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Invariant 7: no configured secret in any workflow history, nor in a log. Reads every execution the
 * lab's Temporal server holds and checks each history, as JSON, for every configured secret's value.
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
          String json = client.fetchHistory(id, info.getExecution().getRunId()).toJson(false);
          read++;
          for (int i = 0; i < secrets.size(); i++) {
            if (json.contains(secrets.get(i))) {
              leaks.add(new Leak("history of " + id + "/" + info.getExecution().getRunId(),
                  config.secretRefs().get(i).toString()));
            }
          }
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

  /** How many histories were read, and what leaked. */
  public record Scan(int histories, List<Leak> leaks) {}

  private static List<String> values(HandoffConfig config) {
    return config.secretRefs().stream().map(SecretRef::resolve).toList();
  }
}
