package dev.handoff.detection;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.InstanceKey;
import dev.handoff.planning.DetectionResult;
import io.temporal.activity.ActivityInterface;

/** Holistic failure detection: the worker's own probe of the primary plus every replica's view of it. */
@ActivityInterface
public interface DetectionActivities {

  /** One probe of the cluster whose primary the KV store names; changes nothing. */
  DetectionResult probeCluster(ProbeCluster request);

  record ProbeCluster(String cluster) {
  }

  /**
   * The watch's own look at the cluster, when the workers' reports do not cover the moment (an alert, an
   * acknowledgement, a recovery that ended, a repair to retry): one probe, as a worker's detector runs it.
   * Changes nothing.
   */
  DetectionResult watchProbe(WatchProbe request);

  record WatchProbe(String cluster) {
  }

  /**
   * Probes the cluster every {@code probeIntervalMillis} (backing off while it is blind), heartbeating each
   * cycle, and returns when the analysis differs from {@code lastReported}, when {@code actOnDeadPrimary}
   * and a dead primary is confirmed by {@code confirmations} consecutive probes, or after
   * {@code maxRunMillis}. Changes nothing. Only watches started before detection moved into the workers
   * run it.
   */
  DetectionResult watchCluster(WatchCluster request);

  record WatchCluster(String cluster, WatchSettings settings, AnalysisCode lastReported, boolean actOnDeadPrimary) {
  }

  /**
   * The safe action of a writer analysis, after re-checking every fact it rests on just before acting:
   * the topology is still at {@code epoch}, no failover of the cluster is running, and the instances still
   * show the problem. NoWritablePrimary: postcondition, the topology's primary is writable (when nothing
   * else is). MultipleWritable: postcondition, every reachable instance but the topology's primary is
   * read-only. Returns what it did, or, not acted, "no action: " and why.
   */
  ActionResult repair(Repair request);

  record Repair(String cluster, AnalysisCode code, long epoch) {
  }

  /**
   * Undoes the fence of a recovery that promoted nothing: when {@code primary} is still the topology's
   * primary at {@code epoch}, answers, and no failover runs, every remote HAProxy's writer backend serves it
   * again. Returns what it did, or, not acted, "no action: " and why (it does not answer yet, the topology
   * moved).
   */
  ActionResult restoreWriter(RestoreWriter request);

  record RestoreWriter(String cluster, InstanceKey primary, long epoch) {
  }

  /** Whether the action changed anything ({@code detail} then says what), or, not acted, why not. */
  record ActionResult(boolean acted, String detail) {
    /** The answer of an action that did nothing: its detail starts "no action: ". */
    public static ActionResult none(String why) {
      return new ActionResult(false, "no action: " + why);
    }
  }
}
