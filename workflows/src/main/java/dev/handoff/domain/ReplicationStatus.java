package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * What SHOW SLAVE/REPLICA STATUS and pt-heartbeat say about one replica, kept apart from
 * {@link InstanceState} because a primary has none.
 *
 * @param sourceKey the instance it replicates from (Master_Host:Master_Port)
 * @param ioThreadRunning true only when the IO thread is running and connected (Slave_IO_Running = Yes)
 * @param sqlThreadRunning Slave_SQL_Running = Yes
 * @param gtidReceived MariaDB Gtid_IO_Pos, MySQL Retrieved_Gtid_Set ("" when none)
 * @param lastIoError Last_IO_Error, null or "" when none
 * @param lastSqlError Last_SQL_Error, null or "" when none
 * @param secondsBehindSource Seconds_Behind_Master/Source, null when the server reports NULL
 * @param heartbeatLagSeconds pt-heartbeat --check lag, null when unknown
 */
public record ReplicationStatus(
    InstanceKey sourceKey,
    boolean ioThreadRunning,
    boolean sqlThreadRunning,
    String gtidReceived,
    String lastIoError,
    String lastSqlError,
    Long secondsBehindSource,
    Double heartbeatLagSeconds) {

  /** A null received set is read as "" (none). */
  public ReplicationStatus {
    gtidReceived = gtidReceived == null ? "" : gtidReceived;
  }

  /** Both replication threads are running. */
  @JsonIgnore
  public boolean threadsRunning() {
    return ioThreadRunning && sqlThreadRunning;
  }

  /** Lag to trust: pt-heartbeat when known, else Seconds_Behind_Source; null when neither is known. */
  @JsonIgnore
  public Double lagSeconds() {
    if (heartbeatLagSeconds != null) {
      return heartbeatLagSeconds;
    }
    return secondsBehindSource == null ? null : secondsBehindSource.doubleValue();
  }

  /** The IO or SQL error text, whichever is set, or "" when none. */
  @JsonIgnore
  public String errors() {
    String io = lastIoError == null ? "" : lastIoError.strip();
    String sql = lastSqlError == null ? "" : lastSqlError.strip();
    if (!io.isEmpty() && !sql.isEmpty()) {
      return "IO: " + io + "; SQL: " + sql;
    }
    return !io.isEmpty() ? "IO: " + io : !sql.isEmpty() ? "SQL: " + sql : "";
  }
}
