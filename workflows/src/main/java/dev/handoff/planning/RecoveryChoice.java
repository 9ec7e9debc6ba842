package dev.handoff.planning;

import dev.handoff.domain.FailureType;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.handoff.domain.InstanceKey;
import java.util.Map;
import java.util.TreeMap;

/**
 * Candidate picked for an unplanned failover, and whether another replica holds transactions it lacks
 * (then the workflow lets the candidate catch up from {@code aheadReplica} before promoting it).
 *
 * @param candidate the replica to promote; null when none is eligible
 * @param anotherReplicaAhead true when {@code aheadReplica} has transactions the candidate has not received
 * @param aheadReplica the most advanced such replica, null when none
 * @param aheadGtids what the ahead replica has that the candidate lacks, "" when none
 * @param excluded replica key to why it could not be the candidate (unreachable, must_not, errant, broken SQL thread)
 * @param failureType null when a candidate was found, else NoEligibleCandidate
 * @param detail one line for the operator
 */
public record RecoveryChoice(
    InstanceKey candidate,
    boolean anotherReplicaAhead,
    InstanceKey aheadReplica,
    String aheadGtids,
    Map<String, String> excluded,
    FailureType failureType,
    String detail) {

  public RecoveryChoice {
    aheadGtids = aheadGtids == null ? "" : aheadGtids;
    excluded = excluded == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(excluded));
  }

  /** True when a candidate was found. */
  @JsonIgnore
  public boolean found() {
    return candidate != null;
  }
}
