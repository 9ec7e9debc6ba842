package dev.handoff.cli;

import dev.handoff.client.TemporalConnection;
import dev.handoff.config.HandoffConfig;
import io.temporal.client.WorkflowClient;

/** A command about one configured cluster that acts through a connection to Temporal. */
abstract class ClusterClientCommand extends ClusterCommand {
  /** What the command does, given the connection; returns the exit code. */
  abstract int act(WorkflowClient client);

  @Override
  public Integer call() {
    HandoffConfig cfg = load();
    try (TemporalConnection t = new TemporalConnection(cfg)) {
      return act(t.client());
    }
  }
}
