package dev.handoff.heartbeat;

import dev.handoff.domain.InstanceKey;
import io.temporal.activity.ActivityInterface;

/** pt-heartbeat on the replica hosts. */
@ActivityInterface
public interface HeartbeatActivities {

  /**
   * Postcondition: on every instance of the cluster but {@code primary}, one pt-heartbeat {@code --update}
   * process writes to {@code primary}, none runs for the primary's own host, and the primary's heartbeat
   * row advances.
   */
  String restartHeartbeat(String cluster, InstanceKey primary);
}
