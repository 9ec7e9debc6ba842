package dev.handoff.planning;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.ReplicationStatus;

/**
 * One configured instance other than the topology's primary, as the detector saw it: the evidence
 * holistic detection weighs, and what the writer analyses need (is it writable?). A view of the instance's
 * snapshot ({@link #of}), plus the silence only a series of snapshots shows.
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

    /** Running and connected (Yes), reconnecting (Connecting), or anything else: stopped. */
    public static IoState of(ReplicationStatus r) {
      if (r.ioThreadRunning()) {
        return CONNECTED;
      }
      return r.ioThreadConnecting() ? CONNECTING : STOPPED;
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
   * The detector's view of a snapshot: read_only, the executed set, the replication state (none when it is
   * not a replica), pt-heartbeat's lag, and the tracker's silence figure.
   */
  public static ReplicaView of(InstanceSnapshot s, Double secondsSinceReceived) {
    if (!s.reachable()) {
      return unreachable(s.key(), s.error());
    }
    ReplicationStatus r = s.replication();
    if (r == null) {
      return new ReplicaView(s.key(), true, "", s.readOnly(), null, IoState.NONE, false, null, false, "", null,
          s.gtidExecuted());
    }
    return new ReplicaView(s.key(), true, "", s.readOnly(), r.sourceKey().toString(), IoState.of(r),
        r.sqlThreadRunning(), secondsSinceReceived, r.progress() != null && r.progress().appliedAll(),
        r.lastIoError(), r.heartbeatLagSeconds(), s.gtidExecuted());
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
