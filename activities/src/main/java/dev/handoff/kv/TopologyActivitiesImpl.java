package dev.handoff.kv;

import dev.handoff.kv.TopologyActivities.CheckWritable;
import dev.handoff.kv.TopologyActivities.PublishTopology;
import dev.handoff.kv.TopologyActivities.ReadTopology;
import dev.handoff.domain.StepDone;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.Topology;
import dev.handoff.support.Failpoints;
import dev.handoff.support.Heartbeats;
import dev.handoff.support.Lookup;
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
  public Topology readTopology(ReadTopology r) {
    return readTopology(r.cluster());
  }

  private Topology readTopology(String cluster) {
    lookup.cluster(cluster);
    TopologyRecord rec = read(cluster);
    Failpoints.during();
    return new Topology(cluster, InstanceKey.parse(rec.primary()),
        rec.replicas().stream().map(InstanceKey::parse).toList(), rec.epoch());
  }

  @Override
  public StepDone publishTopology(PublishTopology r) {
    return new StepDone(publishTopology(r.cluster(), r.primary(), r.replicas(), r.expectedEpoch()));
  }

  private String publishTopology(String cluster, InstanceKey primary, List<InstanceKey> replicas, long expectedEpoch) {
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
      throw FailureType.STALE_EPOCH.nonRetryable(e.getMessage());
    } catch (TopologyStore.KvException e) {
      throw FailureType.KV_UNAVAILABLE.failure(e.getMessage());
    }
  }

  @Override
  public StepDone checkWritable(CheckWritable r) {
    return new StepDone(checkWritable(r.cluster(), r.expectedEpoch(), r.waitSeconds()));
  }

  private String checkWritable(String cluster, long expectedEpoch, int waitSeconds) {
    lookup.cluster(cluster);
    long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
    int attempts = 0;
    while (true) {
      attempts++;
      try {
        Failpoints.during();
        String did = store.checkWritable(cluster, expectedEpoch);
        return attempts == 1 ? did : did + " after " + attempts + " attempts";
      } catch (TopologyStore.StaleEpochException e) {
        throw FailureType.STALE_EPOCH.nonRetryable(e.getMessage());
      } catch (TopologyStore.KvException e) {
        if (System.nanoTime() >= deadline) {
          if (waitSeconds == 0) {
            throw FailureType.KV_UNAVAILABLE.failure(e.getMessage());
          }
          // The whole wait is spent: another attempt would only wait as long again.
          throw FailureType.KV_UNAVAILABLE.nonRetryable(e.getMessage() + " (tried " + attempts + " times in "
              + waitSeconds + " s)");
        }
        Heartbeats.beat("waiting for the KV store: " + e.getMessage());
        Heartbeats.sleep(500);
      }
    }
  }

  private TopologyRecord read(String cluster) {
    try {
      return store.read(cluster).orElseThrow(() -> FailureType.TOPOLOGY_MISSING.nonRetryable("no topology of " + cluster + " in the KV store (" + TopologyStore.masterKey(cluster) + " is missing)"));
    } catch (TopologyStore.KvException e) {
      throw FailureType.KV_UNAVAILABLE.failure(e.getMessage());
    }
  }
}
