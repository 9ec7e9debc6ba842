package dev.handoff.recovery;

import dev.handoff.domain.AnalysisCode;
import java.util.List;

/**
 * A cluster watch as an operator sees it.
 *
 * @param mode watching, maintenance, recovering, or stopped ({@link WatchMode})
 * @param lastAnalysis the latest analysis (NoProblem, DeadPrimary, DetectionBlind, ... on the wire)
 * @param blockedUntilMillis automatic recovery is blocked until then (epoch millis; 0 = not blocked)
 * @param retryNotBeforeMillis after an attempt that promoted nothing, no new one before then (0 = none)
 * @param semiSyncDegradedSinceMillis since when the primary replicates asynchronously (0 = it does not)
 * @param fenced old primaries that recoveries fenced
 * @param unfencePending a primary fenced by a recovery that promoted nothing, routed to again once it answers
 * @param events the latest notable events, newest last (analyses with the action taken, alerts, recoveries)
 */
public record WatchStatus(
    String cluster,
    WatchMode mode,
    AnalysisCode lastAnalysis,
    String lastDetail,
    long blockedUntilMillis,
    long retryNotBeforeMillis,
    long semiSyncDegradedSinceMillis,
    List<String> fenced,
    String unfencePending,
    int recoveries,
    String lastRecovery,
    int alertsReceived,
    List<String> events) {}
