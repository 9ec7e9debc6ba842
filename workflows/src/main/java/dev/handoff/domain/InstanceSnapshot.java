package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Everything a worker reads from one instance in one pass: the one shape an instance is read into, so
 * pre-checks, candidate choice, detection's view and the operator's status are pure functions of these
 * snapshots.
 *
 * @param key the instance
 * @param reachable whether the worker could connect and read it
 * @param error why it is unreachable (no secret), null when reachable
 * @param serverId @@server_id
 * @param serverUuid MySQL @@server_uuid, null on MariaDB
 * @param flavor from @@version, null when never reached
 * @param version @@version
 * @param readOnly @@read_only (or super_read_only on MySQL)
 * @param gtidExecuted MariaDB gtid_current_pos, MySQL gtid_executed ("" when none)
 * @param replication replica status, null when it is not a replica
 * @param ddlRunning a DDL statement is running (process list; read for pre-checks only, false in the
 *     snapshots detection and status read)
 * @param longestDmlSeconds age of the oldest running DML or open write transaction, 0 when none (or not
 *     read, as {@code ddlRunning})
 * @param promotionRule from the cluster config; null is read as neutral
 * @param heartbeatAgeSeconds age of the newest pt-heartbeat row it holds, whatever its role; null when
 *     unknown (no row, no table, or not read)
 * @param semiSyncDegraded semi-sync is enabled on its primary side but it replicates asynchronously now
 */
public record InstanceSnapshot(
    InstanceKey key,
    boolean reachable,
    String error,
    long serverId,
    String serverUuid,
    Flavor flavor,
    String version,
    boolean readOnly,
    String gtidExecuted,
    ReplicationStatus replication,
    boolean ddlRunning,
    long longestDmlSeconds,
    PromotionRule promotionRule,
    Double heartbeatAgeSeconds,
    boolean semiSyncDegraded) {

  /** Requires a key; a null GTID string is "" and a null rule is neutral. */
  public InstanceSnapshot {
    if (key == null) {
      throw new IllegalArgumentException("an instance snapshot needs a key");
    }
    gtidExecuted = gtidExecuted == null ? "" : gtidExecuted;
    promotionRule = promotionRule == null ? PromotionRule.NEUTRAL : promotionRule;
  }

  /** A snapshot without pt-heartbeat's age and the semi-sync state (unknown, not degraded). */
  public InstanceSnapshot(InstanceKey key, boolean reachable, String error, long serverId, String serverUuid,
      Flavor flavor, String version, boolean readOnly, String gtidExecuted, ReplicationStatus replication,
      boolean ddlRunning, long longestDmlSeconds, PromotionRule promotionRule) {
    this(key, reachable, error, serverId, serverUuid, flavor, version, readOnly, gtidExecuted, replication,
        ddlRunning, longestDmlSeconds, promotionRule, null, false);
  }

  /** The snapshot of an instance the worker could not reach. */
  public static InstanceSnapshot unreachable(InstanceKey key, PromotionRule rule, String error) {
    return new InstanceSnapshot(key, false, error, 0, null, null, null, false, "", null, false, 0, rule);
  }

  /** The executed GTID set, parsed with this instance's flavor. */
  @JsonIgnore
  public GtidSet executedSet() {
    return GtidSet.parse(requireFlavor(), gtidExecuted);
  }

  /** What it has received: executed plus relay-logged (Gtid_IO_Pos / Retrieved_Gtid_Set). */
  @JsonIgnore
  public GtidSet receivedSet() {
    GtidSet executed = executedSet();
    return replication == null ? executed : executed.union(GtidSet.parse(flavor, replication.gtidReceived()));
  }

  /** Reachable, both threads running, and its source is {@code source}. */
  @JsonIgnore
  public boolean replicatesFrom(InstanceKey source) {
    return reachable && replication != null && replication.threadsRunning()
        && source != null && source.equals(replication.sourceKey());
  }

  /** Replication lag (heartbeat first), null when unknown or not a replica. */
  @JsonIgnore
  public Double lagSeconds() {
    return replication == null ? null : replication.lagSeconds();
  }

  /** The id GTIDs it originates carry: MariaDB server_id, MySQL server_uuid; null when unknown. */
  @JsonIgnore
  public String originId() {
    if (flavor == Flavor.MARIADB) {
      return serverId > 0 ? Long.toString(serverId) : null;
    }
    return serverUuid == null || serverUuid.isBlank() ? null : serverUuid;
  }

  private Flavor requireFlavor() {
    if (flavor == null) {
      throw new IllegalStateException("flavor of " + key + " is unknown (was it ever reached?)");
    }
    return flavor;
  }
}
