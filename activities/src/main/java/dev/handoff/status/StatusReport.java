package dev.handoff.status;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HandoffConfig;
import dev.handoff.kv.TopologyStore;
import dev.handoff.kv.TopologyStores;
import java.util.List;

/** Every configured cluster's status, plus where the Temporal server and the KV store are. */
public record StatusReport(String temporal, String namespace, String webUi, String kv, List<ClusterStatus> clusters) {

  public static StatusReport read(HandoffConfig config) {
    try (TopologyStore store = TopologyStores.open(config.kv())) {
      ClusterStatusReader reader = new ClusterStatusReader(config, store);
      List<ClusterStatus> clusters = config.clusters().stream().map(ClusterSettings::name).map(reader::read).toList();
      return new StatusReport(config.temporal().target(), config.temporal().namespace(), config.temporal().webUi(),
          config.kv().type() + " " + String.join(",", config.kv().endpoints()), clusters);
    }
  }
}
