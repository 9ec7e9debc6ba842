package dev.handoff.mysql;

/**
 * What one instance says about itself: version, server id, read_only, executed GTID set, and its
 * replication state when it is a replica (sourceHost null otherwise). GTID sets have no whitespace.
 */
public record InstanceReport(
    String version,
    long serverId,
    boolean readOnly,
    String gtidExecuted,
    String sourceHost,
    int sourcePort,
    boolean ioRunning,
    boolean sqlRunning,
    boolean usingGtid,
    String gtidReceived,
    Long secondsBehindSource,
    String lastIoError,
    String lastSqlError) {

  public boolean isReplica() {
    return sourceHost != null;
  }

  public String sourceKey() {
    return sourceHost == null ? null : sourceHost + ":" + sourcePort;
  }
}
