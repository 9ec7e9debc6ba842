package dev.handoff.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Stable names of refusals and failures, carried in application failures and shown by the CLI and ops-ui.
 * Every type an activity or a workflow raises is one of these (FailureTypeSourceScanTest checks the
 * source tree), and each has a meaning the CLI prints beside it.
 */
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
  /** A database instance (or a HAProxy admin socket) did not answer, or refused the statement. */
  public static final String INSTANCE_UNREACHABLE = "InstanceUnreachable";
  /** Replication was started but its IO or SQL thread is not running. */
  public static final String REPLICATION_NOT_RUNNING = "ReplicationNotRunning";
  /** The KV store did not answer (read or transaction). */
  public static final String KV_UNAVAILABLE = "KvUnavailable";
  /**
   * {@code SET GLOBAL read_only = 1} waited out its lock wait timeout: a long DML, LOCK TABLES or another lock
   * held on the primary kept it from taking effect (and held new writes back while it waited).
   */
  public static final String READ_ONLY_BLOCKED = "ReadOnlyBlocked";
  /** pt-heartbeat could not be started against the new primary. */
  public static final String HEARTBEAT_NOT_STARTED = "HeartbeatNotStarted";
  /** The pt-heartbeat writing to the old primary could not be stopped. */
  public static final String HEARTBEAT_NOT_STOPPED = "HeartbeatNotStopped";
  /** The worker running the step was shut down while it waited. */
  public static final String INTERRUPTED = "Interrupted";
  /** A step (or the runbook) ran out of time: its worker died, or what it waited on never answered. */
  public static final String TIMEOUT = "Timeout";
  /** The watch's repair ran, but the instance did not take the change. */
  public static final String REPAIR_NOT_APPLIED = "RepairNotApplied";
  /** A repair was asked for an analysis that has none. */
  public static final String NO_REPAIR = "NoRepair";

  private static final Map<String, String> MEANINGS = meanings();

  /** Every type above, for validation and documentation. */
  public static final Set<String> ALL = Set.copyOf(MEANINGS.keySet());

  private FailureType() {}

  private static Map<String, String> meanings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(ERRANT_GTID, "a replica has transactions the primary lacks");
    m.put(CANDIDATE_LAGGING, "the candidate is too far behind the primary");
    m.put(DDL_RUNNING, "a schema change is running on the candidate");
    m.put(CANDIDATE_NOT_REPLICATING, "the candidate's replication threads are not both running");
    m.put(CANDIDATE_UNREACHABLE, "the candidate does not answer");
    m.put(UNKNOWN_INSTANCE, "the instance is not in the worker's configuration");
    m.put(UNKNOWN_CLUSTER, "the cluster is not in the worker's configuration");
    m.put(LONG_RUNNING_DML, "a long-running statement holds the primary");
    m.put(PROMOTION_RULE_FORBIDS, "the instance's promotion rule forbids promoting it");
    m.put(HAPROXY_UNREACHABLE, "a remote HAProxy's admin socket does not answer");
    m.put(NO_ELIGIBLE_CANDIDATE, "no replica may be promoted");
    m.put(CANDIDATE_IS_PRIMARY, "the candidate already is the primary");
    m.put(PRIMARY_UNREACHABLE, "the primary does not answer: use an unplanned failover");
    m.put(STALE_EPOCH, "another change published a newer topology first");
    m.put(TOPOLOGY_MISSING, "the cluster's topology is not published in the KV store");
    m.put(TOPOLOGY_MISMATCH, "the KV store's primary is not the writable instance");
    m.put(CATCH_UP_TIMEOUT, "the candidate did not apply the primary's last transactions in time");
    m.put(PRIMARY_NOT_DEAD, "the primary's death is not confirmed");
    m.put(RECOVERY_BLOCKED, "automatic recovery is blocked (cooldown or maintenance)");
    m.put(HAPROXY_NOT_REPOINTED, "a HAProxy does not route writes where it should");
    m.put(HEARTBEAT_NOT_ADVANCING, "pt-heartbeat rows do not advance on the primary");
    m.put(INSTANCE_UNREACHABLE, "a database instance or admin socket did not answer or refused the statement");
    m.put(REPLICATION_NOT_RUNNING, "replication did not start (IO or SQL thread stopped)");
    m.put(KV_UNAVAILABLE, "the KV store does not answer");
    m.put(READ_ONLY_BLOCKED, "read_only could not be set: a statement or lock on the primary held it off");
    m.put(HEARTBEAT_NOT_STARTED, "pt-heartbeat could not be started");
    m.put(HEARTBEAT_NOT_STOPPED, "the old pt-heartbeat could not be stopped");
    m.put(INTERRUPTED, "the worker running the step was shut down");
    m.put(TIMEOUT, "a step or the runbook ran out of time (a worker died, or something never answered)");
    m.put(REPAIR_NOT_APPLIED, "the repair ran but the instance did not take it");
    m.put(NO_REPAIR, "that analysis has no repair");
    return m;
  }

  /** True when {@code type} is one of the stable names. */
  public static boolean isKnown(String type) {
    return type != null && ALL.contains(type);
  }

  /** What a type means, for an operator; null for a name that is not a Handoff failure type. */
  public static String meaning(String type) {
    return type == null ? null : MEANINGS.get(type);
  }
}
