package dev.handoff.detection;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.InstanceSettings;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import dev.handoff.kv.TopologyRecord;
import dev.handoff.kv.TopologyStore;
import dev.handoff.mysql.FlavorSql;
import dev.handoff.mysql.HeartbeatTable;
import dev.handoff.mysql.InstanceInspector;
import dev.handoff.mysql.InstanceReport;
import dev.handoff.planning.DetectionAnalyzer;
import dev.handoff.planning.DetectionInput;
import dev.handoff.planning.DetectionLimits;
import dev.handoff.planning.DetectionResult;
import dev.handoff.planning.ReplicaView;
import dev.handoff.support.Failpoints;
import dev.handoff.support.Heartbeats;
import dev.handoff.support.Lookup;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes a cluster the way DESIGN.md asks: the worker's own connection to the primary, and every
 * replica's view of it (IO thread connected, age of the newest pt-heartbeat row). Replicas are read
 * before the primary, so a replica can never look ahead of the primary's snapshot.
 */
public final class DetectionActivitiesImpl implements DetectionActivities {
  private static final Logger log = LoggerFactory.getLogger(DetectionActivitiesImpl.class);
  /** A probe must not hang on a frozen server: it accepts TCP but never answers. */
  static final int PROBE_CONNECT_MILLIS = 800;
  static final int PROBE_SOCKET_MILLIS = 1500;
  /** When a dead primary is first seen, confirm it this soon rather than a whole interval later. */
  static final long CONFIRM_AFTER_MILLIS = 200;

  private final Lookup lookup;
  private final TopologyStore store;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "detector-probe");
    t.setDaemon(true);
    return t;
  });

  public DetectionActivitiesImpl(Lookup lookup, TopologyStore store) {
    this.lookup = lookup;
    this.store = store;
  }

  @Override
  public DetectionResult probeCluster(String cluster) {
    DetectionResult r = probe(lookup.cluster(cluster), WatchSettings.defaults());
    Failpoints.during();
    return r;
  }

  @Override
  public DetectionResult watchCluster(String cluster, WatchSettings settings, String lastReported,
      List<InstanceKey> fenced) {
    ClusterSettings c = lookup.cluster(cluster);
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    long until = System.nanoTime() + settings.maxRunMillis() * 1_000_000;
    int confirmed = 0;
    DetectionResult r = null;
    while (System.nanoTime() < until) {
      fenceReturned(c, fenced);
      r = probe(c, settings);
      try {
        ctx.heartbeat(r.code().wireName());
      } catch (ActivityCompletionException cancelled) {
        throw cancelled;
      }
      if (r.code() == AnalysisCode.DEAD_PRIMARY) {
        confirmed++;
        if (confirmed >= settings.confirmations()) {
          return r;
        }
        sleep(CONFIRM_AFTER_MILLIS);
        continue;
      }
      confirmed = 0;
      if (!r.code().wireName().equals(lastReported)) {
        return r;
      }
      sleep(settings.probeIntervalMillis());
    }
    return r;
  }

  /** One holistic probe: replicas' views first (in parallel), then the worker's own probe of the primary. */
  private DetectionResult probe(ClusterSettings c, WatchSettings settings) {
    InstanceKey primary = primaryOf(c);
    List<CompletableFuture<ReplicaView>> views = new ArrayList<>();
    for (InstanceSettings i : c.instances()) {
      InstanceKey key = new InstanceKey(i.host(), i.port());
      if (!key.equals(primary)) {
        views.add(CompletableFuture.supplyAsync(() -> view(c, key), pool));
      }
    }
    List<ReplicaView> replicas = Heartbeats.joinAll(views);
    String primaryGtid = null;
    boolean reachable;
    try (Connection conn = lookup.connect(primary, PROBE_CONNECT_MILLIS, PROBE_SOCKET_MILLIS)) {
      InstanceReport r = InstanceInspector.inspect(conn);
      primaryGtid = r.gtidExecuted();
      reachable = true;
    } catch (SQLException e) {
      reachable = false;
    }
    Flavor flavor = "mysql".equals(c.flavor()) ? Flavor.MYSQL : Flavor.MARIADB;
    return DetectionAnalyzer.analyze(new DetectionInput(primary, reachable, flavor, primaryGtid, replicas),
        new DetectionLimits(settings.maxSecondsSinceLastEvent(), c.limits().maxLagSeconds()));
  }

  private ReplicaView view(ClusterSettings c, InstanceKey key) {
    try (Connection conn = lookup.connect(key, PROBE_CONNECT_MILLIS, PROBE_SOCKET_MILLIS)) {
      InstanceReport r = InstanceInspector.inspect(conn);
      Double age = HeartbeatTable.age(conn, c.heartbeat());
      String ioState = r.isReplica() ? ioState(conn, FlavorSql.fromVersion(r.version())) : "No";
      boolean ioRunning = r.isReplica() && !"No".equalsIgnoreCase(ioState);
      boolean ioConnected = r.isReplica() && "Yes".equalsIgnoreCase(ioState);
      return new ReplicaView(key, true, ioRunning, ioConnected, r.isReplica() && r.sqlRunning(), age,
          r.lastIoError(), ioConnected ? age : null, r.gtidExecuted());
    } catch (SQLException e) {
      return new ReplicaView(key, false, false, false, false, null, e.getMessage(), null, "");
    }
  }

  /** The raw IO thread state: Yes (connected), Connecting, or No. */
  private static String ioState(Connection conn, FlavorSql sql) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql.showReplicaStatus)) {
      return rs.next() ? rs.getString(sql.colIoRunning) : "No";
    }
  }

  /**
   * A failed-out instance that answers writable is set read-only at once: those the watch fenced, and any
   * configured instance the KV topology no longer lists (a primary failed over by an operator's command).
   * An instance the KV lists is never touched here: mid-switchover, the new primary is writable before
   * the KV names it.
   */
  private void fenceReturned(ClusterSettings c, List<InstanceKey> fenced) {
    TopologyRecord rec = topology(c);
    java.util.Set<InstanceKey> targets = new java.util.LinkedHashSet<>(fenced == null ? List.of() : fenced);
    for (InstanceSettings i : c.instances()) {
      if (!i.key().equals(rec.primary()) && !rec.replicas().contains(i.key())) {
        targets.add(new InstanceKey(i.host(), i.port()));
      }
    }
    targets.removeIf(k -> k.toString().equals(rec.primary()) || rec.replicas().contains(k.toString()));
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (InstanceKey k : targets) {
      all.add(CompletableFuture.runAsync(() -> {
        try (Connection conn = lookup.connect(k, PROBE_CONNECT_MILLIS, PROBE_SOCKET_MILLIS)) {
          InstanceReport r = InstanceInspector.inspect(conn);
          if (!r.readOnly()) {
            FlavorSql sql = FlavorSql.fromVersion(r.version());
            try (Statement st = conn.createStatement()) {
              for (String stmt : sql.setReadOnly(true)) {
                st.execute(stmt);
              }
              st.execute(sql.enableSemiSyncPrimary(false));
            }
            log.warn("cluster={} failed-out instance {} answered writable and was set read-only", c.name(), k);
          }
        } catch (SQLException stillDown) {
          // not back yet
        }
      }, pool));
    }
    Heartbeats.joinAll(all);
  }

  private InstanceKey primaryOf(ClusterSettings c) {
    return InstanceKey.parse(topology(c).primary());
  }

  private TopologyRecord topology(ClusterSettings c) {
    try {
      return store.read(c.name()).orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
          "no topology of " + c.name() + " in the KV store", "TopologyMissing"));
    } catch (TopologyStore.KvException e) {
      throw ApplicationFailure.newFailure(e.getMessage(), "KvUnavailable");
    }
  }

  private static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted", "Interrupted");
    }
  }
}
