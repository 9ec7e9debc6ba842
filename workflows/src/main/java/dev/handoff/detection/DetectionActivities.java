package dev.handoff.detection;

import dev.handoff.domain.InstanceKey;
import dev.handoff.planning.DetectionResult;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/** Holistic failure detection: the worker's own probe of the primary plus every replica's view of it. */
@ActivityInterface
public interface DetectionActivities {

  /** One probe of the cluster whose primary the KV store names; changes nothing. */
  DetectionResult probeCluster(String cluster);

  /**
   * Probes the cluster every {@code probeIntervalMillis}, heartbeating each cycle, and returns when a
   * dead primary is confirmed by {@code confirmations} consecutive probes, when the analysis differs from
   * {@code lastReported}, or after {@code maxRunMillis}. Each cycle also sets read-only any instance of
   * {@code fenced} that answers writable (a failed-over primary that came back): postcondition of that
   * part, none of them is writable while reachable.
   */
  DetectionResult watchCluster(String cluster, WatchSettings settings, String lastReported, List<InstanceKey> fenced);
}
