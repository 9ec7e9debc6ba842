package dev.handoff.detection;

import io.temporal.activity.ActivityInterface;

/** What a cluster's watch asks of one worker on that worker's own task queue. */
@ActivityInterface
public interface LocalProbeActivities {

  /** This worker's detector probes the cluster at once (an alert came); it reports as always. */
  void probeHere(ProbeHere request);

  record ProbeHere(String cluster) {
  }
}
