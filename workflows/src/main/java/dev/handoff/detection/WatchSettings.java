package dev.handoff.detection;

/**
 * How a cluster is watched: how often it is probed, how long replicas may go without an event from the
 * primary before they count as agreeing it is dead, how many consecutive probes must confirm a dead
 * primary, and how long one detector activity runs before it hands back to the workflow.
 */
public record WatchSettings(long probeIntervalMillis, double maxSecondsSinceLastEvent, int confirmations,
    long maxRunMillis) {

  public static WatchSettings defaults() {
    return new WatchSettings(1000, 3.0, 2, 60_000);
  }
}
