package dev.handoff.detection;

/**
 * Whether a failover runbook (planned or unplanned) holds a cluster right now. The watch never changes an
 * instance while one does: mid-switchover the new primary is writable before the KV names it.
 */
@FunctionalInterface
public interface RunbookLock {

  /** True when the cluster's failover workflow is running, or when that cannot be known. */
  boolean held(String cluster);
}
