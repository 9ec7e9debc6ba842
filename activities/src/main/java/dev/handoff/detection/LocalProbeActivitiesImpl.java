package dev.handoff.detection;

/** A worker's answer to its watch's request to probe now: its own detector's next probe runs at once. */
public record LocalProbeActivitiesImpl(WorkerDetector detector) implements LocalProbeActivities {
  @Override
  public void probeHere(ProbeHere request) {
    detector.probeNow(request.cluster());
  }
}
