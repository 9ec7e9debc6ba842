package dev.handoff.planning;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.GtidSet;
import dev.handoff.domain.InstanceKey;
import dev.handoff.planning.ReplicaView.IoState;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Holistic detection: a primary is dead only when the worker cannot reach it and the replicas that
 * replicate from it agree, so a partition between the worker and the primary never triggers a failover.
 * Liveness is not lag: a replica says the primary is dead only when its IO thread lost the connection,
 * or received nothing at all (not even a heartbeat) for longer than the limit while it had applied all it
 * received. A replica that is not replicating from the primary has no say.
 */
public final class DetectionAnalyzer {

  private DetectionAnalyzer() {}

  /** What one instance says about the topology's primary. */
  public enum Vote {
    /** It replicates from the primary and lost it, or heard nothing for too long with nothing left to apply. */
    DEAD,
    /** It replicates from the primary and still hears from it (or cannot tell it is silent). */
    ALIVE,
    /** It does not replicate from the primary (unreachable, another source, not a replica, IO thread stopped). */
    ABSTAIN
  }

  /** The verdict when the KV store cannot be read: nothing can be confirmed, nothing is acted on. */
  public static DetectionResult kvBlind(String cluster, String error) {
    return new DetectionResult(AnalysisCode.DETECTION_BLIND, "the topology of " + cluster
        + " cannot be read from the KV store (" + error + "); no failure can be confirmed until it can", List.of());
  }

  /**
   * Primary unreachable: DetectionBlind when no other instance is reachable either; DeadPrimary when at
   * least one replica of it votes dead and none says it is alive; else UnreachablePrimary.
   * Primary reachable, in this order: DetectionBlind (no replica reachable), MultipleWritable,
   * NoWritablePrimary, SemiSyncDegraded, AllReplicasStopped, ErrantGtid, ReplicaLagging, NoProblem.
   */
  public static DetectionResult analyze(DetectionInput in, DetectionLimits limits) {
    InstanceKey primary = in.primary();
    List<ReplicaView> reachable = in.replicas().stream().filter(ReplicaView::reachable).toList();
    if (!in.primaryReachable()) {
      return primaryDown(in, limits, reachable);
    }
    if (!in.replicas().isEmpty() && reachable.isEmpty()) {
      return result(in, AnalysisCode.DETECTION_BLIND, "primary " + primary + " answers, but no replica is reachable ("
          + evidenceOf(in.replicas(), primary, limits) + "): a failure of the primary could not be confirmed",
          keys(in.replicas()));
    }
    List<ReplicaView> writable = reachable.stream().filter(r -> !r.readOnly()).toList();
    if (!writable.isEmpty() && !in.primaryReadOnly()) {
      return result(in, AnalysisCode.MULTIPLE_WRITABLE, "primary " + primary + " is writable and so "
          + (writable.size() == 1 ? "is " : "are ") + names(writable) + ", which the topology does not name primary",
          keys(writable));
    }
    if (in.primaryReadOnly()) {
      return result(in, AnalysisCode.NO_WRITABLE_PRIMARY, writable.isEmpty()
          ? "primary " + primary + " answers but is read-only and no other instance is writable: nobody takes writes"
          : "primary " + primary + " is read-only while " + names(writable) + (writable.size() == 1 ? " is" : " are")
              + " writable: the topology and the instances disagree", List.of(primary));
    }
    if (in.semiSyncDegraded()) {
      return result(in, AnalysisCode.SEMI_SYNC_DEGRADED, "primary " + primary
          + " has fallen back from semi-sync to asynchronous replication: acknowledged writes can be lost if it"
          + " dies now (replicas: " + evidenceOf(in.replicas(), primary, limits) + ")", List.of(primary));
    }
    if (!in.replicas().isEmpty() && in.replicas().stream().noneMatch(r -> r.replicatesFrom(primary))) {
      return result(in, AnalysisCode.ALL_REPLICAS_STOPPED, "no replica is replicating from primary " + primary + ": "
          + evidenceOf(in.replicas(), primary, limits), keys(in.replicas()));
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
      return result(in, AnalysisCode.ERRANT_GTID, "transactions primary " + primary + " lacks: "
          + String.join("; ", errantText) + " (a returned old primary's last writes, or a write to a replica):"
          + " save what is needed of those writes, then rebuild " + (errant.size() == 1 ? "it" : "them") + " from "
          + primary + "; until then it is no candidate for promotion", errant);
    }
    List<ReplicaView> lagging = reachable.stream().filter(r -> r.replicatesFrom(primary))
        .filter(r -> r.lagSeconds() != null && r.lagSeconds() > limits.maxLagSeconds()).toList();
    if (!lagging.isEmpty()) {
      return result(in, AnalysisCode.REPLICA_LAGGING, lagging.stream()
          .map(r -> r.key() + " lags " + Format.seconds(r.lagSeconds()) + " s")
          .collect(Collectors.joining(", ")) + " (limit " + Format.seconds(limits.maxLagSeconds()) + " s)",
          keys(lagging));
    }
    return result(in, AnalysisCode.NO_PROBLEM, "primary " + primary + " is writable and "
        + in.replicas().stream().filter(r -> r.replicatesFrom(primary)).count() + " of " + in.replicas().size()
        + " replicas replicate from it", List.of());
  }

  private static DetectionResult primaryDown(DetectionInput in, DetectionLimits limits, List<ReplicaView> reachable) {
    InstanceKey primary = in.primary();
    String unreachable = "primary " + primary + " is unreachable from the worker" + because(in.primaryError());
    if (reachable.isEmpty()) {
      return result(in, AnalysisCode.DETECTION_BLIND, unreachable + ", and no replica is reachable to confirm"
          + " anything (" + evidenceOf(in.replicas(), primary, limits) + "); no action", List.of(primary));
    }
    List<ReplicaView> dead = reachable.stream().filter(r -> vote(r, primary, limits) == Vote.DEAD).toList();
    List<ReplicaView> alive = reachable.stream().filter(r -> vote(r, primary, limits) == Vote.ALIVE).toList();
    if (!dead.isEmpty() && alive.isEmpty()) {
      return result(in, AnalysisCode.DEAD_PRIMARY, unreachable + ", and its replicas agree: "
          + evidenceOf(in.replicas(), primary, limits), List.of(primary));
    }
    return result(in, AnalysisCode.UNREACHABLE_PRIMARY, unreachable + ", but "
        + (alive.isEmpty() ? "no replica of it confirms it is dead" : names(alive) + " still hear"
            + (alive.size() == 1 ? "s" : "") + " from it")
        + " (" + evidenceOf(in.replicas(), primary, limits) + "); no action", List.of(primary));
  }

  /** What {@code r} says about {@code primary}: see {@link Vote}. */
  public static Vote vote(ReplicaView r, InstanceKey primary, DetectionLimits limits) {
    if (!r.reachable() || !primary.toString().equals(r.source())) {
      return Vote.ABSTAIN;
    }
    if (r.io() == IoState.CONNECTING) {
      return Vote.DEAD;
    }
    if (r.io() != IoState.CONNECTED) {
      return Vote.ABSTAIN; // stopped by someone: it is not listening, so its silence proves nothing
    }
    boolean silent = r.secondsSinceReceived() != null && r.secondsSinceReceived() > limits.maxSecondsSinceLastEvent();
    return silent && r.appliedAll() ? Vote.DEAD : Vote.ALIVE;
  }

  private static String evidenceOf(List<ReplicaView> views, InstanceKey primary, DetectionLimits limits) {
    if (views.isEmpty()) {
      return "no replicas configured";
    }
    return views.stream().map(r -> r.key() + " " + evidence(r, primary, limits)).collect(Collectors.joining(", "));
  }

  private static String evidence(ReplicaView r, InstanceKey primary, DetectionLimits limits) {
    if (!r.reachable()) {
      return "unreachable" + because(r.error());
    }
    if (r.source() == null) {
      return "not a replica" + (r.readOnly() ? "" : ", writable");
    }
    if (!primary.toString().equals(r.source())) {
      return "replicates from " + r.source() + ", not from the primary";
    }
    String sql = r.sqlThreadRunning() ? "" : ", SQL stopped";
    return switch (r.io()) {
      case CONNECTING -> "lost its connection" + because(r.lastIoError()) + sql;
      case STOPPED -> "IO thread stopped" + because(r.lastIoError()) + sql;
      case NONE -> "not a replica";
      case CONNECTED -> {
        String since = r.secondsSinceReceived() == null ? "not yet measured"
            : Format.seconds(r.secondsSinceReceived()) + " s ago";
        yield "connected, last received " + since + sql
            + (r.appliedAll() ? "" : ", still applying") + (vote(r, primary, limits) == Vote.DEAD ? " (silent)" : "");
      }
    };
  }

  private static String because(String error) {
    return error == null || error.isBlank() ? "" : " (" + error.strip() + ")";
  }

  private static DetectionResult result(DetectionInput in, AnalysisCode code, String detail, List<InstanceKey> affected) {
    return new DetectionResult(code, detail, affected, in.epoch(), in.primaryReachable() && in.semiSyncDegraded());
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

  private static String names(List<ReplicaView> views) {
    return views.stream().map(r -> r.key().toString()).collect(Collectors.joining(", "));
  }

  private static List<InstanceKey> keys(List<ReplicaView> views) {
    return views.stream().map(ReplicaView::key).toList();
  }
}
