package dev.handoff.status;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.HaproxySettings;
import dev.handoff.config.InstanceSettings;
import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.haproxy.HaproxyRuntime;
import dev.handoff.kv.TopologyRecord;
import dev.handoff.kv.TopologyStore;
import dev.handoff.mysql.Flavors;
import dev.handoff.mysql.SnapshotReader;
import dev.handoff.mysql.SnapshotReader.Purpose;
import dev.handoff.support.Lookup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a cluster's state from its instances (their snapshots, through the one {@link SnapshotReader} and
 * {@link Lookup}), the KV store and every HAProxy, then checks the invariants.
 */
public final class ClusterStatusReader {
  private final HandoffConfig config;
  private final TopologyStore store;
  private final SnapshotReader reader;

  public ClusterStatusReader(HandoffConfig config, TopologyStore store) {
    this.config = config;
    this.store = store;
    this.reader = new SnapshotReader(new Lookup(config));
  }

  public ClusterStatus read(String clusterName) {
    ClusterSettings cluster = config.requireCluster(clusterName);
    List<CompletableFuture<InstanceSnapshot>> pending = cluster.instances().stream()
        .map(i -> CompletableFuture.supplyAsync(
            () -> reader.read(cluster, new InstanceKey(i.host(), i.port()), Purpose.INSPECT)))
        .toList();
    List<InstanceSnapshot> snapshots = pending.stream().map(CompletableFuture::join).toList();
    List<InstanceStatus> instances = snapshots.stream().map(InstanceStatus::of).toList();
    // Each instance's @@version as this read sees it (absent: it did not answer), in configuration order.
    Map<String, String> versions = new LinkedHashMap<>();
    for (InstanceSnapshot s : snapshots) {
      if (s.reachable()) {
        versions.put(s.key().toString(), s.version());
      }
    }
    String kvPrimary = null;
    Long epoch = null;
    List<String> kvReplicas = null;
    String kvError = null;
    try {
      Optional<TopologyRecord> rec = store.read(clusterName);
      if (rec.isPresent()) {
        kvPrimary = rec.get().primary();
        epoch = rec.get().epoch();
        kvReplicas = rec.get().replicas();
      } else {
        kvError = "no topology published for " + clusterName;
      }
    } catch (TopologyStore.KvException e) {
      kvError = e.getMessage();
    }
    List<RouteStatus> routes = new ArrayList<>();
    for (HaproxySettings h : config.haproxy()) {
      if (h.isRemote()) {
        routes.add(route(h, cluster));
      }
    }
    ClusterStatus partial = new ClusterStatus(clusterName, kvPrimary, epoch, kvReplicas, kvError, instances,
        routes, List.of());
    List<String> problems = new ArrayList<>(Invariants.check(partial, flavor(cluster, versions)));
    problems.addAll(flavorProblems(cluster, versions));
    return new ClusterStatus(clusterName, kvPrimary, epoch, kvReplicas, kvError, instances, routes,
        List.copyOf(problems));
  }

  /** The flavor the instances' @@version shows (the first that answered), else the configuration's. */
  static Flavor flavor(ClusterSettings cluster, Map<String, String> versions) {
    return versions.values().stream().findFirst().map(Flavors::fromVersion).orElse(cluster.configuredFlavor());
  }

  /** Each instance whose @@version disagrees with the configured flavor, said plainly. */
  static List<String> flavorProblems(ClusterSettings cluster, Map<String, String> versions) {
    List<String> out = new ArrayList<>();
    versions.forEach((key, version) -> {
      String problem = Flavors.mismatch(cluster, key, version);
      if (problem != null) {
        out.add(problem);
      }
    });
    return out;
  }

  private static RouteStatus route(HaproxySettings h, ClusterSettings cluster) {
    HaproxyRuntime rt = new HaproxyRuntime(h.name(), Path.of(h.adminSocket()), null);
    try {
      return new RouteStatus(h.name(), h.tier(), serving(rt, cluster, cluster.writerBackend()),
          serving(rt, cluster, cluster.readerBackend()), null);
    } catch (IOException e) {
      // the message names the HAProxy, its admin socket and the command
      return new RouteStatus(h.name(), h.tier(), List.of(), List.of(), "does not answer: " + e.getMessage());
    }
  }

  private static List<String> serving(HaproxyRuntime rt, ClusterSettings cluster, String backend) throws IOException {
    List<String> out = new ArrayList<>();
    for (HaproxyRuntime.ServerStat s : rt.servers(backend)) {
      if (s.serving()) {
        out.add(cluster.instances().stream().map(InstanceSettings::key)
            .filter(k -> HaproxyRuntime.serverName(k).equals(s.server())).findFirst().orElse(s.server()));
      }
    }
    return out;
  }
}
