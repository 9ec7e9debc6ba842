package dev.handoff.recovery;

import dev.handoff.runbook.StepRecord;
import java.util.List;

/**
 * An unplanned failover of {@code cluster}: started by its watch (automatic), by an operator
 * ({@code forced}, which skips the cooldown but not the dead-primary confirmation), or handed over by a
 * planned switchover whose old primary died before promotion ({@code handover}).
 *
 * @param semiSyncDegradedSinceMillis when the watch saw the primary fall back to asynchronous replication
 *     (0: it did not); the result then warns that acknowledged writes since then may be lost
 * @param handover what the planned switchover did and why it handed over; null for any other recovery
 */
public record RecoveryRequest(String cluster, boolean forced, String reason, long semiSyncDegradedSinceMillis,
    Handover handover) {

  public RecoveryRequest(String cluster, boolean forced, String reason, long semiSyncDegradedSinceMillis) {
    this(cluster, forced, reason, semiSyncDegradedSinceMillis, null);
  }

  public RecoveryRequest(String cluster, boolean forced, String reason) {
    this(cluster, forced, reason, 0);
  }

  /**
   * A planned switchover (same workflow ID) that stopped before promotion because its old primary died.
   *
   * @param candidate the replica it was switching to
   * @param why the step that failed, and the confirmed death
   * @param steps the switchover's step records, which the recovery's progress continues
   */
  public record Handover(String candidate, String why, List<StepRecord> steps) {
    public Handover {
      steps = steps == null ? List.of() : List.copyOf(steps);
    }
  }
}
