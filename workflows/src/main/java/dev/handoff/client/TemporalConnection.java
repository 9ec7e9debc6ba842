package dev.handoff.client;

import dev.handoff.config.HandoffConfig;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;

/** A client of the configured Temporal server (target and namespace of {@code handoff.yml}), closed after use. */
public final class TemporalConnection implements AutoCloseable {
  private final WorkflowServiceStubs service;
  private final WorkflowClient client;

  public TemporalConnection(HandoffConfig config) {
    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
  }

  public WorkflowClient client() {
    return client;
  }

  @Override
  public void close() {
    service.shutdownNow();
  }
}
