package dev.handoff.detection;

/**
 * How a cluster is watched: how often it is probed, how long a replica may receive nothing from the
 * primary (not even a heartbeat) before it votes the primary dead, how many consecutive probes must
 * confirm a dead primary, how long one detector activity runs before it hands back to the workflow, and
 * how many history events the watch runs before it continues as new (0: the default).
 */
public record WatchSettings(long probeIntervalMillis, double maxSecondsSinceLastEvent, int confirmations,
    long maxRunMillis, int historyLimit) {
  public static final int DEFAULT_HISTORY_LIMIT = 2000;

  public WatchSettings(long probeIntervalMillis, double maxSecondsSinceLastEvent, int confirmations,
      long maxRunMillis) {
    this(probeIntervalMillis, maxSecondsSinceLastEvent, confirmations, maxRunMillis, DEFAULT_HISTORY_LIMIT);
  }

  /**
   * A replica votes its primary dead after 2.5 s of silence: with a 1 s replication heartbeat that is two
   * heartbeats missed and half a period more. The silence is measured from the probe that first saw its receive
   * token move, which comes after the move, so the real silence is never shorter. A live but busy primary keeps
   * its replicas' tokens moving with events; an idle one with heartbeats. And silence alone never fails a primary
   * over: the worker must not reach it either, no replica may still hear from it, and two probes in a row (spaced
   * at least by the primary's probe timeout) and the recovery's own must agree, so by the time anything acts the
   * replicas have heard nothing for well over three heartbeat periods.
   */
  public static WatchSettings defaults() {
    return new WatchSettings(1000, 2.5, 2, 60_000, DEFAULT_HISTORY_LIMIT);
  }

  /** The history length past which the watch continues as new. */
  public int historyLimitOrDefault() {
    return historyLimit > 0 ? historyLimit : DEFAULT_HISTORY_LIMIT;
  }
}
