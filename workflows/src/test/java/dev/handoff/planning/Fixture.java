package dev.handoff.planning;

import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.PromotionRule;
import dev.handoff.domain.ReplicationStatus;

/** Small builder of instance snapshots for test topologies: 127.0.0.1:PORT, MariaDB, server_id = port - 3300. */
final class Fixture {
  static final InstanceKey P = key(3307);
  static final InstanceKey R1 = key(3308);
  static final InstanceKey R2 = key(3309);
  static final InstanceKey R3 = key(3310);

  InstanceKey key;
  boolean reachable = true;
  String error;
  long serverId;
  String serverUuid;
  Flavor flavor = Flavor.MARIADB;
  boolean readOnly;
  String executed = "";
  boolean replica;
  InstanceKey source = P;
  boolean io = true;
  boolean sql = true;
  String received = "";
  String ioError;
  String sqlError;
  Long behind = 0L;
  Double heartbeat = 0.0;
  boolean ddl;
  long dml;
  PromotionRule rule = PromotionRule.NEUTRAL;

  static InstanceKey key(int port) {
    return new InstanceKey("127.0.0.1", port);
  }

  /** A reachable, writable primary with the given executed set. */
  static Fixture primary(InstanceKey key, String executed) {
    Fixture f = new Fixture();
    f.key = key;
    f.serverId = key.port() - 3300;
    f.executed = executed;
    return f;
  }

  /** A healthy replica of {@link #P}, both threads running, no lag. */
  static Fixture replica(InstanceKey key, String executed) {
    Fixture f = primary(key, executed);
    f.replica = true;
    f.readOnly = true;
    return f;
  }

  Fixture unreachable(String error) { this.reachable = false; this.error = error; return this; }
  Fixture rule(PromotionRule r) { this.rule = r; return this; }
  Fixture received(String r) { this.received = r; return this; }
  Fixture source(InstanceKey s) { this.source = s; return this; }
  Fixture io(boolean running, String error) { this.io = running; this.ioError = error; return this; }
  Fixture sql(boolean running, String error) { this.sql = running; this.sqlError = error; return this; }
  Fixture lag(Long behind, Double heartbeat) { this.behind = behind; this.heartbeat = heartbeat; return this; }
  Fixture ddl() { this.ddl = true; return this; }
  Fixture dml(long seconds) { this.dml = seconds; return this; }
  Fixture notReplica() { this.replica = false; return this; }
  Fixture mysql(String uuid) { this.flavor = Flavor.MYSQL; this.serverUuid = uuid; return this; }

  /**
   * A replica's status as the snapshot reader reads SHOW SLAVE STATUS: the IO thread as printed (Yes,
   * Connecting or No), the SQL thread (Yes or No), binlog positions (read and executed, same file), the
   * replication heartbeats received, the GTIDs received and Last_IO_Error; no lag.
   */
  static ReplicationStatus status(InstanceKey source, String io, String sql, String logFile, long read, long exec,
      long heartbeats, String received, String ioError) {
    return new ReplicationStatus(source, io.equals("Yes"), sql.equals("Yes"), received, ioError, "", 0L, null,
        io.equals("Connecting"), true, new ReplicationStatus.Progress(logFile, read, logFile, exec, heartbeats));
  }

  /** Detection's view of a reachable read-only replica with this status (null: not a replica) and lag. */
  static ReplicaView view(InstanceKey key, String executed, ReplicationStatus status, Double lag, Double since) {
    ReplicationStatus lagged = status == null ? null : new ReplicationStatus(status.sourceKey(),
        status.ioThreadRunning(), status.sqlThreadRunning(), status.gtidReceived(), status.lastIoError(),
        status.lastSqlError(), status.secondsBehindSource(), lag, status.ioThreadConnecting(), status.usingGtid(),
        status.progress());
    Fixture f = replica(key, executed);
    return ReplicaView.of(new InstanceSnapshot(key, true, null, f.serverId, null, f.flavor, "10.11.19-MariaDB-0+deb12u1",
        true, executed, lagged, false, 0, f.rule), since);
  }

  InstanceSnapshot build() {
    if (!reachable) {
      return InstanceSnapshot.unreachable(key, rule, error);
    }
    ReplicationStatus repl = replica
        ? new ReplicationStatus(source, io, sql, received, ioError, sqlError, behind, heartbeat)
        : null;
    return new InstanceSnapshot(key, true, null, serverId, serverUuid, flavor,
        flavor == Flavor.MARIADB ? "10.11.19-MariaDB-0+deb12u1" : "8.0.36", readOnly, executed, repl, ddl, dml, rule);
  }
}
