package dev.handoff.recovery;

import java.util.List;

/**
 * A cluster watch as an operator sees it.
 *
 * @param mode watching, maintenance, recovering, or stopped
 * @param blockedUntilMillis automatic recovery is blocked until then (epoch millis; 0 = not blocked)
 * @param events the latest notable events, newest last (analyses, alerts, recoveries, refusals)
 */
public record WatchStatus(
    String cluster,
    String mode,
    String lastAnalysis,
    String lastDetail,
    long blockedUntilMillis,
    int recoveries,
    String lastRecovery,
    int alertsReceived,
    List<String> events) {}
