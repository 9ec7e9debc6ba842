package dev.handoff.planning;

import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.ReplicationStatus;
import java.util.HashMap;
import java.util.Map;

/**
 * How long each replica's IO thread has gone without receiving anything (an event or a replication
 * heartbeat) from its source. One replication status is a snapshot; silence is a change that did not happen
 * between snapshots, so the tracker remembers each replica's last receive token and when it last moved.
 * The first sighting of a replica (or of a new source) gives no figure: silence is unknown, never assumed.
 * Times are the caller's monotonic nanoseconds, so the tracker is pure and testable.
 */
public final class ReceiveTracker {
  private record Seen(String token, long sinceNanos) {}

  private final Map<InstanceKey, Seen> seen = new HashMap<>();

  /**
   * Seconds since {@code replica} last received anything, or null when unknown (first sighting, or no
   * replication status: unreachable or not a replica).
   */
  public synchronized Double secondsSinceReceived(InstanceKey replica, ReplicationStatus status, long nowNanos) {
    if (status == null) {
      seen.remove(replica);
      return null;
    }
    String token = receiveToken(status);
    Seen last = seen.get(replica);
    if (last == null || !last.token().equals(token)) {
      seen.put(replica, new Seen(token, nowNanos));
      return last == null ? null : 0.0;
    }
    return (nowNanos - last.sinceNanos()) / 1e9;
  }

  /**
   * What changes whenever the IO thread receives anything from its source: an event moves the read
   * position (or the GTID received), a heartbeat raises the heartbeat count.
   */
  static String receiveToken(ReplicationStatus r) {
    ReplicationStatus.Progress p = r.progress();
    return r.sourceKey() + "|" + (p == null ? "" : p.sourceLogFile() + "|" + p.readPosition() + "|"
        + p.receivedHeartbeats()) + "|" + r.gtidReceived();
  }
}
