package dev.handoff.planning;

import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import java.util.List;

/**
 * What one detection pass observed about a cluster, from the worker's side and each replica's.
 *
 * @param primary the published primary
 * @param primaryReachable whether the worker could connect to it
 * @param flavor the cluster's flavor, null when unknown (the errant check is then skipped)
 * @param primaryGtidExecuted the primary's executed set when reachable, null otherwise
 * @param replicas every replica's view
 */
public record DetectionInput(
    InstanceKey primary, boolean primaryReachable, Flavor flavor, String primaryGtidExecuted, List<ReplicaView> replicas) {

  public DetectionInput {
    replicas = replicas == null ? List.of() : List.copyOf(replicas);
  }
}
