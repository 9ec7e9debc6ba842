package dev.handoff.recovery;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The single watch of one cluster (workflow ID {@code watch-<cluster>}): runs the detector, starts an
 * unplanned failover on a confirmed dead primary, then blocks further automatic recoveries for the
 * cooldown unless acknowledged. Its detector activity heartbeats, so a dead worker's watch moves on.
 */
@WorkflowInterface
public interface ClusterWatchWorkflow {

  @WorkflowMethod
  void watch(WatchRequest request);

  /** An alert (or an operator) asks for a probe now. An alert alone never promotes anything. */
  @SignalMethod
  void probeNow(String reason);

  /** Lifts the cooldown after a recovery: the next confirmed dead primary is recovered again. */
  @SignalMethod
  void acknowledge(String by);

  /** Maintenance on: no automatic recovery at all (detection keeps reporting). */
  @SignalMethod
  void setMaintenance(boolean on);

  @SignalMethod
  void stop(String by);

  @QueryMethod
  WatchStatus status();
}
