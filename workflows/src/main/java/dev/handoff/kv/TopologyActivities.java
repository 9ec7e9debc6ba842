package dev.handoff.kv;

import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.StepDone;
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
  Topology readTopology(ReadTopology request);

  record ReadTopology(String cluster) {
  }

  /**
   * Proves the KV store takes a write before a runbook's point of no return, so that the promotion it is
   * about to make can be published (HAProxy follows the KV store through consul-template: a primary it
   * cannot publish is one nobody reaches). Writes a harmless check key in a transaction guarded by the
   * epoch, so it proves that nobody moved the epoch too (postcondition: none a client sees; a retry is safe).
   * With {@code waitSeconds} > 0 it keeps trying that long, heartbeating what it waits for, and then fails
   * non-retryable. Fails with {@code KvUnavailable} naming the store and its endpoint, or the non-retryable
   * {@code StaleEpoch}.
   */
  StepDone checkWritable(CheckWritable request);

  record CheckWritable(String cluster, long expectedEpoch, int waitSeconds) {
  }

  /**
   * Postcondition: the store names {@code primary} and {@code replicas} at epoch {@code expectedEpoch + 1},
   * written in one transaction that compared the epoch first. A retry after a success finds it done; a
   * newer epoch fails with the non-retryable type {@code StaleEpoch}.
   */
  StepDone publishTopology(PublishTopology request);

  record PublishTopology(String cluster, InstanceKey primary, List<InstanceKey> replicas, long expectedEpoch) {
  }
}
