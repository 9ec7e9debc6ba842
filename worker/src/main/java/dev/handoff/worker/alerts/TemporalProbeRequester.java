package dev.handoff.worker.alerts;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HandoffConfig;
import dev.handoff.client.Watches;
import io.temporal.client.WorkflowClient;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** The production {@link ProbeRequester}: a signal-with-start of the cluster's watch workflow. */
public final class TemporalProbeRequester implements ProbeRequester {
  private final WorkflowClient client;
  private final HandoffConfig config;

  public TemporalProbeRequester(WorkflowClient client, HandoffConfig config) {
    this.client = Objects.requireNonNull(client, "client");
    this.config = Objects.requireNonNull(config, "config");
  }

  @Override
  public void probeNow(String cluster, String reason) {
    Watches.probeNow(client, config, cluster, reason);
  }

  /** The names of the configured clusters: the {@code knownClusters} of {@link AlertReceiver#start}. */
  public static Set<String> knownClusters(HandoffConfig config) {
    Set<String> names = new TreeSet<>();
    for (ClusterSettings c : config.clusters()) {
      if (c.name() != null) {
        names.add(c.name());
      }
    }
    return Set.copyOf(names);
  }
}
