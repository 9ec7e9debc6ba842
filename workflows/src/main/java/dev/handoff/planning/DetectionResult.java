package dev.handoff.planning;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.InstanceKey;
import java.util.List;

/**
 * Verdict of one detection pass, with the evidence in words and the instances it concerns.
 *
 * @param code the verdict; only DeadPrimary starts an unplanned failover
 * @param detail one line for the operator
 * @param affected the instances the verdict is about (the primary, or the lagging/errant/writable instances)
 * @param epoch the topology epoch the pass read; an action on this verdict re-checks it first (-1: unknown)
 * @param semiSyncDegraded the primary was seen replicating asynchronously although semi-sync is enabled
 */
public record DetectionResult(AnalysisCode code, String detail, List<InstanceKey> affected, long epoch,
    boolean semiSyncDegraded) {

  public DetectionResult {
    affected = affected == null ? List.of() : List.copyOf(affected);
  }

  public DetectionResult(AnalysisCode code, String detail, List<InstanceKey> affected) {
    this(code, detail, affected, -1, false);
  }
}
