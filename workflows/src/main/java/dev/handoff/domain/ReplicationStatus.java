package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * What SHOW SLAVE/REPLICA STATUS and pt-heartbeat say about one replica, kept apart from
 * {@link InstanceSnapshot} because a primary has none.
 *
 * @param sourceKey the instance it replicates from (Master_Host:Master_Port)
 * @param ioThreadRunning true only when the IO thread is running and connected (Slave_IO_Running = Yes)
 * @param sqlThreadRunning Slave_SQL_Running = Yes
 * @param gtidReceived MariaDB Gtid_IO_Pos, MySQL Retrieved_Gtid_Set ("" when none)
 * @param lastIoError Last_IO_Error, null or "" when none
 * @param lastSqlError Last_SQL_Error, null or "" when none
 * @param secondsBehindSource Seconds_Behind_Master/Source, null when the server reports NULL
 * @param heartbeatLagSeconds pt-heartbeat --check lag, null when unknown
 * @param ioThreadConnecting the IO thread runs but has lost its source and is reconnecting
 *     (Slave_IO_Running = Connecting)
 * @param usingGtid it replicates by GTID (Using_Gtid / Auto_Position), null when unknown
 * @param progress how far its threads have received and executed, null when unknown
 */
public record ReplicationStatus(
    InstanceKey sourceKey,
    boolean ioThreadRunning,
    boolean sqlThreadRunning,
    String gtidReceived,
    String lastIoError,
    String lastSqlError,
    Long secondsBehindSource,
    Double heartbeatLagSeconds,
    boolean ioThreadConnecting,
    Boolean usingGtid,
    Progress progress) {

  /**
   * Where its threads are, in the source's binlog coordinates, and the replication heartbeats received.
   *
   * @param sourceLogFile Master_Log_File: the source binlog the IO thread reads
   * @param readPosition Read_Master_Log_Pos: how far the IO thread has received
   * @param relaySourceLogFile Relay_Master_Log_File: the source binlog the SQL thread executes
   * @param execPosition Exec_Master_Log_Pos: how far the SQL thread has executed
   * @param receivedHeartbeats replication heartbeat events received since the IO thread started
   */
  public record Progress(String sourceLogFile, long readPosition, String relaySourceLogFile, long execPosition,
      long receivedHeartbeats) {

    /** The SQL thread has executed everything the IO thread received. */
    @JsonIgnore
    public boolean appliedAll() {
      return sourceLogFile != null && sourceLogFile.equals(relaySourceLogFile) && execPosition >= readPosition;
    }
  }

  /** A null received set is read as "" (none). */
  public ReplicationStatus {
    gtidReceived = gtidReceived == null ? "" : gtidReceived;
  }

  /** The replication state without the IO thread's reconnecting, GTID mode and positions (unknown). */
  public ReplicationStatus(InstanceKey sourceKey, boolean ioThreadRunning, boolean sqlThreadRunning,
      String gtidReceived, String lastIoError, String lastSqlError, Long secondsBehindSource,
      Double heartbeatLagSeconds) {
    this(sourceKey, ioThreadRunning, sqlThreadRunning, gtidReceived, lastIoError, lastSqlError, secondsBehindSource,
        heartbeatLagSeconds, false, null, null);
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
