package dev.handoff.recovery;

/**
 * An unplanned failover of {@code cluster}: started by its watch (automatic) or by an operator
 * ({@code forced}, which skips the cooldown but not the dead-primary confirmation).
 */
public record UnplannedRequest(String cluster, boolean forced, String reason) {}
