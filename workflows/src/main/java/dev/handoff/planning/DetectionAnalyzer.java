package dev.handoff.planning;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.GtidSet;
import dev.handoff.domain.InstanceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Holistic detection: a primary is dead only when the worker cannot reach it and every reachable
 * replica agrees, so a partition between the worker and the primary never triggers a failover.
 */
public final class DetectionAnalyzer {

  private DetectionAnalyzer() {}

  /**
   * Primary unreachable: DeadPrimary if at least one replica is reachable and every reachable one
   * agrees (IO not connected, or no event for longer than the limit), else UnreachablePrimary.
   * Primary reachable, in this order: AllReplicasStopped (none replicating), ErrantGtid (a replica
   * has transactions the primary lacks), ReplicaLagging, NoProblem.
   */
  public static DetectionResult analyze(DetectionInput in, DetectionLimits limits) {
    InstanceKey primary = in.primary();
    List<ReplicaView> reachable = in.replicas().stream().filter(ReplicaView::reachable).toList();
    if (!in.primaryReachable()) {
      if (reachable.isEmpty()) {
        return new DetectionResult(AnalysisCode.UNREACHABLE_PRIMARY, "primary " + primary
            + " is unreachable from the worker and no replica is reachable to confirm it is dead; no action",
            List.of(primary));
      }
      List<ReplicaView> dissent = reachable.stream().filter(r -> !agreesDead(r, limits)).toList();
      if (dissent.isEmpty()) {
        return new DetectionResult(AnalysisCode.DEAD_PRIMARY, "primary " + primary
            + " is unreachable from the worker and all " + reachable.size() + " reachable replicas agree: "
            + reachable.stream().map(r -> r.key() + " (" + evidence(r) + ")").collect(Collectors.joining(", ")),
            List.of(primary));
      }
      return new DetectionResult(AnalysisCode.UNREACHABLE_PRIMARY, "primary " + primary
          + " is unreachable from the worker, but "
          + dissent.stream().map(r -> r.key() + " (" + evidence(r) + ")").collect(Collectors.joining(", "))
          + " still hear" + (dissent.size() == 1 ? "s" : "") + " from it; no action", List.of(primary));
    }
    if (!in.replicas().isEmpty() && in.replicas().stream().noneMatch(ReplicaView::replicating)) {
      return new DetectionResult(AnalysisCode.ALL_REPLICAS_STOPPED, "no replica of primary " + primary
          + " is replicating: " + in.replicas().stream().map(r -> r.key() + " (" + evidence(r) + ")")
              .collect(Collectors.joining(", ")), keys(in.replicas()));
    }
    List<InstanceKey> errant = new ArrayList<>();
    List<String> errantText = new ArrayList<>();
    GtidSet p = parseOrNull(in);
    if (p != null) {
      for (ReplicaView r : reachable) {
        GtidSet extra;
        try {
          extra = GtidSet.parse(in.flavor(), r.gtidExecuted()).subtract(p);
        } catch (IllegalArgumentException e) {
          continue; // an unreadable set proves nothing either way; the pre-checks will refuse it
        }
        if (!extra.isEmpty()) {
          errant.add(r.key());
          errantText.add(r.key() + " has " + extra);
        }
      }
    }
    if (!errant.isEmpty()) {
      return new DetectionResult(AnalysisCode.ERRANT_GTID, "transactions primary " + primary + " lacks: "
          + String.join("; ", errantText), errant);
    }
    List<ReplicaView> lagging = reachable.stream().filter(ReplicaView::replicating)
        .filter(r -> r.lagSeconds() != null && r.lagSeconds() > limits.maxLagSeconds()).toList();
    if (!lagging.isEmpty()) {
      return new DetectionResult(AnalysisCode.REPLICA_LAGGING, lagging.stream()
          .map(r -> r.key() + " lags " + Format.seconds(r.lagSeconds()) + " s")
          .collect(Collectors.joining(", ")) + " (limit " + Format.seconds(limits.maxLagSeconds()) + " s)",
          keys(lagging));
    }
    return new DetectionResult(AnalysisCode.NO_PROBLEM, "primary " + primary + " is reachable and "
        + in.replicas().size() + " replicas are healthy enough", List.of());
  }

  /** A replica agrees the primary is dead when its IO thread is not connected or heard nothing for too long. */
  static boolean agreesDead(ReplicaView r, DetectionLimits limits) {
    return !r.ioConnected()
        || (r.secondsSinceLastEvent() != null && r.secondsSinceLastEvent() > limits.maxSecondsSinceLastEvent());
  }

  private static String evidence(ReplicaView r) {
    if (!r.reachable()) {
      return "unreachable";
    }
    if (!r.ioConnected()) {
      return "IO " + (r.ioThreadRunning() ? "not connected" : "stopped")
          + (r.lastIoError() == null || r.lastIoError().isBlank() ? "" : ": " + r.lastIoError().strip());
    }
    String since = r.secondsSinceLastEvent() == null ? "unknown" : Format.seconds(r.secondsSinceLastEvent()) + " s ago";
    return (r.sqlThreadRunning() ? "connected" : "connected, SQL stopped") + ", last event " + since;
  }

  /** The primary's executed set, or null when unknown or unreadable (the errant check is then skipped). */
  private static GtidSet parseOrNull(DetectionInput in) {
    if (in.flavor() == null || in.primaryGtidExecuted() == null) {
      return null;
    }
    try {
      return GtidSet.parse(in.flavor(), in.primaryGtidExecuted());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static List<InstanceKey> keys(List<ReplicaView> views) {
    return views.stream().map(ReplicaView::key).toList();
  }
}
