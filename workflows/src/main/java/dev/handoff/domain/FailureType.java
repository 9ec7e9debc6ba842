package dev.handoff.domain;

import java.util.Set;

/** Stable names of refusals and failures, carried in application failures and shown by the CLI and ops-ui. */
public final class FailureType {
  public static final String ERRANT_GTID = "ErrantGtid";
  public static final String CANDIDATE_LAGGING = "CandidateLagging";
  public static final String DDL_RUNNING = "DdlRunning";
  public static final String CANDIDATE_NOT_REPLICATING = "CandidateNotReplicating";
  public static final String CANDIDATE_UNREACHABLE = "CandidateUnreachable";
  public static final String UNKNOWN_INSTANCE = "UnknownInstance";
  public static final String UNKNOWN_CLUSTER = "UnknownCluster";
  public static final String LONG_RUNNING_DML = "LongRunningDml";
  public static final String PROMOTION_RULE_FORBIDS = "PromotionRuleForbids";
  public static final String HAPROXY_UNREACHABLE = "HaproxyUnreachable";
  public static final String NO_ELIGIBLE_CANDIDATE = "NoEligibleCandidate";
  public static final String CANDIDATE_IS_PRIMARY = "CandidateIsPrimary";
  /** A planned switchover needs a live primary; a dead one is the unplanned path. */
  public static final String PRIMARY_UNREACHABLE = "PrimaryUnreachable";
  /** The KV store holds a newer epoch than the runbook read: another change won. */
  public static final String STALE_EPOCH = "StaleEpoch";
  /** The cluster's topology was never published to the KV store. */
  public static final String TOPOLOGY_MISSING = "TopologyMissing";
  /** The KV primary is not the instance that is writable: fix the topology before switching over. */
  public static final String TOPOLOGY_MISMATCH = "TopologyMismatch";
  /** The candidate did not execute the primary's last transactions in time. */
  public static final String CATCH_UP_TIMEOUT = "CatchUpTimeout";
  /** An unplanned failover was asked for, but the analysis does not confirm a dead primary. */
  public static final String PRIMARY_NOT_DEAD = "PrimaryNotDead";
  /** Automatic recovery is blocked by the cooldown after the last one, or by maintenance mode. */
  public static final String RECOVERY_BLOCKED = "RecoveryBlocked";
  /** A HAProxy did not route to the new primary after the repoint. */
  public static final String HAPROXY_NOT_REPOINTED = "HaproxyNotRepointed";
  /** pt-heartbeat rows did not advance on the new primary. */
  public static final String HEARTBEAT_NOT_ADVANCING = "HeartbeatNotAdvancing";

  /** Every type above, for validation and documentation. */
  public static final Set<String> ALL = Set.of(
      ERRANT_GTID, CANDIDATE_LAGGING, DDL_RUNNING, CANDIDATE_NOT_REPLICATING, CANDIDATE_UNREACHABLE,
      UNKNOWN_INSTANCE, UNKNOWN_CLUSTER, LONG_RUNNING_DML, PROMOTION_RULE_FORBIDS, HAPROXY_UNREACHABLE,
      NO_ELIGIBLE_CANDIDATE, CANDIDATE_IS_PRIMARY, PRIMARY_UNREACHABLE, STALE_EPOCH, TOPOLOGY_MISSING,
      TOPOLOGY_MISMATCH, CATCH_UP_TIMEOUT, HAPROXY_NOT_REPOINTED, PRIMARY_NOT_DEAD, RECOVERY_BLOCKED,
      HEARTBEAT_NOT_ADVANCING);

  private FailureType() {}

  /** True when {@code type} is one of the stable names. */
  public static boolean isKnown(String type) {
    return type != null && ALL.contains(type);
  }
}
