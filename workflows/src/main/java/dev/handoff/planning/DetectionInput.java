package dev.handoff.planning;

import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import java.util.List;

/**
 * What one detection pass observed about a cluster, from the worker's side and each other instance's.
 *
 * @param epoch the topology epoch the pass read (one KV snapshot)
 * @param primary the published primary
 * @param primaryReachable whether the worker could read it
 * @param primaryError why not ("" when reachable)
 * @param primaryReadOnly its read_only flag (meaningful only when reachable)
 * @param semiSyncDegraded semi-sync is enabled on the primary but it replicates asynchronously now
 * @param flavor the cluster's flavor, null when unknown (the errant check is then skipped)
 * @param primaryGtidExecuted the primary's executed set when reachable, null otherwise
 * @param replicas every other configured instance's view
 */
public record DetectionInput(
    long epoch,
    InstanceKey primary,
    boolean primaryReachable,
    String primaryError,
    boolean primaryReadOnly,
    boolean semiSyncDegraded,
    Flavor flavor,
    String primaryGtidExecuted,
    List<ReplicaView> replicas) {

  public DetectionInput {
    replicas = replicas == null ? List.of() : List.copyOf(replicas);
    primaryError = primaryError == null ? "" : primaryError;
  }

  /** A pass that reached the primary. */
  public static DetectionInput primaryUp(long epoch, InstanceKey primary, boolean readOnly, boolean semiSyncDegraded,
      Flavor flavor, String gtidExecuted, List<ReplicaView> replicas) {
    return new DetectionInput(epoch, primary, true, "", readOnly, semiSyncDegraded, flavor, gtidExecuted, replicas);
  }

  /** A pass that could not reach the primary. */
  public static DetectionInput primaryDown(long epoch, InstanceKey primary, String error, Flavor flavor,
      List<ReplicaView> replicas) {
    return new DetectionInput(epoch, primary, false, error, false, false, flavor, null, replicas);
  }
}
