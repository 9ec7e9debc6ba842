package dev.handoff.detection;

/** A worker's answers to its watch on its own queue: probe now, and what it saw last. */
public record LocalProbeActivitiesImpl(WorkerDetector detector) implements LocalProbeActivities {
  @Override
  public void probeHere(ProbeHere request) {
    detector.probeNow(request.cluster());
  }

  @Override
  public Latest latestHere(LatestHere request) {
    return detector.latest(request.cluster());
  }
}
