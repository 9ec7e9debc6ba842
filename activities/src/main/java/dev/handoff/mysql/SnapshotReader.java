package dev.handoff.mysql;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.InstanceSettings;
import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.PromotionRule;
import dev.handoff.domain.ReplicationStatus;
import dev.handoff.support.Lookup;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * The one reader of an instance: reads it into an {@link InstanceSnapshot} snapshot with the flavor's SQL, over a
 * connection {@link Lookup} opens with the timeouts of {@link Purpose}, the one place they are set. Pre-checks,
 * detection, status and the invariants all judge what it reads; the runbook steps read the instance's own
 * state ({@link #self}) over the connection they change it with.
 */
public final class SnapshotReader {
  private static final Pattern DDL = Pattern.compile(
      "^\\s*(ALTER|CREATE|DROP|RENAME|TRUNCATE|OPTIMIZE|REPAIR)\\s", Pattern.CASE_INSENSITIVE);
  private static final Pattern DML = Pattern.compile(
      "^\\s*(INSERT|UPDATE|DELETE|REPLACE|LOAD|SELECT\\s.*\\sFOR\\s+UPDATE)", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  /** Why a connection is opened: how long it may wait to connect and for each answer. */
  public enum Purpose {
    /**
     * Pre-checks, candidate choice and status: a frozen server accepts TCP but never answers, so a read gives
     * up in seconds. The only read that also reads the process list (running DDL and DML, for pre-checks).
     */
    INSPECT(2000, 3000),
    /** Detection's probe of an instance other than the topology's primary: every probe waits for it. */
    PROBE(800, 1500),
    /**
     * Detection's probe of the topology's primary, whose read timeout is shorter than the replicas': a frozen
     * primary accepts TCP and then never answers its handshake, so every probe (the watch's and the recovery's
     * confirmation) waits this long for it. A short one cannot fail a live primary over: an unreachable primary
     * is only UnreachablePrimary until its replicas vote it dead (its IO thread lost it, or it received nothing,
     * not even a heartbeat, for longer than the silence limit) and none hears from it, on two probes in a row
     * and once more in the recovery. A slow answer past it from a busy primary is reported as
     * UnreachablePrimary, never acted on.
     */
    PROBE_PRIMARY(800, 400),
    /** A runbook step's change: long enough for read_only to wait out running commits. */
    CHANGE(2000, 30_000);

    public final int connectMillis;
    public final int readMillis;

    Purpose(int connectMillis, int readMillis) {
      this.connectMillis = connectMillis;
      this.readMillis = readMillis;
    }
  }

  /** Opens the connection a read goes over. */
  public interface Opener {
    Connection open() throws SQLException;
  }

  private final Lookup lookup;

  public SnapshotReader(Lookup lookup) {
    this.lookup = lookup;
  }

  /** A connection to {@code key} as the admin user, through {@link Lookup}, with the purpose's timeouts. */
  public Connection connect(InstanceKey key, Purpose purpose) throws SQLException {
    return lookup.connect(key, purpose.connectMillis, purpose.readMillis);
  }

  /** The snapshot of one of the cluster's instances; one that cannot be read is an unreachable snapshot. */
  public InstanceSnapshot read(ClusterSettings c, InstanceKey key, Purpose purpose) {
    return read(c, key, purpose, () -> connect(key, purpose));
  }

  /** The same, over the connection {@code open} gives (closed after); its failure is an unreachable snapshot. */
  public InstanceSnapshot read(ClusterSettings c, InstanceKey key, Purpose purpose, Opener open) {
    PromotionRule rule = rule(c, key);
    try (Connection conn = open.open()) {
      return read(conn, c, key, rule, purpose == Purpose.INSPECT);
    } catch (SQLException e) {
      return InstanceSnapshot.unreachable(key, rule, e.getMessage());
    }
  }

  /**
   * The snapshot of one of the cluster's instances over an open connection, which stays open (a pooled one);
   * a failed read throws, so the caller can drop the connection.
   */
  public InstanceSnapshot readOpen(Connection conn, ClusterSettings c, InstanceKey key) throws SQLException {
    return read(conn, c, key, rule(c, key), false);
  }

  /** The promotion rule the configuration gives the instance. */
  public static PromotionRule rule(ClusterSettings c, InstanceKey key) {
    return PromotionRule.fromString(c.instance(key.toString()).map(InstanceSettings::promotionRule).orElse(null));
  }

  /**
   * What the instance says about itself: version, server id, read_only, executed GTID set and its replica
   * status, without pt-heartbeat, semi-sync or the process list (unknown in this snapshot).
   */
  public static InstanceSnapshot self(Connection conn, InstanceKey key) throws SQLException {
    return read(conn, null, key, null, false);
  }

  /** With a cluster: the whole snapshot (the process list only when asked); without one: {@link #self}. */
  private static InstanceSnapshot read(Connection conn, ClusterSettings c, InstanceKey key, PromotionRule rule,
      boolean sessions) throws SQLException {
    try (Statement st = conn.createStatement()) {
      String version;
      long serverId;
      boolean readOnly;
      try (ResultSet rs = st.executeQuery("SELECT @@version, @@server_id, @@read_only")) {
        rs.next();
        version = rs.getString(1);
        serverId = rs.getLong(2);
        readOnly = rs.getBoolean(3);
      }
      FlavorSql sql = FlavorSql.fromVersion(version);
      String executed;
      try (ResultSet rs = st.executeQuery(sql.selectGtidExecuted)) {
        rs.next();
        executed = normalize(rs.getString(1));
      }
      ReplicationStatus replication = replication(st, sql);
      if (c == null) {
        return new InstanceSnapshot(key, true, null, serverId, null, Flavors.fromVersion(version), version, readOnly,
            executed, replication, false, 0, null);
      }
      Flavor flavor = Flavors.observed(c, key.toString(), version);
      String uuid = flavor == Flavor.MYSQL ? scalar(st, "SELECT @@server_uuid") : null;
      Sessions running = sessions ? sessions(st) : Sessions.NOT_READ;
      Double heartbeatAge = HeartbeatTable.age(conn, c.heartbeat());
      if (replication != null) {
        replication = withHeartbeats(replication, receivedHeartbeats(st, sql), heartbeatAge);
      }
      return new InstanceSnapshot(key, true, null, serverId, uuid, flavor, version, readOnly, executed, replication,
          running.ddl(), running.longestDmlSeconds(), rule, heartbeatAge,
          semiSyncDegraded(st, sql));
    }
  }

  /** Its replica status row under flavor-neutral names; null when it is not a replica. */
  private static ReplicationStatus replication(Statement st, FlavorSql sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql.showReplicaStatus)) {
      if (!rs.next()) {
        return null;
      }
      long behind = rs.getLong(sql.colSecondsBehind);
      Long secondsBehind = rs.wasNull() ? null : behind;
      String io = rs.getString(sql.colIoRunning);
      return new ReplicationStatus(new InstanceKey(rs.getString(sql.colSourceHost), rs.getInt(sql.colSourcePort)),
          "Yes".equalsIgnoreCase(io), "Yes".equalsIgnoreCase(rs.getString(sql.colSqlRunning)),
          normalize(rs.getString(sql.colGtidReceived)), nullToEmpty(rs.getString("Last_IO_Error")),
          nullToEmpty(rs.getString("Last_SQL_Error")), secondsBehind, null, "Connecting".equalsIgnoreCase(io),
          sql.usesGtid(rs.getString(sql.colUsingGtid)),
          new ReplicationStatus.Progress(rs.getString(sql.colSourceLogFile), rs.getLong(sql.colReadPosition),
              rs.getString(sql.colRelaySourceLogFile), rs.getLong(sql.colExecPosition), 0));
    }
  }

  private static ReplicationStatus withHeartbeats(ReplicationStatus r, long received, Double heartbeatAge) {
    ReplicationStatus.Progress p = r.progress();
    return new ReplicationStatus(r.sourceKey(), r.ioThreadRunning(), r.sqlThreadRunning(), r.gtidReceived(),
        r.lastIoError(), r.lastSqlError(), r.secondsBehindSource(), heartbeatAge, r.ioThreadConnecting(),
        r.usingGtid(), new ReplicationStatus.Progress(p.sourceLogFile(), p.readPosition(), p.relaySourceLogFile(),
            p.execPosition(), received));
  }

  /** Replication heartbeats received since the IO thread started; 0 when the count cannot be read. */
  private static long receivedHeartbeats(Statement st, FlavorSql sql) {
    try (ResultSet rs = st.executeQuery(sql.selectReceivedHeartbeats)) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException noCount) {
      return 0; // without the count, events still move the read position
    }
  }

  /** Semi-sync enabled on the primary side but not active: it fell back to asynchronous replication. */
  private static boolean semiSyncDegraded(Statement st, FlavorSql sql) {
    try (ResultSet rs = st.executeQuery(sql.selectSemiSyncPrimary)) {
      return rs.next() && rs.getInt(1) == 1 && "OFF".equalsIgnoreCase(rs.getString(2));
    } catch (SQLException noSemiSync) {
      return false; // the plugin is not loaded (MySQL): there is no semi-sync to degrade
    }
  }

  /** What the process list shows running: DDL, and the age of the oldest DML. */
  private record Sessions(boolean ddl, long longestDmlSeconds) {
    static final Sessions NOT_READ = new Sessions(false, 0);
  }

  private static Sessions sessions(Statement st) throws SQLException {
    boolean ddl = false;
    long longestDml = 0;
    try (ResultSet rs = st.executeQuery("SELECT ID, COMMAND, TIME, INFO FROM information_schema.PROCESSLIST"
        + " WHERE ID <> CONNECTION_ID() AND INFO IS NOT NULL")) {
      while (rs.next()) {
        String info = rs.getString("INFO");
        if (DDL.matcher(info).find()) {
          ddl = true;
        } else if (DML.matcher(info).find()) {
          longestDml = Math.max(longestDml, rs.getLong("TIME"));
        }
      }
    }
    return new Sessions(ddl, longestDml);
  }

  private static String scalar(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static String normalize(String gtid) {
    return gtid == null ? "" : gtid.replaceAll("\\s+", "");
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
