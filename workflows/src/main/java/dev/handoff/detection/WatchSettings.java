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

  public static WatchSettings defaults() {
    return new WatchSettings(1000, 3.0, 2, 60_000, DEFAULT_HISTORY_LIMIT);
  }

  /** The history length past which the watch continues as new. */
  public int historyLimitOrDefault() {
    return historyLimit > 0 ? historyLimit : DEFAULT_HISTORY_LIMIT;
  }
}
