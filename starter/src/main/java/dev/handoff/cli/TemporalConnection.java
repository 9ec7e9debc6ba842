package dev.handoff.cli;

import dev.handoff.config.HandoffConfig;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;

/** A client of the configured Temporal server, closed with the command. */
final class TemporalConnection implements AutoCloseable {
  final WorkflowServiceStubs service;
  final WorkflowClient client;

  TemporalConnection(HandoffConfig config) {
    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
  }

  @Override
  public void close() {
    service.shutdownNow();
  }
}
