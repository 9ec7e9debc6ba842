package dev.handoff.worker.alerts;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HandoffConfig;
import dev.handoff.client.Watches;
import dev.handoff.detection.WorkerDetector;
import io.temporal.client.WorkflowClient;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The production {@link ProbeRequester}: this worker's detector probes the cluster at once, and a
 * signal-with-start of the cluster's watch records the alert and has the watch look for itself.
 */
public final class TemporalProbeRequester implements ProbeRequester {
  private final WorkflowClient client;
  private final HandoffConfig config;
  private final WorkerDetector detector;

  /** {@code detector}: this worker's, or null when it watches nothing. */
  public TemporalProbeRequester(WorkflowClient client, HandoffConfig config, WorkerDetector detector) {
    this.client = Objects.requireNonNull(client, "client");
    this.config = Objects.requireNonNull(config, "config");
    this.detector = detector;
  }

  @Override
  public void probeNow(String cluster, String reason) {
    if (detector != null) {
      detector.probeNow(cluster);
    }
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
