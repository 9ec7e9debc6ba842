package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.temporal.failure.ApplicationFailure;
import java.util.Arrays;

/**
 * Why a step or a runbook failed: the closed set of stable names carried in application failures and shown
 * (with {@link #meaning()}) by the CLI and the ops UI. A failure is raised only through its type
 * ({@link #failure}, {@link #nonRetryable}), so no activity can raise a type the CLI and UI do not know;
 * FailureTypeSourceScanTest checks the source tree for any other way.
 */
public enum FailureType implements WireNamed {
  ERRANT_GTID("ErrantGtid", "a replica has transactions the primary lacks"),
  CANDIDATE_LAGGING("CandidateLagging", "the candidate is too far behind the primary"),
  DDL_RUNNING("DdlRunning", "a schema change is running on the candidate"),
  CANDIDATE_NOT_REPLICATING("CandidateNotReplicating", "the candidate's replication threads are not both running"),
  CANDIDATE_UNREACHABLE("CandidateUnreachable", "the candidate does not answer"),
  UNKNOWN_INSTANCE("UnknownInstance", "the instance is not in the worker's configuration"),
  UNKNOWN_CLUSTER("UnknownCluster", "the cluster is not in the worker's configuration"),
  LONG_RUNNING_DML("LongRunningDml", "a long-running statement holds the primary"),
  PROMOTION_RULE_FORBIDS("PromotionRuleForbids", "the instance's promotion rule forbids promoting it"),
  HAPROXY_UNREACHABLE("HaproxyUnreachable", "a remote HAProxy's admin socket does not answer"),
  NO_ELIGIBLE_CANDIDATE("NoEligibleCandidate", "no replica may be promoted"),
  CANDIDATE_IS_PRIMARY("CandidateIsPrimary", "the candidate already is the primary"),
  /** A planned switchover needs a live primary; a dead one is the unplanned path. */
  PRIMARY_UNREACHABLE("PrimaryUnreachable", "the primary does not answer: use an unplanned failover"),
  /** The KV store holds a newer epoch than the runbook read: another change won. */
  STALE_EPOCH("StaleEpoch", "another change published a newer topology first"),
  /** The cluster's topology was never published to the KV store. */
  TOPOLOGY_MISSING("TopologyMissing", "the cluster's topology is not published in the KV store"),
  /** The KV primary is not the instance that is writable: fix the topology before switching over. */
  TOPOLOGY_MISMATCH("TopologyMismatch", "the KV store's primary is not the writable instance"),
  /** The candidate did not execute the primary's last transactions in time. */
  CATCH_UP_TIMEOUT("CatchUpTimeout", "the candidate did not apply the primary's last transactions in time"),
  /** An unplanned failover was asked for, but the analysis does not confirm a dead primary. */
  PRIMARY_NOT_DEAD("PrimaryNotDead", "the primary's death is not confirmed"),
  /** Automatic recovery is blocked by the cooldown after the last one, or by maintenance mode. */
  RECOVERY_BLOCKED("RecoveryBlocked", "automatic recovery is blocked (cooldown or maintenance)"),
  /** A HAProxy did not route to the new primary after the repoint. */
  HAPROXY_NOT_REPOINTED("HaproxyNotRepointed", "a HAProxy does not route writes where it should"),
  /** pt-heartbeat rows did not advance on the new primary. */
  HEARTBEAT_NOT_ADVANCING("HeartbeatNotAdvancing", "pt-heartbeat rows do not advance on the primary"),
  /** A database instance (or a HAProxy admin socket) did not answer, or refused the statement. */
  INSTANCE_UNREACHABLE("InstanceUnreachable", "a database instance or admin socket did not answer or refused the statement"),
  /** Replication was started but its IO or SQL thread is not running. */
  REPLICATION_NOT_RUNNING("ReplicationNotRunning", "replication did not start (IO or SQL thread stopped)"),
  /** The KV store did not answer (read or transaction). */
  KV_UNAVAILABLE("KvUnavailable", "the KV store does not answer"),
  /**
   * {@code SET GLOBAL read_only = 1} waited out its lock wait timeout: a long DML, LOCK TABLES or another lock
   * held on the primary kept it from taking effect (and held new writes back while it waited).
   */
  READ_ONLY_BLOCKED("ReadOnlyBlocked", "read_only could not be set: a statement or lock on the primary held it off"),
  /** pt-heartbeat could not be started against the new primary. */
  HEARTBEAT_NOT_STARTED("HeartbeatNotStarted", "pt-heartbeat could not be started"),
  /** The pt-heartbeat writing to the old primary could not be stopped. */
  HEARTBEAT_NOT_STOPPED("HeartbeatNotStopped", "the old pt-heartbeat could not be stopped"),
  /** The worker running the step was shut down while it waited. */
  INTERRUPTED("Interrupted", "the worker running the step was shut down"),
  /** A step (or the runbook) ran out of time: its worker died, or what it waited on never answered. */
  TIMEOUT("Timeout", "a step or the runbook ran out of time (a worker died, or something never answered)"),
  /** The watch's repair ran, but the instance did not take the change. */
  REPAIR_NOT_APPLIED("RepairNotApplied", "the repair ran but the instance did not take it"),
  /** A repair was asked for an analysis that has none. */
  NO_REPAIR("NoRepair", "that analysis has no repair"),
  /** Anything else a failure carried: an exception an activity did not expect (a bug), named in its message. */
  UNEXPECTED("Unexpected", "an error Handoff did not expect (a bug): its message and the worker's log name it");

  private final String wire;
  private final String meaning;

  FailureType(String wire, String meaning) {
    this.wire = wire;
    this.meaning = meaning;
  }

  /** The stable name on the wire and in the CLI ({@code ErrantGtid}). */
  @Override
  public String wireName() {
    return wire;
  }

  /** What the type means, for an operator. */
  public String meaning() {
    return meaning;
  }

  /** A failure of this type that Temporal retries under the activity's retry policy. */
  public ApplicationFailure failure(String message) {
    return ApplicationFailure.newFailure(message, wire);
  }

  /** A failure of this type that no retry can fix. */
  public ApplicationFailure nonRetryable(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, wire);
  }

  /**
   * The type a failure carried ({@code ApplicationFailure.getType()}): one of these by its wire name, or
   * {@link #UNEXPECTED} for any other name (an exception class an activity did not catch); null for null.
   */
  @JsonCreator
  public static FailureType fromWire(String wire) {
    if (wire == null) {
      return null;
    }
    return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst().orElse(UNEXPECTED);
  }

  @Override
  public String toString() {
    return wire;
  }
}
