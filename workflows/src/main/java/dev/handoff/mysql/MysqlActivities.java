package dev.handoff.mysql;

import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Every step that touches a database instance. Each one reads the state first and does nothing when
 * its postcondition already holds, so a retry after a worker crash is safe. The returned strings say
 * what the step found and did; they never hold a credential.
 */
@ActivityInterface
public interface MysqlActivities {

  /** Reads every configured instance of the cluster; an unreachable one is reported, not thrown. */
  List<InstanceSnapshot> inspectCluster(String cluster);

  /**
   * As {@link #inspectCluster}, without connecting to the {@code skipped} instances (one the runbook fenced
   * as dead: a frozen server accepts the connection and never answers, so reading it only waits out a
   * timeout). Each skipped instance is reported unreachable, its error saying it was skipped.
   */
  List<InstanceSnapshot> inspectClusterExcept(String cluster, List<InstanceKey> skipped);

  /**
   * Postcondition: {@code replica} replicates from {@code source} by GTID, stably: both threads running,
   * the IO thread connected and no SQL error, seen twice about a second apart (not for an instant). It lost
   * nothing it had: it is stopped first, and moved once the source has executed its position. When the
   * source is a primary (it replicates from nothing) and lacks transactions the replica has, it fails at
   * once with the non-retryable type {@code ErrantGtid}: the source will never have them.
   */
  String moveReplica(String cluster, InstanceKey replica, InstanceKey source);

  /**
   * Postcondition: {@code read_only} on the instance equals {@code readOnly}. Returns the instance's
   * GTID position after the change, which on a primary just set read-only is final.
   */
  String setReadOnly(String cluster, InstanceKey instance, boolean readOnly);

  /** Postcondition: the instance has executed {@code gtid}. Heartbeats while it waits. */
  String waitForGtid(String cluster, InstanceKey instance, String gtid, int timeoutSeconds);

  /**
   * Postcondition: the candidate replica has executed {@code gtid}. A stopped SQL thread is started first
   * (the last acknowledged writes may wait in its relay log). No fixed limit: it waits while the executed
   * position advances, heartbeating "executed X of Y", and gives up (non-retryable {@code CatchUpTimeout})
   * when it has not advanced for {@code stallSeconds}, or at once when the SQL thread stops on an error;
   * the failure names the reason (SQL thread stopped, error N and its message, or no progress).
   */
  String catchUp(String cluster, InstanceKey instance, String gtid, int stallSeconds);

  /**
   * Postcondition: the replica's IO thread is stopped: it receives nothing more from its source (a dead
   * primary), while its SQL thread goes on applying what it received. Stopping it can wait on a source that
   * accepts TCP but never answers (a frozen primary: MariaDB's semi-sync replica opens a connection to it to
   * kill its dump thread), so a recovery stops every replica's IO thread while it chooses and catches up the
   * candidate, and the promotion and the moves that follow find them stopped. Heartbeats while it waits.
   * A replica whose SQL thread is stopped keeps its IO thread: with both stopped, MariaDB discards its relay
   * log (the last writes it received and never applied) as soon as either thread starts again.
   */
  String stopReceiving(String cluster, InstanceKey replica);

  /**
   * Postcondition: the replica's IO thread runs (the undo of {@link #stopReceiving} when nothing was promoted),
   * unless both its threads are stopped: then it is left so (its relay log kept) and the answer says so.
   */
  String resumeReceiving(String cluster, InstanceKey replica);

  /** Postcondition: the instance replicates from nothing, is writable, and is a semi-sync primary. */
  String promote(String cluster, InstanceKey instance);

  /**
   * Postcondition: the instance is read-only, not a semi-sync primary, and replicates from {@code source}
   * by GTID, starting from what it has itself written.
   */
  String rejoinAsReplica(String cluster, InstanceKey instance, InstanceKey source);
}
