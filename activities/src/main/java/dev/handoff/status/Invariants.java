package dev.handoff.status;

import dev.handoff.domain.Flavor;
import dev.handoff.domain.GtidSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The invariants of DESIGN.md that a status report can show: one writable instance, every other one
 * replicating from it by GTID, KV and HAProxy agreeing with it, heartbeats flowing, no errant GTIDs.
 * Pure: it judges a report, it reads nothing.
 */
public final class Invariants {
  /** A heartbeat older than this on the primary means pt-heartbeat is not writing. */
  public static final double MAX_HEARTBEAT_AGE_SECONDS = 10.0;

  private Invariants() {}

  static String firstLine(String s) {
    return s == null ? null : s.lines().findFirst().orElse("");
  }

  public static List<String> check(ClusterStatus s, Flavor flavor) {
    List<String> problems = new ArrayList<>();
    List<InstanceStatus> writable = s.instances().stream().filter(InstanceStatus::writable).toList();
    if (writable.size() != 1) {
      problems.add("expected exactly one writable instance, found " + writable.size() + ": "
          + writable.stream().map(InstanceStatus::key).toList());
    }
    String primary = writable.size() == 1 ? writable.get(0).key() : null;
    for (InstanceStatus i : s.instances()) {
      if (!i.reachable()) {
        // A failed-out instance (neither the KV primary nor in the KV replica pool) is expected to be down.
        boolean failedOut = s.kvError() == null && !i.key().equals(s.kvPrimary())
            && (s.kvReplicas() == null || !s.kvReplicas().contains(i.key()));
        if (!failedOut) {
          problems.add(i.key() + " is unreachable: " + firstLine(i.error()));
        }
        continue;
      }
      if (i.key().equals(primary)) {
        if (i.heartbeatAgeSeconds() == null || i.heartbeatAgeSeconds() > MAX_HEARTBEAT_AGE_SECONDS) {
          problems.add("pt-heartbeat rows do not advance on the primary " + i.key() + " (newest is "
              + (i.heartbeatAgeSeconds() == null ? "missing" : i.heartbeatAgeSeconds() + " s old") + ")");
        }
        continue;
      }
      if (primary != null && !primary.equals(i.source())) {
        problems.add(i.key() + " replicates from " + i.source() + ", not from the primary " + primary);
      }
      if (!Boolean.TRUE.equals(i.ioRunning()) || !Boolean.TRUE.equals(i.sqlRunning())) {
        problems.add(i.key() + " replication threads not both running (IO " + i.ioRunning() + ", SQL "
            + i.sqlRunning() + ")" + (i.error() == null ? "" : ": " + i.error()));
      }
      if (Boolean.FALSE.equals(i.usingGtid())) {
        problems.add(i.key() + " does not replicate by GTID");
      }
      if (i.heartbeatAgeSeconds() == null) {
        problems.add(i.key() + " reports no pt-heartbeat lag (no heartbeat row)");
      }
      if (primary != null) {
        InstanceStatus p = writable.get(0);
        GtidSet mine = GtidSet.parse(flavor, i.gtidExecuted());
        GtidSet theirs = GtidSet.parse(flavor, p.gtidExecuted());
        if (!mine.isSubsetOf(theirs)) {
          problems.add(i.key() + " has transactions the primary lacks: " + mine.subtract(theirs));
        }
      }
    }
    if (s.kvError() != null) {
      problems.add("KV: " + s.kvError());
    } else if (primary != null && !primary.equals(s.kvPrimary())) {
      problems.add("KV names " + s.kvPrimary() + " as primary, but the writable instance is " + primary);
    }
    for (RouteStatus r : s.routes()) {
      if (r.error() != null) {
        problems.add("HAProxy " + r.haproxy() + ": " + r.error());
      } else if (primary != null && !r.writers().equals(List.of(primary))) {
        problems.add("HAProxy " + r.haproxy() + " writer backend serves " + r.writers() + ", expected ["
            + primary + "]");
      }
    }
    return problems;
  }
}
