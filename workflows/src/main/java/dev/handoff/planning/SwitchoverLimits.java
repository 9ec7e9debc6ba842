package dev.handoff.planning;

/**
 * Pre-check limits of a planned switchover, from the cluster config.
 *
 * @param maxLagSeconds a candidate lagging more is refused (CandidateLagging)
 * @param maxDmlSeconds a primary DML running longer refuses the switchover (LongRunningDml)
 */
public record SwitchoverLimits(double maxLagSeconds, long maxDmlSeconds) {

  public SwitchoverLimits {
    if (maxLagSeconds < 0 || maxDmlSeconds < 0) {
      throw new IllegalArgumentException(
          "switchover limits must not be negative: maxLagSeconds=" + maxLagSeconds + ", maxDmlSeconds=" + maxDmlSeconds);
    }
  }
}
