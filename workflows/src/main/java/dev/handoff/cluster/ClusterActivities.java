package dev.handoff.cluster;

import io.temporal.activity.ActivityInterface;

/** The worker's view of its configuration. */
@ActivityInterface
public interface ClusterActivities {
  /**
   * Postcondition: none (reads only). Fails with the non-retryable type {@code UnknownCluster} when the
   * worker's configuration has no such cluster.
   */
  ClusterDescription describeCluster(DescribeCluster request);

  record DescribeCluster(String cluster) {
  }
}
