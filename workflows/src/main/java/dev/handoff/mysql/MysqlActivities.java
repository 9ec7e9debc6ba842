package dev.handoff.mysql;

import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.StepDone;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Every step that touches a database instance. Each one reads the state first and does nothing when
 * its postcondition already holds, so a retry after a worker crash is safe. Each one takes one request record
 * and returns one result record (nested here): a field can be added to either without breaking a running
 * history. A result's {@code detail} says what the step found and did; none holds a credential.
 */
@ActivityInterface
public interface MysqlActivities {

  /** Reads every configured instance of the cluster; an unreachable one is reported, not thrown. */
  Inspection inspectCluster(InspectCluster request);

  record InspectCluster(String cluster) {
  }

  /** Every configured instance of the cluster as read, in configuration order. */
  record Inspection(List<InstanceSnapshot> instances) {
  }

  /**
   * As {@link #inspectCluster}, without connecting to the {@code skipped} instances (one the runbook fenced
   * as dead: a frozen server accepts the connection and never answers, so reading it only waits out a
   * timeout). Each skipped instance is reported unreachable, its error saying it was skipped.
   */
  Inspection inspectClusterExcept(InspectClusterExcept request);

  record InspectClusterExcept(String cluster, List<InstanceKey> skipped) {
  }

  /**
   * Postcondition: {@code replica} replicates from {@code source} by GTID, stably: both threads running,
   * the IO thread connected and no SQL error, seen twice about a second apart (not for an instant). It lost
   * nothing it had: it is stopped first, and moved once the source has executed its position. When the
   * source is a primary (it replicates from nothing) and lacks transactions the replica has, it fails at
   * once with the non-retryable type {@code ErrantGtid}: the source will never have them.
   */
  StepDone moveReplica(MoveReplica request);

  record MoveReplica(String cluster, InstanceKey replica, InstanceKey source) {
  }

  /**
   * Postcondition: {@code read_only} on the instance equals {@code readOnly}. Returns the instance's
   * GTID position after the change ({@link ReadOnlyResult#gtidPosition}), which on a primary just set
   * read-only is final.
   */
  ReadOnlyResult setReadOnly(SetReadOnly request);

  record SetReadOnly(String cluster, InstanceKey instance, boolean readOnly) {
  }

  /** The instance's {@code read_only} now, and its GTID position read after the change. */
  record ReadOnlyResult(InstanceKey instance, boolean readOnly, String gtidPosition, String detail) {
  }

  /** Postcondition: the instance has executed {@code gtid}. Heartbeats while it waits. */
  StepDone waitForGtid(WaitForGtid request);

  record WaitForGtid(String cluster, InstanceKey instance, String gtid, int timeoutSeconds) {
  }

  /**
   * Postcondition: the candidate replica has executed {@code gtid}. A stopped SQL thread is started first
   * (the last acknowledged writes may wait in its relay log). No fixed limit: it waits while the executed
   * position advances, heartbeating "executed X of Y", and gives up (non-retryable {@code CatchUpTimeout})
   * when it has not advanced for {@code stallSeconds}, or at once when the SQL thread stops on an error;
   * the failure names the reason (SQL thread stopped, error N and its message, or no progress).
   */
  StepDone catchUp(CatchUp request);

  record CatchUp(String cluster, InstanceKey instance, String gtid, int stallSeconds) {
  }

  /**
   * Postcondition: the replica's IO thread is stopped: it receives nothing more from its source (a dead
   * primary), while its SQL thread goes on applying what it received. Stopping it can wait on a source that
   * accepts TCP but never answers (a frozen primary: MariaDB's semi-sync replica opens a connection to it to
   * kill its dump thread), so a recovery stops every replica's IO thread while it chooses and catches up the
   * candidate, and the promotion and the moves that follow find them stopped. Heartbeats while it waits.
   * A replica whose SQL thread is stopped keeps its IO thread: with both stopped, MariaDB discards its relay
   * log (the last writes it received and never applied) as soon as either thread starts again.
   */
  StepDone stopReceiving(StopReceiving request);

  record StopReceiving(String cluster, InstanceKey replica) {
  }

  /**
   * Postcondition: the replica's IO thread runs (the undo of {@link #stopReceiving} when nothing was promoted),
   * unless both its threads are stopped: then it is left so (its relay log kept) and the answer says so.
   */
  StepDone resumeReceiving(ResumeReceiving request);

  record ResumeReceiving(String cluster, InstanceKey replica) {
  }

  /** Postcondition: the instance replicates from nothing, is writable, and is a semi-sync primary. */
  StepDone promote(Promote request);

  record Promote(String cluster, InstanceKey instance) {
  }

  /**
   * Postcondition: the instance is read-only, not a semi-sync primary, and replicates from {@code source}
   * by GTID, starting from what it has itself written.
   */
  StepDone rejoinAsReplica(RejoinAsReplica request);

  record RejoinAsReplica(String cluster, InstanceKey instance, InstanceKey source) {
  }
}
