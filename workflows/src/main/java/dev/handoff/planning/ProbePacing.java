package dev.handoff.planning;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.planning.ReplicaView.IoState;

/**
 * When the watch probes next. A healthy cluster is probed once an interval; a suspicious one (the primary
 * does not answer the worker, or a replica of it has heard nothing for half the silence limit) is probed
 * again after a short pause, so a dead primary is seen as soon as its replicas' silence crosses the limit,
 * not up to a whole interval later. A first sighting of a dead primary is confirmed by another probe after
 * a short pause: a second observation, never the first one acted on. A blind watch backs off.
 * Pacing only decides when to look; what a probe concludes is {@link DetectionAnalyzer}'s alone.
 */
public final class ProbePacing {
  /** The pause before the next probe while the cluster is suspicious; a frozen primary's timeout spaces them more. */
  public static final long SUSPICIOUS_PAUSE_MILLIS = 100;
  /**
   * The pause before the probe that confirms a dead primary: a second observation, made apart from the first
   * (its own reads of the topology, the primary and every replica), that costs tens of milliseconds, not an
   * interval. A frozen primary spaces the two by its read timeout anyway.
   */
  public static final long CONFIRM_PAUSE_MILLIS = 20;
  /**
   * Between probes a detector pings the primary that answered the last probe this often, over the connection
   * that probe kept (a protocol ping: no query, no lock, a few microseconds of the server's time). A ping that
   * fails (the connection reset or refused: a killed primary; no answer within the probe's read timeout: a
   * frozen one) starts a probe at once. So a dead primary is probed within this, not within the interval, while
   * the whole probe (the topology, every replica's view) still runs once an interval.
   */
  public static final long PULSE_MILLIS = 100;
  /** While blind, the pause doubles up to this. */
  public static final long BLIND_BACKOFF_MAX_MILLIS = 8000;

  private ProbePacing() {}

  /**
   * The pause after a probe.
   *
   * @param in what the probe observed; null when it could not even read the topology
   * @param code what the probe concluded
   * @param confirming a dead primary was seen and the watch acts on it: the next probe confirms it
   * @param previousPause the pause before this probe (the blind backoff doubles it)
   * @param intervalMillis the watch's probe interval
   * @param maxSilentSeconds the silence after which a replica votes its primary dead
   */
  public static long nextPauseMillis(DetectionInput in, AnalysisCode code, boolean confirming, long previousPause,
      long intervalMillis, double maxSilentSeconds) {
    if (confirming) {
      return CONFIRM_PAUSE_MILLIS;
    }
    if (code == AnalysisCode.DETECTION_BLIND) {
      return Math.min(BLIND_BACKOFF_MAX_MILLIS, Math.max(previousPause, intervalMillis) * 2);
    }
    if (code == AnalysisCode.UNREACHABLE_PRIMARY || quietReplica(in, maxSilentSeconds)) {
      return Math.min(SUSPICIOUS_PAUSE_MILLIS, intervalMillis);
    }
    return intervalMillis;
  }

  /** Whether the probe found the primary answering: only then is there a kept connection to ping between probes. */
  public static boolean answered(DetectionInput in, AnalysisCode code) {
    return in != null && code != AnalysisCode.DEAD_PRIMARY && code != AnalysisCode.UNREACHABLE_PRIMARY
        && code != AnalysisCode.DETECTION_BLIND;
  }

  /**
   * A replica connected to the primary that has heard nothing for more than half the limit but not yet past
   * it: the next probes decide whether it votes dead. Past the limit with the primary answering, nothing is
   * left to decide and the watch goes back to its interval.
   */
  static boolean quietReplica(DetectionInput in, double maxSilentSeconds) {
    if (in == null) {
      return false;
    }
    return in.replicas().stream().anyMatch(r -> r.replicatesFrom(in.primary()) && r.io() == IoState.CONNECTED
        && r.secondsSinceReceived() != null && r.secondsSinceReceived() > maxSilentSeconds / 2
        && r.secondsSinceReceived() <= maxSilentSeconds);
  }
}
