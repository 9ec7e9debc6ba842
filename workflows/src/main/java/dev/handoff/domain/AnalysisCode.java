package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Verdict of cluster health detection; the CamelCase wire name is what the CLI, ops-ui and alerts show. */
public enum AnalysisCode {
  NO_PROBLEM("NoProblem"),
  DEAD_PRIMARY("DeadPrimary"),
  UNREACHABLE_PRIMARY("UnreachablePrimary"),
  ALL_REPLICAS_STOPPED("AllReplicasStopped"),
  REPLICA_LAGGING("ReplicaLagging"),
  ERRANT_GTID("ErrantGtid"),
  /** The topology's primary answers but is read-only and no other instance is writable: nobody takes writes. */
  NO_WRITABLE_PRIMARY("NoWritablePrimary"),
  /** More than one instance is writable: every one but the topology's primary must be set read-only. */
  MULTIPLE_WRITABLE("MultipleWritable"),
  /** The primary fell back from semi-sync to asynchronous replication: acknowledged writes can be lost. */
  SEMI_SYNC_DEGRADED("SemiSyncDegraded"),
  /** The detector cannot see the cluster (the KV store, or every replica, unreachable): nothing can be confirmed. */
  DETECTION_BLIND("DetectionBlind");

  private final String wireName;

  AnalysisCode(String wireName) {
    this.wireName = wireName;
  }

  /** The stable display/wire name, e.g. "DeadPrimary". */
  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** Accepts the wire name ("DeadPrimary") or the constant name ("DEAD_PRIMARY"). */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static AnalysisCode fromString(String text) {
    for (AnalysisCode c : values()) {
      if (c.wireName.equals(text) || c.name().equals(text)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown analysis code '" + text + "'");
  }

  /** True only for DeadPrimary, the one code that starts an unplanned failover. */
  public boolean triggersFailover() {
    return this == DEAD_PRIMARY;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
