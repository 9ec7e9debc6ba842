package dev.handoff.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.RetryState;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TimeoutFailure;
import org.junit.jupiter.api.Test;

/** A step that timed out says what it last waited on, so the dependency that did not answer is named. */
class RunbookStepsMessageTest {
  private static ActivityFailure timedOut(Object lastHeartbeat) {
    TimeoutFailure timeout = new TimeoutFailure("activity heartbeat timeout", lastHeartbeat,
        TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    return new ActivityFailure("activity failed", 5, 6, "PublishTopology", "7", RetryState.RETRY_STATE_TIMEOUT,
        "worker", timeout);
  }

  @Test
  void aHeartbeatTimeoutNamesWhatTheStepLastWaitedOn() {
    String message = RunbookSteps.message(timedOut("waiting for etcd at http://127.0.0.1:2379 to publish c1"));

    assertThat(message).contains("TIMEOUT_TYPE_HEARTBEAT", "waiting for etcd at http://127.0.0.1:2379 to publish c1");
  }

  @Test
  void aTimeoutWithoutHeartbeatsSaysOnlyThatItTimedOut() {
    assertThat(RunbookSteps.message(timedOut(null))).isEqualTo("timed out (TIMEOUT_TYPE_HEARTBEAT)");
  }
}
