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
    lookup.cluster(r.cluster());
    TopologyRecord rec = read(r.cluster());
    Failpoints.during();
    return new Topology(r.cluster(), InstanceKey.parse(rec.primary()),
        rec.replicas().stream().map(InstanceKey::parse).toList(), rec.epoch());
  }

  @Override
  public StepDone publishTopology(PublishTopology request) {
    lookup.instance(request.cluster(), request.primary());
    List<String> wanted = request.replicas().stream().map(InstanceKey::toString).sorted().toList();
    TopologyRecord now = read(request.cluster());
    if (now.epoch() == request.expectedEpoch() + 1 && now.primary().equals(request.primary().toString())
        && now.replicas().stream().sorted().toList().equals(wanted)) {
      return new StepDone("already published: " + request.primary() + " at epoch " + now.epoch());
    }
    Failpoints.during();
    try {
      TopologyRecord done = store.publish(request.cluster(), request.primary().toString(), wanted, request.expectedEpoch());
      return new StepDone("published " + request.primary() + " as primary at epoch " + done.epoch() + " with replicas "
          + wanted);
    } catch (TopologyStore.StaleEpochException e) {
      throw FailureType.STALE_EPOCH.nonRetryable(e.getMessage());
    } catch (TopologyStore.KvException e) {
      throw FailureType.KV_UNAVAILABLE.failure(e.getMessage());
    }
  }

  @Override
  public StepDone checkWritable(CheckWritable request) {
    lookup.cluster(request.cluster());
    long deadline = System.nanoTime() + request.waitSeconds() * 1_000_000_000L;
    int attempts = 0;
    while (true) {
      attempts++;
      try {
        Failpoints.during();
        String did = store.checkWritable(request.cluster(), request.expectedEpoch());
        return new StepDone(attempts == 1 ? did : did + " after " + attempts + " attempts");
      } catch (TopologyStore.StaleEpochException e) {
        throw FailureType.STALE_EPOCH.nonRetryable(e.getMessage());
      } catch (TopologyStore.KvException e) {
        if (System.nanoTime() >= deadline) {
          if (request.waitSeconds() == 0) {
            throw FailureType.KV_UNAVAILABLE.failure(e.getMessage());
          }
          // The whole wait is spent: another attempt would only wait as long again.
          throw FailureType.KV_UNAVAILABLE.nonRetryable(e.getMessage() + " (tried " + attempts + " times in "
              + request.waitSeconds() + " s)");
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
