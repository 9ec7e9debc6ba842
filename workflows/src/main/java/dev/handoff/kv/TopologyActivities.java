package dev.handoff.kv;

import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.Topology;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/** The topology in the KV store. */
@ActivityInterface
public interface TopologyActivities {

  /**
   * Reads the published topology (postcondition: none, it changes nothing); fails with
   * {@code TopologyMissing} when the cluster was never published.
   */
  Topology readTopology(String cluster);

  /**
   * Postcondition: the store names {@code primary} and {@code replicas} at epoch {@code expectedEpoch + 1},
   * written in one transaction that compared the epoch first. A retry after a success finds it done; a
   * newer epoch fails with the non-retryable type {@code StaleEpoch}.
   */
  String publishTopology(String cluster, InstanceKey primary, List<InstanceKey> replicas, long expectedEpoch);
}
