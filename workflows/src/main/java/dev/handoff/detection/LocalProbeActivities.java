package dev.handoff.detection;

import dev.handoff.domain.AnalysisCode;
import io.temporal.activity.ActivityInterface;

/** What a cluster's watch asks of one worker on that worker's own task queue. */
@ActivityInterface
public interface LocalProbeActivities {

  /** This worker's detector probes the cluster at once (an alert came); it reports as always. */
  void probeHere(ProbeHere request);

  record ProbeHere(String cluster) {
  }

  /** What this worker's detector saw of the cluster at its latest probe; changes nothing. */
  Latest latestHere(LatestHere request);

  record LatestHere(String cluster) {
  }

  /**
   * One worker's latest analysis of a cluster.
   *
   * @param code null when this worker has not probed the cluster (it does not watch it)
   * @param ageMillis how long ago that probe ended
   */
  record Latest(AnalysisCode code, String detail, long ageMillis) {
  }
}
