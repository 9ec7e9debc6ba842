package dev.handoff.kv;

import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.Topology;
import dev.handoff.support.Failpoints;
import dev.handoff.support.Lookup;
import io.temporal.failure.ApplicationFailure;
import java.util.List;

/** Reads and publishes the topology through a {@link TopologyStore}. */
public final class TopologyActivitiesImpl implements TopologyActivities {
  private final Lookup lookup;
  private final TopologyStore store;

  public TopologyActivitiesImpl(Lookup lookup, TopologyStore store) {
    this.lookup = lookup;
    this.store = store;
  }

  @Override
  public Topology readTopology(String cluster) {
    lookup.cluster(cluster);
    TopologyRecord rec = read(cluster);
    Failpoints.during();
    return new Topology(cluster, InstanceKey.parse(rec.primary()),
        rec.replicas().stream().map(InstanceKey::parse).toList(), rec.epoch());
  }

  @Override
  public String publishTopology(String cluster, InstanceKey primary, List<InstanceKey> replicas, long expectedEpoch) {
    lookup.instance(cluster, primary);
    List<String> wanted = replicas.stream().map(InstanceKey::toString).sorted().toList();
    TopologyRecord now = read(cluster);
    if (now.epoch() == expectedEpoch + 1 && now.primary().equals(primary.toString())
        && now.replicas().stream().sorted().toList().equals(wanted)) {
      return "already published: " + primary + " at epoch " + now.epoch();
    }
    Failpoints.during();
    try {
      TopologyRecord done = store.publish(cluster, primary.toString(), wanted, expectedEpoch);
      return "published " + primary + " as primary at epoch " + done.epoch() + " with replicas " + wanted;
    } catch (TopologyStore.StaleEpochException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureType.STALE_EPOCH);
    } catch (TopologyStore.KvException e) {
      throw ApplicationFailure.newFailure(e.getMessage(), FailureType.KV_UNAVAILABLE);
    }
  }

  private TopologyRecord read(String cluster) {
    try {
      return store.read(cluster).orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
          "no topology of " + cluster + " in the KV store (" + TopologyStore.masterKey(cluster) + " is missing)",
          FailureType.TOPOLOGY_MISSING));
    } catch (TopologyStore.KvException e) {
      throw ApplicationFailure.newFailure(e.getMessage(), FailureType.KV_UNAVAILABLE);
    }
  }
}
