package dev.handoff.detection;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.InstanceSettings;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.kv.TopologyRecord;
import dev.handoff.kv.TopologyStore;
import dev.handoff.mysql.Flavors;
import dev.handoff.mysql.SnapshotReader;
import dev.handoff.mysql.SnapshotReader.Purpose;
import dev.handoff.planning.DetectionAnalyzer;
import dev.handoff.planning.DetectionInput;
import dev.handoff.planning.DetectionLimits;
import dev.handoff.planning.DetectionResult;
import dev.handoff.planning.ReceiveTracker;
import dev.handoff.planning.ReplicaView;
import dev.handoff.support.Heartbeats;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Probes a cluster the way DESIGN.md asks: one snapshot of the topology, the worker's own connection to
 * the primary, and every other configured instance's view of it (its replication row, what it received
 * and when, read_only). Replicas are read before the primary, so a replica can never look ahead of the
 * primary's snapshot; the primary's connection opens beside them, so a frozen primary costs one timeout
 * per probe, not one after the replicas'. Changes nothing. One per worker: it remembers when each replica
 * last received something, so the silence it measures spans probes, and it keeps one open connection per
 * instance and purpose between probes (opening one costs a worker far more than the reads over it). A read
 * that fails drops its connection; when it failed fast over a connection kept from an earlier probe (the
 * server closed it), it is read once more over a fresh one, so a stale connection never reads as an
 * unreachable instance.
 */
public final class ClusterProber {
  private final SnapshotReader reader;
  private final TopologyStore store;
  private final ReceiveTracker received = new ReceiveTracker();
  private final ExecutorService pool;
  private final Map<Kept, Connection> idle = new ConcurrentHashMap<>();

  /** The key of a kept connection: its instance and the purpose (timeouts) it was opened with. */
  private record Kept(InstanceKey key, Purpose purpose) {}

  public ClusterProber(SnapshotReader reader, TopologyStore store, ExecutorService pool) {
    this.reader = reader;
    this.store = store;
    this.pool = pool;
  }

  /** A pool of daemon threads for the reads one probe runs side by side. */
  public static ExecutorService probePool() {
    return Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "detector-probe");
      t.setDaemon(true);
      return t;
    });
  }

  /** What one probe saw (null when the topology could not be read) and what it concluded. */
  public record Probe(DetectionInput input, DetectionResult result) {}

  /** One holistic probe: the topology (one snapshot), other instances' views in parallel, then the primary. */
  public Probe probe(ClusterSettings c, WatchSettings settings) {
    TopologyRecord t;
    try {
      Optional<TopologyRecord> read = store.read(c.name());
      if (read.isEmpty()) {
        return new Probe(null, DetectionAnalyzer.kvBlind(c.name(), "no topology of " + c.name() + " is published"));
      }
      t = read.get();
    } catch (TopologyStore.KvException e) {
      return new Probe(null, DetectionAnalyzer.kvBlind(c.name(), e.getMessage()));
    }
    InstanceKey primary = InstanceKey.parse(t.primary());
    // The primary's connection opens beside the replicas' views, so a frozen primary's handshake timeout runs
    // while they are read, not after; what it says is still read after them.
    Kept primaryKept = new Kept(primary, Purpose.PROBE_PRIMARY);
    Connection kept = idle.remove(primaryKept);
    CompletableFuture<Connection> primaryConnection = kept != null ? CompletableFuture.completedFuture(kept)
        : CompletableFuture.supplyAsync(() -> {
          try {
            return reader.connect(primary, Purpose.PROBE_PRIMARY);
          } catch (SQLException e) {
            throw new CompletionException(e);
          }
        }, pool);
    List<CompletableFuture<ReplicaView>> views = new ArrayList<>();
    for (InstanceSettings i : c.instances()) {
      InstanceKey key = new InstanceKey(i.host(), i.port());
      if (!key.equals(primary)) {
        views.add(CompletableFuture.supplyAsync(() -> view(c, key), pool));
      }
    }
    List<ReplicaView> replicas = Heartbeats.joinAll(views);
    InstanceSnapshot p = read(c, primaryKept, () -> opened(primaryConnection), kept != null);
    // A dead primary's GTIDs are judged by the flavor its replicas' @@version just showed.
    DetectionInput in = p.reachable()
        ? DetectionInput.primaryUp(t.epoch(), primary, p.readOnly(), p.semiSyncDegraded(), p.flavor(),
            p.gtidExecuted(), replicas)
        : DetectionInput.primaryDown(t.epoch(), primary, p.error(), Flavors.of(c), replicas);
    return new Probe(in, DetectionAnalyzer.analyze(in,
        new DetectionLimits(settings.maxSecondsSinceLastEvent(), c.limits().maxLagSeconds())));
  }

  /**
   * Whether the primary still answers a ping over the connection the last probe kept to it: the cheap check a
   * detector runs between probes, so a primary that dies (its connection reset, or refused) or freezes (no
   * answer within {@link Purpose#PROBE_PRIMARY}'s read timeout) calls for a whole probe at once instead of at
   * the next interval. True when no connection is kept (the probes themselves decide then). A ping that fails
   * only says "probe now": it is never an observation anything acts on.
   */
  public boolean pulse(InstanceKey primary) {
    Kept k = new Kept(primary, Purpose.PROBE_PRIMARY);
    Connection conn = idle.remove(k);
    if (conn == null) {
      return true;
    }
    try (java.sql.Statement st = conn.createStatement()) {
      // Connector/J sends a statement beginning with this comment as a protocol ping (COM_PING).
      st.executeQuery("/* ping */ SELECT 1").close();
    } catch (SQLException e) {
      close(conn);
      return false;
    }
    keep(k, conn);
    return true;
  }

  /** Keeps {@code conn} for the next probe; closes it when another probe of the instance kept one meanwhile. */
  private void keep(Kept k, Connection conn) {
    if (idle.putIfAbsent(k, conn) != null) {
      close(conn);
    }
  }

  /**
   * Reads an instance over the connection {@code open} gives and keeps the connection for the next probe; a
   * failed read closes it, and one that failed fast over a {@code reused} connection is read again fresh.
   */
  private InstanceSnapshot read(ClusterSettings c, Kept k, SnapshotReader.Opener open, boolean reused) {
    long started = System.nanoTime();
    Connection conn = null;
    try {
      conn = open.open();
      InstanceSnapshot s = reader.readOpen(conn, c, k.key());
      keep(k, conn);
      return s;
    } catch (SQLException e) {
      close(conn);
      boolean fast = System.nanoTime() - started < k.purpose().readMillis * 500_000L;
      if (reused && fast) {
        return read(c, k, () -> reader.connect(k.key(), k.purpose()), false);
      }
      return InstanceSnapshot.unreachable(k.key(), SnapshotReader.rule(c, k.key()), e.getMessage());
    }
  }

  private static void close(Connection conn) {
    if (conn == null) {
      return;
    }
    try {
      conn.close();
    } catch (SQLException | RuntimeException ignored) {
      // already broken: nothing to give back
    }
  }

  /** Closes the kept connections (the worker stops). */
  public void close() {
    idle.values().forEach(ClusterProber::close);
    idle.clear();
  }

  /** The connection a future opened; its SQLException as thrown, so an unreachable primary reads as one. */
  private static Connection opened(CompletableFuture<Connection> connection) throws SQLException {
    try {
      return Heartbeats.joinAll(List.of(connection)).get(0);
    } catch (CompletionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw new SQLException("connecting: " + e.getCause(), e.getCause());
    }
  }

  /** The detector's view of an instance other than the primary, with its silence as the tracker measures it. */
  private ReplicaView view(ClusterSettings c, InstanceKey key) {
    Kept k = new Kept(key, Purpose.PROBE);
    Connection kept = idle.remove(k);
    InstanceSnapshot s = read(c, k, kept != null ? () -> kept : () -> reader.connect(key, Purpose.PROBE), kept != null);
    return ReplicaView.of(s, received.secondsSinceReceived(key, s.replication(), System.nanoTime()));
  }
}
