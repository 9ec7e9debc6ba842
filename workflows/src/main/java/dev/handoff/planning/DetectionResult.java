package dev.handoff.planning;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.InstanceKey;
import java.util.List;

/**
 * Verdict of one detection pass, with the evidence in words and the instances it concerns.
 *
 * @param code the verdict; only DeadPrimary starts an unplanned failover
 * @param detail one line for the operator
 * @param affected the instances the verdict is about (the primary, or the lagging/errant replicas)
 */
public record DetectionResult(AnalysisCode code, String detail, List<InstanceKey> affected) {

  public DetectionResult {
    affected = affected == null ? List.of() : List.copyOf(affected);
  }
}
