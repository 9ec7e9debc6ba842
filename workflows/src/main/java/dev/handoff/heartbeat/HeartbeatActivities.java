package dev.handoff.heartbeat;

import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.StepDone;
import io.temporal.activity.ActivityInterface;

/** pt-heartbeat on the replica hosts. */
@ActivityInterface
public interface HeartbeatActivities {

  /**
   * Postcondition: on every instance of the cluster but {@code primary}, one pt-heartbeat {@code --update}
   * process writes to {@code primary}, none runs for the primary's own host, and the primary's heartbeat
   * row advances.
   */
  StepDone restartHeartbeat(RestartHeartbeat request);

  record RestartHeartbeat(String cluster, InstanceKey primary) {
  }
}
