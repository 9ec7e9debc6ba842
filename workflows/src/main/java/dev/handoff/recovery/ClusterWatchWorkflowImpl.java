package dev.handoff.recovery;

import dev.handoff.detection.DetectionActivities;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.InstanceKey;
import dev.handoff.planning.DetectionResult;
import dev.handoff.runbook.FailoverProgress;
import dev.handoff.runbook.RunbookSteps;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One cluster's watch loop. The detector runs as a long activity that heartbeats every probe, so if its
 * worker dies another worker resumes the watch within the heartbeat timeout. A confirmed dead primary
 * starts an unplanned failover as a child workflow with the cluster's failover ID (so it never runs
 * beside a planned one), unless maintenance mode or the cooldown after the last recovery blocks it.
 */
public class ClusterWatchWorkflowImpl implements ClusterWatchWorkflow {
  /** The detector heartbeats every probe; a worker death is noticed within this timeout. */
  static final Duration DETECTOR_HEARTBEAT_TIMEOUT = Duration.ofSeconds(5);
  static final int MAX_EVENTS = 20;
  static final int HISTORY_LIMIT = 2000;

  private final List<String> events = new ArrayList<>();
  private String cluster;
  private WatchRequest request;
  private long blockedUntil;
  private boolean maintenance;
  private final Set<InstanceKey> fenced = new LinkedHashSet<>();
  private int recoveries;
  private String lastRecovery;
  private String mode = "watching";
  private String lastAnalysis;
  private String lastDetail;
  private int alerts;
  private boolean stopRequested;
  private boolean wakeUp;

  @Override
  public void watch(WatchRequest req) {
    request = req;
    cluster = req.cluster();
    WatchState s = req.state() == null ? WatchState.initial() : req.state();
    blockedUntil = s.blockedUntilMillis();
    maintenance = s.maintenance();
    fenced.addAll(s.fenced());
    recoveries = s.recoveries();
    lastRecovery = s.lastRecovery();
    DetectionActivities detector = Workflow.newActivityStub(DetectionActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMillis(req.settings().maxRunMillis()).plusSeconds(30))
        .setHeartbeatTimeout(DETECTOR_HEARTBEAT_TIMEOUT)
        .setCancellationType(io.temporal.activity.ActivityCancellationType.TRY_CANCEL)
        .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1))
            .setMaximumInterval(Duration.ofSeconds(5)).setMaximumAttempts(0).build())
        .build());

    while (!stopRequested) {
      if (Workflow.getInfo().getHistoryLength() > HISTORY_LIMIT) {
        Workflow.continueAsNew(new WatchRequest(cluster, req.cooldownSeconds(), req.settings(), state()));
      }
      wakeUp = false;
      List<InstanceKey> fencedNow = List.copyOf(fenced);
      String reported = lastAnalysis;
      Promise<DetectionResult>[] result = new Promise[1];
      CancellationScope scope = Workflow.newCancellationScope(() ->
          result[0] = Async.function(detector::watchCluster, cluster, req.settings(), reported, fencedNow));
      scope.run();
      Workflow.await(() -> result[0].isCompleted() || stopRequested || wakeUp);
      if (!result[0].isCompleted()) {
        scope.cancel();
        try {
          result[0].get();
        } catch (CanceledFailure | io.temporal.failure.ActivityFailure ignored) {
          // cancelled on purpose: a stop, a mode change or an alert asked for a fresh probe
        }
        continue;
      }
      DetectionResult r;
      try {
        r = result[0].get();
      } catch (TemporalFailure e) {
        note("detector failed: " + RunbookSteps.message(e));
        continue;
      }
      if (!r.code().wireName().equals(lastAnalysis)) {
        note(r.code().wireName() + ": " + r.detail());
      }
      lastAnalysis = r.code().wireName();
      lastDetail = r.detail();
      if (r.code() == AnalysisCode.DEAD_PRIMARY) {
        onDeadPrimary(r);
      }
    }
    mode = "stopped";
  }

  private void onDeadPrimary(DetectionResult r) {
    long now = Workflow.currentTimeMillis();
    if (maintenance) {
      note("DeadPrimary not acted on: maintenance mode is on for " + cluster);
      return;
    }
    if (now < blockedUntil) {
      note("DeadPrimary not acted on: automatic recovery is blocked until " + Instant.ofEpochMilli(blockedUntil)
          + " after the last one; acknowledge with ./handoff recovery ack --cluster " + cluster);
      return;
    }
    mode = "recovering";
    UnplannedFailoverWorkflow child = Workflow.newChildWorkflowStub(UnplannedFailoverWorkflow.class,
        ChildWorkflowOptions.newBuilder()
            .setWorkflowId(WorkflowIds.failover(cluster))
            .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
            .setWorkflowExecutionTimeout(Duration.ofHours(1))
            .build());
    try {
      FailoverProgress p = child.recover(new UnplannedRequest(cluster, false, "watch: " + r.detail()));
      recoveries++;
      lastRecovery = "recovered " + p.oldPrimary() + " -> " + p.newPrimary() + " at " + Instant.ofEpochMilli(now);
      fenced.add(InstanceKey.parse(p.oldPrimary()));
      note(lastRecovery);
    } catch (TemporalFailure e) {
      lastRecovery = "recovery failed at " + Instant.ofEpochMilli(now) + " [" + RunbookSteps.failureType(e) + "]: "
          + RunbookSteps.message(e);
      note(lastRecovery);
    }
    // Anti-flapping: after any attempt, successful or not, wait for the cooldown or an acknowledgement.
    blockedUntil = Workflow.currentTimeMillis() + request.cooldownSeconds() * 1000;
    lastAnalysis = null;
    mode = maintenance ? "maintenance" : "watching";
  }

  private void note(String event) {
    events.add(Instant.ofEpochMilli(Workflow.currentTimeMillis()) + " " + event);
    while (events.size() > MAX_EVENTS) {
      events.remove(0);
    }
  }

  private WatchState state() {
    return new WatchState(blockedUntil, maintenance, List.copyOf(fenced), recoveries, lastRecovery);
  }

  @Override
  public void probeNow(String reason) {
    alerts++;
    note("probe requested: " + reason);
    wakeUp = true;
  }

  @Override
  public void acknowledge(String by) {
    blockedUntil = 0;
    lastAnalysis = null; // report the current analysis afresh, so a primary still dead is acted on now
    note("recovery acknowledged by " + by + ": automatic recovery is armed again");
    wakeUp = true;
  }

  @Override
  public void setMaintenance(boolean on) {
    maintenance = on;
    lastAnalysis = null;
    mode = on ? "maintenance" : "watching";
    note("maintenance " + (on ? "on: no automatic recovery" : "off"));
    wakeUp = true;
  }

  @Override
  public void stop(String by) {
    note("stopped by " + by);
    stopRequested = true;
  }

  @Override
  public WatchStatus status() {
    return new WatchStatus(cluster, mode, lastAnalysis, lastDetail, blockedUntil, recoveries, lastRecovery, alerts,
        List.copyOf(events));
  }
}
