package dev.handoff.planning;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.handoff.domain.InstanceKey;

/**
 * One configured instance other than the topology's primary, as the detector saw it: the evidence
 * holistic detection weighs, and what the writer analyses need (is it writable?).
 *
 * @param key the instance
 * @param reachable whether the worker could read it (an unreachable instance has no say)
 * @param error why it could not be read (the driver's message, e.g. Access denied), "" when reachable
 * @param readOnly its read_only flag (true when unreachable: unknown is not writable)
 * @param source host:port it replicates from, null when it is not a replica
 * @param io its IO thread: connected, connecting (lost its source) or stopped; NONE when not a replica
 * @param sqlThreadRunning SQL thread running
 * @param secondsSinceReceived seconds since its IO thread received anything from its source (event or
 *     heartbeat), null when unknown
 * @param appliedAll its SQL thread has executed everything its IO thread received
 * @param lastIoError Last_IO_Error, "" when none
 * @param lagSeconds replication lag from pt-heartbeat, null when unknown; lag never votes on liveness
 * @param gtidExecuted its executed GTID set, "" when unknown
 */
public record ReplicaView(
    InstanceKey key,
    boolean reachable,
    String error,
    boolean readOnly,
    String source,
    IoState io,
    boolean sqlThreadRunning,
    Double secondsSinceReceived,
    boolean appliedAll,
    String lastIoError,
    Double lagSeconds,
    String gtidExecuted) {

  /** The IO thread's state as SHOW SLAVE STATUS prints it, or NONE for an instance that is not a replica. */
  public enum IoState {
    CONNECTED, CONNECTING, STOPPED, NONE;

    /** Yes, Connecting, No (or anything else: stopped). */
    public static IoState of(String raw) {
      if ("Yes".equalsIgnoreCase(raw)) {
        return CONNECTED;
      }
      return "Connecting".equalsIgnoreCase(raw) ? CONNECTING : STOPPED;
    }
  }

  public ReplicaView {
    error = error == null ? "" : error;
    lastIoError = lastIoError == null ? "" : lastIoError;
    gtidExecuted = gtidExecuted == null ? "" : gtidExecuted;
    io = io == null ? IoState.NONE : io;
  }

  /** An instance the worker could not read. */
  public static ReplicaView unreachable(InstanceKey key, String error) {
    return new ReplicaView(key, false, error, true, null, IoState.NONE, false, null, false, "", null, "");
  }

  /**
   * The view the detector builds from what it read: read_only, the executed set, the replica status row
   * (null when the instance is not a replica), pt-heartbeat's lag, and the tracker's silence figure.
   */
  public static ReplicaView observed(InstanceKey key, boolean readOnly, String gtidExecuted, ReplicaStatusRow row,
      Double lagSeconds, Double secondsSinceReceived) {
    if (row == null) {
      return new ReplicaView(key, true, "", readOnly, null, IoState.NONE, false, null, false, "", lagSeconds,
          gtidExecuted);
    }
    return new ReplicaView(key, true, "", readOnly, row.source(), IoState.of(row.ioRunning()),
        "Yes".equalsIgnoreCase(row.sqlRunning()), secondsSinceReceived, row.appliedAll(), row.lastIoError(),
        lagSeconds, gtidExecuted);
  }

  /** Reachable, replicating from {@code primary}, IO connected and SQL running. */
  public boolean replicatesFrom(InstanceKey primary) {
    return reachable && primary.toString().equals(source) && io == IoState.CONNECTED && sqlThreadRunning;
  }

  /** Reachable, IO connected and SQL running (from whichever source). */
  @JsonIgnore
  public boolean replicating() {
    return reachable && io == IoState.CONNECTED && sqlThreadRunning;
  }
}
