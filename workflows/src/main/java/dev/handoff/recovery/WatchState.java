package dev.handoff.recovery;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.InstanceKey;
import java.util.List;

/**
 * What a cluster's watch carries across continue-as-new (and so across every restart of every worker):
 * whether it is stopped, maintenance mode, the cooldown after a recovery that promoted, the back-off after
 * one that promoted nothing, when a repair that did not act is tried again, the instances recoveries fenced,
 * a fence still to undo, since when semi-sync is degraded, the last analysis and the latest events.
 *
 * @param blockedUntilMillis automatic recovery blocked until then (cooldown after a promotion; 0 none)
 * @param retryNotBeforeMillis no new automatic attempt before then (after one that promoted nothing; 0 none)
 * @param reportAgainAtMillis a repair (or an undo of a fence) that did not act is tried again then if its
 *     analysis still stands (0: none)
 * @param failedAttempts consecutive automatic attempts that promoted nothing
 * @param unfence a primary a recovery fenced without promoting anything, to route writes to again when it
 *     answers; null when none
 * @param unfenceEpoch the topology epoch at which {@code unfence} was fenced
 * @param semiSyncDegradedSinceMillis since when the primary replicates asynchronously (0: it does not)
 * @param workers the workers whose detectors reported to the watch, the latest last: an alert asks each of
 *     them to probe at once
 */
public record WatchState(
    boolean stopped,
    boolean maintenance,
    long blockedUntilMillis,
    long retryNotBeforeMillis,
    long reportAgainAtMillis,
    int failedAttempts,
    List<InstanceKey> fenced,
    InstanceKey unfence,
    long unfenceEpoch,
    long semiSyncDegradedSinceMillis,
    int recoveries,
    String lastRecovery,
    AnalysisCode lastAnalysis,
    String lastDetail,
    int alertsReceived,
    List<String> events,
    List<String> workers) {

  public WatchState {
    fenced = fenced == null ? List.of() : List.copyOf(fenced);
    events = events == null ? List.of() : List.copyOf(events);
    workers = workers == null ? List.of() : List.copyOf(workers);
  }

  public WatchState(boolean stopped, boolean maintenance, long blockedUntilMillis, long retryNotBeforeMillis,
      long reportAgainAtMillis, int failedAttempts, List<InstanceKey> fenced, InstanceKey unfence, long unfenceEpoch,
      long semiSyncDegradedSinceMillis, int recoveries, String lastRecovery, AnalysisCode lastAnalysis,
      String lastDetail, int alertsReceived, List<String> events) {
    this(stopped, maintenance, blockedUntilMillis, retryNotBeforeMillis, reportAgainAtMillis, failedAttempts, fenced,
        unfence, unfenceEpoch, semiSyncDegradedSinceMillis, recoveries, lastRecovery, lastAnalysis, lastDetail,
        alertsReceived, events, List.of());
  }

  public static WatchState initial() {
    return new WatchState(false, false, 0, 0, 0, 0, List.of(), null, 0, 0, 0, null, null, null, 0, List.of());
  }
}
