package dev.handoff.planning;

/**
 * The fields of one replica's {@code SHOW SLAVE STATUS} / {@code SHOW REPLICA STATUS} row that detection
 * reads, under flavor-neutral names (the activity maps each flavor's column names onto these).
 *
 * @param sourceHost Master_Host / Source_Host
 * @param sourcePort Master_Port / Source_Port
 * @param ioRunning Slave_IO_Running / Replica_IO_Running as printed: Yes, Connecting or No
 * @param sqlRunning Slave_SQL_Running / Replica_SQL_Running: Yes or No
 * @param sourceLogFile Master_Log_File: the source binlog the IO thread reads
 * @param readPosition Read_Master_Log_Pos: how far the IO thread has received
 * @param relaySourceLogFile Relay_Master_Log_File: the source binlog the SQL thread executes
 * @param execPosition Exec_Master_Log_Pos: how far the SQL thread has executed
 * @param receivedHeartbeats replication heartbeat events received since the IO thread started
 * @param gtidReceived Gtid_IO_Pos / Retrieved_Gtid_Set
 * @param lastIoError Last_IO_Error ("" when none)
 */
public record ReplicaStatusRow(
    String sourceHost,
    int sourcePort,
    String ioRunning,
    String sqlRunning,
    String sourceLogFile,
    long readPosition,
    String relaySourceLogFile,
    long execPosition,
    long receivedHeartbeats,
    String gtidReceived,
    String lastIoError) {

  public String source() {
    return sourceHost + ":" + sourcePort;
  }

  /** The SQL thread has executed everything the IO thread received. */
  public boolean appliedAll() {
    return sourceLogFile != null && sourceLogFile.equals(relaySourceLogFile) && execPosition >= readPosition;
  }

  /**
   * What changes whenever the IO thread receives anything from its source: an event moves the read
   * position (or the GTID received), a heartbeat raises the heartbeat count.
   */
  String receiveToken() {
    return source() + "|" + sourceLogFile + "|" + readPosition + "|" + receivedHeartbeats + "|" + gtidReceived;
  }
}
