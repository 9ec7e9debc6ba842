package dev.handoff.status;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.HaproxySettings;
import dev.handoff.config.InstanceSettings;
import dev.handoff.domain.Flavor;
import dev.handoff.haproxy.HaproxyRuntime;
import dev.handoff.kv.TopologyRecord;
import dev.handoff.kv.TopologyStore;
import dev.handoff.mysql.Db;
import dev.handoff.mysql.Flavors;
import dev.handoff.mysql.HeartbeatTable;
import dev.handoff.mysql.InstanceInspector;
import dev.handoff.mysql.InstanceReport;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Reads a cluster's state from its instances, the KV store and every HAProxy, then checks the invariants. */
public final class ClusterStatusReader {
  private static final int CONNECT_TIMEOUT_MILLIS = 2000;
  /** A frozen instance accepts TCP but never answers: report it unreachable instead of hanging. */
  private static final int READ_TIMEOUT_MILLIS = 3000;
  private final HandoffConfig config;
  private final TopologyStore store;
  /** Each instance's @@version as the current read sees it (absent: it did not answer). */
  private final Map<String, String> versions = new ConcurrentHashMap<>();

  public ClusterStatusReader(HandoffConfig config, TopologyStore store) {
    this.config = config;
    this.store = store;
  }

  public ClusterStatus read(String clusterName) {
    ClusterSettings cluster = config.requireCluster(clusterName);
    cluster.instances().forEach(i -> versions.remove(i.key())); // only what answers this time counts
    List<CompletableFuture<InstanceStatus>> pending = cluster.instances().stream()
        .map(i -> CompletableFuture.supplyAsync(() -> instance(cluster, i))).toList();
    List<InstanceStatus> instances = pending.stream().map(CompletableFuture::join).toList();
    Map<String, String> versions = new LinkedHashMap<>();
    for (InstanceSettings i : cluster.instances()) {
      String v = this.versions.get(i.key());
      if (v != null) {
        versions.put(i.key(), v);
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
    List<String> problems = new ArrayList<>(Invariants.check(partial, flavorName(cluster, versions)));
    problems.addAll(flavorProblems(cluster, versions));
    return new ClusterStatus(clusterName, kvPrimary, epoch, kvReplicas, kvError, instances, routes,
        List.copyOf(problems));
  }

  /** The flavor the instances' @@version shows (the first that answered), else the configuration's. */
  static String flavorName(ClusterSettings cluster, Map<String, String> versions) {
    Flavor f = versions.values().stream().findFirst().map(Flavors::fromVersion).orElse(Flavors.configured(cluster));
    return f.name().toLowerCase(Locale.ROOT);
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

  private InstanceStatus instance(ClusterSettings cluster, InstanceSettings in) {
    try (Connection c = Db.connect(in.host(), in.port(), config.credentials().admin(), CONNECT_TIMEOUT_MILLIS,
        READ_TIMEOUT_MILLIS, null)) {
      InstanceReport r = InstanceInspector.inspect(c);
      versions.put(in.key(), r.version());
      Double age = HeartbeatTable.age(c, cluster.heartbeat());
      String role = r.isReplica() ? InstanceStatus.REPLICA
          : r.readOnly() ? InstanceStatus.READ_ONLY_STANDALONE : InstanceStatus.PRIMARY;
      return new InstanceStatus(in.key(), true, role, r.readOnly(), r.sourceKey(),
          r.isReplica() ? r.ioRunning() : null, r.isReplica() ? r.sqlRunning() : null,
          r.isReplica() ? r.usingGtid() : null, r.gtidExecuted(), r.isReplica() ? r.gtidReceived() : null, age,
          r.isReplica() && !(r.lastIoError() + r.lastSqlError()).isBlank()
              ? (r.lastIoError() + " " + r.lastSqlError()).strip() : null);
    } catch (SQLException e) {
      return new InstanceStatus(in.key(), false, InstanceStatus.UNREACHABLE, null, null, null, null, null, null,
          null, null, e.getMessage());
    }
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
