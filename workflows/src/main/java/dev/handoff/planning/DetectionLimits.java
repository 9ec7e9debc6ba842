package dev.handoff.planning;

/**
 * Thresholds of detection.
 *
 * @param maxSecondsSinceLastEvent a connected replica that received nothing from the primary (not even a
 *     heartbeat) for longer, with nothing left to apply, votes it dead
 * @param maxLagSeconds a replicating replica lagging more is reported as ReplicaLagging
 */
public record DetectionLimits(double maxSecondsSinceLastEvent, double maxLagSeconds) {

  public DetectionLimits {
    if (maxSecondsSinceLastEvent < 0 || maxLagSeconds < 0) {
      throw new IllegalArgumentException("detection limits must not be negative: maxSecondsSinceLastEvent="
          + maxSecondsSinceLastEvent + ", maxLagSeconds=" + maxLagSeconds);
    }
  }
}
