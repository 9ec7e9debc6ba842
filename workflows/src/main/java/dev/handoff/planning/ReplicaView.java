package dev.handoff.planning;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceState;

/**
 * One replica's view of its primary, the evidence holistic detection weighs.
 *
 * @param key the replica
 * @param reachable whether the worker could read it (an unreachable replica has no say)
 * @param ioThreadRunning IO thread started (Slave_IO_Running is Yes or Connecting)
 * @param ioConnected IO thread connected to the primary (Slave_IO_Running = Yes)
 * @param sqlThreadRunning SQL thread running
 * @param secondsSinceLastEvent seconds since the last event (heartbeat included) from the primary; null when unknown
 * @param lastIoError Last_IO_Error, null or "" when none
 * @param lagSeconds replication lag (pt-heartbeat first), null when unknown
 * @param gtidExecuted its executed GTID set, "" when unknown
 */
public record ReplicaView(
    InstanceKey key,
    boolean reachable,
    boolean ioThreadRunning,
    boolean ioConnected,
    boolean sqlThreadRunning,
    Double secondsSinceLastEvent,
    String lastIoError,
    Double lagSeconds,
    String gtidExecuted) {

  public ReplicaView {
    gtidExecuted = gtidExecuted == null ? "" : gtidExecuted;
  }

  /** Builds the view from a snapshot; IO "running" and "connected" both come from ioThreadRunning there. */
  public static ReplicaView of(InstanceState s, Double secondsSinceLastEvent) {
    var r = s.replication();
    return new ReplicaView(s.key(), s.reachable(),
        r != null && r.ioThreadRunning(), r != null && r.ioThreadRunning(), r != null && r.sqlThreadRunning(),
        secondsSinceLastEvent, r == null ? null : r.lastIoError(), s.lagSeconds(), s.gtidExecuted());
  }

  /** Reachable, IO connected and SQL running. */
  @JsonIgnore
  public boolean replicating() {
    return reachable && ioConnected && sqlThreadRunning;
  }
}
