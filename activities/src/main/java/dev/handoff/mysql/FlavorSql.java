package dev.handoff.mysql;

import java.util.List;
import java.util.Locale;

/**
 * The SQL that differs between MariaDB and MySQL 8, in one place. Everything else Handoff sends is
 * the same on both.
 */
public enum FlavorSql {
  MARIADB("Master", "Slave", "SELECT @@gtid_current_pos", "Gtid_IO_Pos", "Using_Gtid",
      "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'SLAVE_RECEIVED_HEARTBEATS'",
      "SELECT @@rpl_semi_sync_master_enabled, (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
          + " WHERE VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_STATUS')"),
  MYSQL("Source", "Replica", "SELECT @@global.gtid_executed", "Retrieved_Gtid_Set", "Auto_Position",
      "SELECT COUNT_RECEIVED_HEARTBEATS FROM performance_schema.replication_connection_status LIMIT 1",
      "SELECT @@rpl_semi_sync_source_enabled, (SELECT VARIABLE_VALUE FROM performance_schema.global_status"
          + " WHERE VARIABLE_NAME = 'Rpl_semi_sync_source_status')");

  public final String selectGtidExecuted;
  public final String showReplicaStatus;
  public final String colSourceHost;
  public final String colSourcePort;
  public final String colIoRunning;
  public final String colSqlRunning;
  public final String colSecondsBehind;
  public final String colGtidReceived;
  public final String colUsingGtid;
  public final String stopReplica;
  public final String startReplica;
  public final String resetReplicaAll;
  public final String colSourceLogFile;
  public final String colReadPosition;
  public final String colRelaySourceLogFile;
  public final String colExecPosition;
  /** One value: replication heartbeats received since the IO thread started (not a replica status column). */
  public final String selectReceivedHeartbeats;
  /** One row: semi-sync enabled on the primary side (1/0), and whether it is active now (ON/OFF). */
  public final String selectSemiSyncPrimary;

  /**
   * {@code source} and {@code replica} are the flavor's words for the two ends of replication (MariaDB's Master
   * and Slave, MySQL 8's Source and Replica): the status columns and statements that differ only by them are
   * named from them.
   */
  FlavorSql(String source, String replica, String selectGtidExecuted, String colGtidReceived, String colUsingGtid,
      String selectReceivedHeartbeats, String selectSemiSyncPrimary) {
    String replicaWord = replica.toUpperCase(Locale.ROOT);
    this.selectGtidExecuted = selectGtidExecuted;
    this.showReplicaStatus = "SHOW " + replicaWord + " STATUS";
    this.colSourceHost = source + "_Host";
    this.colSourcePort = source + "_Port";
    this.colIoRunning = replica + "_IO_Running";
    this.colSqlRunning = replica + "_SQL_Running";
    this.colSecondsBehind = "Seconds_Behind_" + source;
    this.colGtidReceived = colGtidReceived;
    this.colUsingGtid = colUsingGtid;
    this.stopReplica = "STOP " + replicaWord;
    this.startReplica = "START " + replicaWord;
    this.resetReplicaAll = "RESET " + replicaWord + " ALL";
    this.colSourceLogFile = source + "_Log_File";
    this.colReadPosition = "Read_" + source + "_Log_Pos";
    this.colRelaySourceLogFile = "Relay_" + source + "_Log_File";
    this.colExecPosition = "Exec_" + source + "_Log_Pos";
    this.selectReceivedHeartbeats = selectReceivedHeartbeats;
    this.selectSemiSyncPrimary = selectSemiSyncPrimary;
  }


  /**
   * MariaDB: the variable that bounds the connection a semi-sync replica's IO thread opens to its source, as
   * it stops, to kill its dump thread. Against a frozen source (it accepts TCP, never answers) every STOP SLAVE
   * waits that out: 2 s with the default of 5, measured by hand on MariaDB 10.11; 1 s with it set to 1 (0 means
   * no limit). Null for MySQL.
   */
  public String semiSyncKillTimeoutVariable() {
    return this == MARIADB ? "rpl_semi_sync_slave_kill_conn_timeout" : null;
  }

  /** Whether a replica status row says it replicates by GTID auto-position. */
  public boolean usesGtid(String value) {
    return this == MARIADB ? value != null && !value.equalsIgnoreCase("No") : "1".equals(value);
  }

  /**
   * The comment that marks Handoff's own {@code SET GLOBAL ... read_only = 1}: one that waits behind a lock
   * is found in the processlist by it (and only it), and ended before the instance is made writable again.
   */
  public static final String READ_ONLY_TAG = "/* handoff:set-read-only */";

  /** Statements that set the instance read-only (MySQL: super_read_only too, so admin users are bound) or writable. */
  public List<String> setReadOnly(boolean readOnly) {
    if (this == MARIADB) {
      return List.of("SET GLOBAL read_only = " + (readOnly ? 1 : 0) + " " + READ_ONLY_TAG);
    }
    return readOnly ? List.of("SET GLOBAL super_read_only = 1 " + READ_ONLY_TAG)
        : List.of("SET GLOBAL super_read_only = 0 " + READ_ONLY_TAG, "SET GLOBAL read_only = 0 " + READ_ONLY_TAG);
  }

  /**
   * The IDs of other sessions running Handoff's own {@code SET GLOBAL ... read_only = 1} (the same on both
   * flavors): an earlier attempt still waiting for a lock, which would make the instance read-only later.
   */
  public static final String SELECT_QUEUED_READ_ONLY = "SELECT ID FROM information_schema.PROCESSLIST"
      + " WHERE ID <> CONNECTION_ID() AND COMMAND = 'Query' AND INFO LIKE 'SET GLOBAL %read_only = 1 "
      + READ_ONLY_TAG + "%'";

  /** Switches the primary side of semi-sync on (a new primary) or off (a demoted one). */
  public String enableSemiSyncPrimary(boolean on) {
    return (this == MARIADB ? "SET GLOBAL rpl_semi_sync_master_enabled = " : "SET GLOBAL rpl_semi_sync_source_enabled = ")
        + (on ? 1 : 0);
  }

  /**
   * Before a former primary (or a half-promoted candidate) replicates again: MariaDB's slave position
   * must start from what the instance itself has, or it would ask its new source for old events.
   * MySQL's auto-position uses gtid_executed and needs nothing.
   */
  public List<String> startFromOwnPosition() {
    return this == MARIADB ? List.of("SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos") : List.of();
  }

  public static FlavorSql fromVersion(String version) {
    return version != null && version.toLowerCase().contains("mariadb") ? MARIADB : MYSQL;
  }

  /** Points a replica at a source by GTID auto-position. Quote-escaping is the caller's job for names. */
  public String changeSource(String host, int port, String user, String password, int heartbeatSeconds) {
    String h = quote(host);
    String u = quote(user);
    String p = quote(password);
    return this == MARIADB
        ? "CHANGE MASTER TO MASTER_HOST=" + h + ", MASTER_PORT=" + port + ", MASTER_USER=" + u
            + ", MASTER_PASSWORD=" + p + ", MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1"
            + ", MASTER_HEARTBEAT_PERIOD=" + heartbeatSeconds
        : "CHANGE REPLICATION SOURCE TO SOURCE_HOST=" + h + ", SOURCE_PORT=" + port + ", SOURCE_USER=" + u
            + ", SOURCE_PASSWORD=" + p + ", SOURCE_AUTO_POSITION=1, SOURCE_CONNECT_RETRY=1"
            + ", SOURCE_HEARTBEAT_PERIOD=" + heartbeatSeconds + ", GET_SOURCE_PUBLIC_KEY=1";
  }

  /** Waits up to timeoutSeconds for the GTID set to be executed; the query returns 0 on success. */
  public String waitForGtid(String gtidSet, int timeoutSeconds) {
    return this == MARIADB
        ? "SELECT MASTER_GTID_WAIT(" + quote(gtidSet) + ", " + timeoutSeconds + ")"
        : "SELECT WAIT_FOR_EXECUTED_GTID_SET(" + quote(gtidSet) + ", " + timeoutSeconds + ")";
  }

  public static String quote(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
  }
}
