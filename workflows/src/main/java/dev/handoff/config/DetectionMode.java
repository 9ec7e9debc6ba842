package dev.handoff.config;

import dev.handoff.domain.WireNamed;

/** Where a cluster's failure detection runs ({@code worker.detection} in handoff.yml). */
public enum DetectionMode implements WireNamed {
  /**
   * The default: every worker probes every configured cluster in a loop of its own and signals the
   * cluster's watch only what changed or calls for action. A healthy fleet costs Temporal nothing, and a
   * dead worker leaves the others detecting.
   */
  WORKERS,
  /**
   * The first design, kept for comparison ({@code ./handoff bench watch}) and as a fallback: the watch runs
   * the detector as one long activity per cluster that heartbeats every few seconds and completes every
   * minute (about a thousand Temporal actions per cluster-hour), and moves to another worker within its
   * 5 s heartbeat timeout when its worker dies.
   */
  ACTIVITY
}
