package dev.handoff.client;

import dev.handoff.config.HandoffConfig;
import dev.handoff.detection.WatchSettings;
import dev.handoff.recovery.ClusterWatchWorkflow;
import dev.handoff.recovery.DetectionReport;
import dev.handoff.recovery.WatchRequest;
import dev.handoff.recovery.WatchState;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Starting, signalling and finding the single watch workflow of a cluster ({@code watch-<cluster>}). */
public final class Watches {
  private Watches() {}

  static WorkflowOptions options(HandoffConfig config, String cluster) {
    return WorkflowOptions.newBuilder()
        .setTaskQueue(config.temporal().taskQueue())
        .setWorkflowId(WorkflowIds.watch(cluster))
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .build();
  }

  public static WatchRequest request(HandoffConfig config, String cluster) {
    return new WatchRequest(cluster, config.worker().cooldownSeconds(), WatchSettings.defaults(),
        WatchState.initial(), config.worker().detectionMode());
  }

  /** Starts the watch unless it runs; returns true when this call started it. */
  public static boolean start(WorkflowClient client, HandoffConfig config, String cluster) {
    config.requireCluster(cluster);
    ClusterWatchWorkflow wf = client.newWorkflowStub(ClusterWatchWorkflow.class, options(config, cluster));
    try {
      WorkflowClient.start(wf::watch, request(config, cluster));
      return true;
    } catch (WorkflowExecutionAlreadyStarted running) {
      return false;
    }
  }

  /**
   * An operator's start: starts the watch unless it runs, and resumes it when it runs stopped. Returns what
   * happened in words.
   */
  public static String startOrResume(WorkflowClient client, HandoffConfig config, String cluster, String by) {
    if (start(client, config, cluster)) {
      return "started";
    }
    running(client, cluster).resume(by);
    return "running (resumed if it was stopped)";
  }

  /** Asks the cluster's watch to probe now, starting the watch first if it is not running. */
  public static void probeNow(WorkflowClient client, HandoffConfig config, String cluster, String reason) {
    config.requireCluster(cluster);
    signalWithStart(client, config, cluster, (batch, wf) -> batch.add(wf::probeNow, reason));
  }

  /**
   * Hands a worker's detector report to the cluster's watch, starting the watch first if it is not running
   * (a stopped watch stays stopped and drops it).
   */
  public static void report(WorkflowClient client, HandoffConfig config, String cluster, DetectionReport report) {
    signalWithStart(client, config, cluster, (batch, wf) -> batch.add(wf::report, report));
  }

  /** Sends the signal {@code signal} adds to the batch, starting the cluster's watch first if it is not running. */
  private static void signalWithStart(WorkflowClient client, HandoffConfig config, String cluster,
      java.util.function.BiConsumer<BatchRequest, ClusterWatchWorkflow> signal) {
    ClusterWatchWorkflow wf = client.newWorkflowStub(ClusterWatchWorkflow.class, options(config, cluster));
    BatchRequest batch = client.newSignalWithStartRequest();
    batch.add(wf::watch, request(config, cluster));
    signal.accept(batch, wf);
    client.signalWithStart(batch);
  }

  /** The watch's status, or null when there is none or it does not answer within {@code wait}. */
  public static WatchStatus statusWithin(WorkflowClient client, String cluster, Duration wait) {
    try {
      return CompletableFuture.supplyAsync(running(client, cluster)::status)
          .get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null; // no watch, or no worker to answer
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The running watch of a cluster (calls fail when there is none). */
  public static ClusterWatchWorkflow running(WorkflowClient client, String cluster) {
    return client.newWorkflowStub(ClusterWatchWorkflow.class, WorkflowIds.watch(cluster));
  }
}
