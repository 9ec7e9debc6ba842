package dev.handoff.runbook;

import io.temporal.worker.WorkerOptions;
import java.time.Duration;

/** Options for the workers of the workflow tests' in-memory Temporal. */
public final class TestWorkers {
  /**
   * Heartbeats sent at least every 200 ms. The SDK otherwise holds an activity's last heartbeat back for
   * up to 0.8 of its heartbeat timeout (4 s for the watch's detector), and closing the test environment
   * waits for that held heartbeat: about 4 s lost at the end of a third of the watch's tests (measured).
   * Only the worker's heartbeat batching changes; no workflow or activity option does.
   */
  public static final WorkerOptions OPTIONS = WorkerOptions.newBuilder()
      .setMaxHeartbeatThrottleInterval(Duration.ofMillis(200))
      .build();

  private TestWorkers() {}
}
