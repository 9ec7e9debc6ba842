package dev.handoff.detection;

import dev.handoff.detection.DetectionActivities.ActionResult;
import dev.handoff.detection.DetectionActivities.ProbeCluster;
import dev.handoff.detection.DetectionActivities.Repair;
import dev.handoff.detection.DetectionActivities.RestoreWriter;
import dev.handoff.detection.DetectionActivities.WatchCluster;
import dev.handoff.domain.FailureType;
import dev.handoff.config.ClusterSettings;
import dev.handoff.config.InstanceSettings;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.InstanceKey;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.haproxy.HaproxyActivitiesImpl;
import dev.handoff.kv.TopologyRecord;
import dev.handoff.kv.TopologyStore;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.mysql.FlavorSql;
import dev.handoff.mysql.SnapshotReader;
import dev.handoff.mysql.SnapshotReader.Purpose;
import dev.handoff.planning.DetectionResult;
import dev.handoff.planning.ProbePacing;
import dev.handoff.support.Failpoints;
import dev.handoff.support.Heartbeats;
import dev.handoff.support.Lookup;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watch's activities: the probe it runs itself (an alert, an acknowledgement, a repair to retry), the
 * detector loop of the first design ({@code worker.detection: activity}, and watches started before
 * detection moved into the workers' {@link WorkerDetector}), and the writer repairs. Probes are {@link ClusterProber}'s. Nothing here acts on one observation: {@link #repair} and {@link #restoreWriter}
 * re-read the topology, the runbook lock and the instances just before they change anything.
 */
public final class DetectionActivitiesImpl implements DetectionActivities {
  private static final Logger log = LoggerFactory.getLogger(DetectionActivitiesImpl.class);

  private final Lookup lookup;
  private final SnapshotReader reader;
  private final TopologyStore store;
  private final RunbookLock lock;
  private final ExecutorService pool;
  private final ClusterProber prober;

  public DetectionActivitiesImpl(Lookup lookup, TopologyStore store, RunbookLock lock, ClusterProber prober,
      ExecutorService pool) {
    this.lookup = lookup;
    this.reader = new SnapshotReader(lookup);
    this.store = store;
    this.lock = lock;
    this.prober = prober;
    this.pool = pool;
  }

  @Override
  public DetectionResult probeCluster(ProbeCluster r) {
    return probeCluster(r.cluster());
  }

  private DetectionResult probeCluster(String cluster) {
    DetectionResult r = prober.probe(lookup.cluster(cluster), WatchSettings.defaults()).result();
    Failpoints.during();
    return r;
  }

  @Override
  public DetectionResult watchProbe(WatchProbe r) {
    return probeCluster(r.cluster());
  }

  @Override
  public DetectionResult watchCluster(WatchCluster r) {
    return watchCluster(r.cluster(), r.settings(), r.lastReported(), r.actOnDeadPrimary());
  }

  private DetectionResult watchCluster(String cluster, WatchSettings settings, AnalysisCode lastReported,
      boolean actOnDeadPrimary) {
    ClusterSettings c = lookup.cluster(cluster);
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    long until = System.nanoTime() + settings.maxRunMillis() * 1_000_000;
    int confirmed = 0;
    long pause = settings.probeIntervalMillis();
    DetectionResult r = null;
    while (System.nanoTime() < until) {
      ClusterProber.Probe p = prober.probe(c, settings);
      r = p.result();
      ctx.heartbeat(r.code().wireName());
      boolean confirming = r.code() == AnalysisCode.DEAD_PRIMARY && actOnDeadPrimary;
      if (confirming) {
        confirmed++;
        if (confirmed >= settings.confirmations()) {
          return r;
        }
      } else {
        confirmed = 0;
        if (r.code() != lastReported) {
          return r;
        }
      }
      pause = ProbePacing.nextPauseMillis(p.input(), r.code(), confirming, pause, settings.probeIntervalMillis(),
          settings.maxSecondsSinceLastEvent());
      sleep(pause);
    }
    return r;
  }

  @Override
  public ActionResult repair(Repair r) {
    return acted(repair(r.cluster(), r.code(), r.epoch()));
  }

  private String repair(String cluster, AnalysisCode code, long epoch) {
    ClusterSettings c = lookup.cluster(cluster);
    if (code != AnalysisCode.NO_WRITABLE_PRIMARY && code != AnalysisCode.MULTIPLE_WRITABLE) {
      throw FailureType.NO_REPAIR.nonRetryable("no repair exists for " + code
          + "; only NoWritablePrimary and MultipleWritable have one");
    }
    String refusal = stillHolds(c, epoch);
    if (refusal != null) {
      return refusal;
    }
    InstanceKey primary = InstanceKey.parse(topology(c).primary());
    Map<InstanceKey, InstanceSnapshot> seen = inspectAll(c);
    InstanceSnapshot p = seen.get(primary);
    if (p == null) {
      return "no action: primary " + primary + " does not answer now";
    }
    List<InstanceKey> writable = seen.entrySet().stream().filter(e -> !e.getKey().equals(primary))
        .filter(e -> !e.getValue().readOnly()).map(Map.Entry::getKey).toList();
    List<InstanceKey> targets;
    boolean makeWritable;
    if (code == AnalysisCode.NO_WRITABLE_PRIMARY) {
      if (!p.readOnly()) {
        return "no action: primary " + primary + " is writable again";
      }
      if (!writable.isEmpty()) {
        return "no action: " + writable + " writable while primary " + primary + " is read-only; the topology and"
            + " the instances disagree: run a planned switchover to the writable one, or set it read-only";
      }
      targets = List.of(primary);
      makeWritable = true;
    } else {
      if (p.readOnly()) {
        return "no action: primary " + primary + " is read-only; not demoting " + writable + " with no writer left";
      }
      if (writable.isEmpty()) {
        return "no action: no instance but the primary is writable now";
      }
      targets = writable;
      makeWritable = false;
    }
    // The last look before acting: the same epoch, still no runbook.
    refusal = stillHolds(c, epoch);
    if (refusal != null) {
      return refusal;
    }
    List<String> done = new ArrayList<>();
    for (InstanceKey k : targets) {
      done.add(setWritable(cluster, k, makeWritable));
    }
    return String.join("; ", done);
  }

  private String setWritable(String cluster, InstanceKey k, boolean writable) {
    try (Connection conn = reader.connect(k, Purpose.PROBE); Statement st = conn.createStatement()) {
      FlavorSql sql = FlavorSql.fromVersion(SnapshotReader.self(conn, k).version());
      // A demoted instance stops waiting for semi-sync acks before it stops taking writes; a promoted
      // one waits for them before it takes any.
      if (writable) {
        st.execute(sql.enableSemiSyncPrimary(true));
      }
      for (String stmt : sql.setReadOnly(!writable)) {
        st.execute(stmt);
      }
      if (!writable) {
        st.execute(sql.enableSemiSyncPrimary(false));
      }
      boolean readOnly = SnapshotReader.self(conn, k).readOnly();
      if (readOnly == writable) {
        throw FailureType.REPAIR_NOT_APPLIED.failure(k + " still reports read_only=" + readOnly);
      }
      log.warn("cluster={} watch set {} {}", cluster, k, writable ? "writable" : "read-only");
      return k + " set " + (writable ? "writable" : "read-only");
    } catch (SQLException e) {
      throw FailureType.INSTANCE_UNREACHABLE.failure("setting " + k + (writable ? " writable" : " read-only") + ": "
          + e.getMessage());
    }
  }

  @Override
  public ActionResult restoreWriter(RestoreWriter r) {
    return acted(restoreWriter(r.cluster(), r.primary(), r.epoch()));
  }

  private String restoreWriter(String cluster, InstanceKey primary, long epoch) {
    ClusterSettings c = lookup.cluster(cluster);
    String refusal = stillHolds(c, epoch);
    if (refusal != null) {
      return refusal;
    }
    TopologyRecord t = topology(c);
    if (!primary.toString().equals(t.primary())) {
      return "no action: the topology's primary is " + t.primary() + ", not " + primary;
    }
    try (Connection conn = reader.connect(primary, Purpose.PROBE)) {
      SnapshotReader.self(conn, primary);
    } catch (SQLException e) {
      return "no action: " + primary + " does not answer yet (" + e.getMessage() + ")";
    }
    refusal = stillHolds(c, epoch);
    if (refusal != null) {
      return refusal;
    }
    HaproxyActivitiesImpl haproxy = new HaproxyActivitiesImpl(lookup);
    List<InstanceKey> readers = t.replicas().stream().map(InstanceKey::parse).toList();
    List<String> done = new ArrayList<>();
    for (var h : lookup.config().remoteHaproxies()) {
      done.add(haproxy.repointRoutes(new HaproxyActivities.RepointRoutes(h.name(), cluster, primary, readers)).detail());
    }
    log.warn("cluster={} fence of {} undone: it answers and nothing was promoted", cluster, primary);
    return String.join("; ", done);
  }

  /** Null when the topology is still at {@code epoch} and no runbook holds the cluster; else why not to act. */
  /** An action's answer: it acted unless what it says starts "no action" (then it says why not). */
  private static ActionResult acted(String did) {
    return new ActionResult(!did.startsWith("no action"), did);
  }

  private String stillHolds(ClusterSettings c, long epoch) {
    TopologyRecord t = topology(c);
    if (t.epoch() != epoch) {
      return "no action: the topology moved from epoch " + epoch + " to " + t.epoch() + " since the probe";
    }
    if (lock.held(c.name())) {
      return "no action: a failover of " + c.name() + " is running and owns its instances";
    }
    return null;
  }

  /** The instances that answer, by key. */
  private Map<InstanceKey, InstanceSnapshot> inspectAll(ClusterSettings c) {
    Map<InstanceKey, CompletableFuture<InstanceSnapshot>> all = new LinkedHashMap<>();
    for (InstanceSettings i : c.instances()) {
      InstanceKey key = new InstanceKey(i.host(), i.port());
      all.put(key, CompletableFuture.supplyAsync(() -> reader.read(c, key, Purpose.PROBE), pool));
    }
    Map<InstanceKey, InstanceSnapshot> out = new LinkedHashMap<>();
    all.forEach((k, f) -> {
      InstanceSnapshot s = f.join();
      if (s.reachable()) {
        out.put(k, s);
      }
    });
    return out;
  }

  private TopologyRecord topology(ClusterSettings c) {
    try {
      return store.read(c.name()).orElseThrow(() -> FailureType.TOPOLOGY_MISSING.nonRetryable("no topology of " + c.name() + " in the KV store"));
    } catch (TopologyStore.KvException e) {
      throw FailureType.KV_UNAVAILABLE.failure(e.getMessage());
    }
  }

  private static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureType.INTERRUPTED.failure("interrupted");
    }
  }
}
