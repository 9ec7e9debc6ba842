package dev.handoff.recovery;

/**
 * An unplanned failover of {@code cluster}: started by its watch (automatic) or by an operator
 * ({@code forced}, which skips the cooldown but not the dead-primary confirmation).
 *
 * @param semiSyncDegradedSinceMillis when the watch saw the primary fall back to asynchronous replication
 *     (0: it did not); the result then warns that acknowledged writes since then may be lost
 */
public record UnplannedRequest(String cluster, boolean forced, String reason, long semiSyncDegradedSinceMillis) {

  public UnplannedRequest(String cluster, boolean forced, String reason) {
    this(cluster, forced, reason, 0);
  }
}
