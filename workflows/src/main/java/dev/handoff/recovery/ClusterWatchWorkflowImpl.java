package dev.handoff.recovery;

import dev.handoff.runbook.RunbookState;
import dev.handoff.detection.DetectionActivities;
import dev.handoff.detection.LocalProbeActivities;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.InstanceKey;
import dev.handoff.config.DetectionMode;
import dev.handoff.detection.WatchSettings;
import dev.handoff.planning.DetectionResult;
import dev.handoff.planning.ProbePacing;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.RunbookSteps;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One cluster's watch: the durable state of its detection and the decisions on it. The workers probe; each
 * reports an analysis that changed or calls for action ({@link DetectionReport}), and the watch decides:
 * <ul>
 *   <li>DeadPrimary: an unplanned failover as a child with the cluster's failover ID (so it never runs beside
 *   another runbook), started beside the loop, which keeps detecting; unless maintenance, the cooldown after
 *   a recovery that promoted, or the back-off after one that promoted nothing blocks it.</li>
 *   <li>NoWritablePrimary, MultipleWritable: the repair activity, which re-checks the epoch, the runbook lock
 *   and the instances just before it changes anything.</li>
 *   <li>A recovery that promoted nothing: its fence is undone once the primary answers again.</li>
 *   <li>Everything else is reported, each new analysis with the action taken.</li>
 * </ul>
 * The workflow never ends by itself: stop is a mode, and all its state crosses continue-as-new.
 */
public class ClusterWatchWorkflowImpl implements ClusterWatchWorkflow {
  /** The detector heartbeats every probe; a worker death is noticed within this timeout. */
  static final Duration DETECTOR_HEARTBEAT_TIMEOUT = Duration.ofSeconds(5);
  static final int MAX_EVENTS = 20;
  /** After an automatic attempt that promoted nothing: the first back-off, doubled per attempt up to the max. */
  static final long RETRY_BASE_MILLIS = 30_000;
  static final long RETRY_MAX_MILLIS = 600_000;
  /** A recovery that could not start (another runbook holds the cluster) is tried again this soon. */
  static final long NOT_STARTED_RETRY_MILLIS = 2_000;
  /** A repair that did not act is tried again this soon (if the analysis still stands). */
  static final long REPAIR_RETRY_MILLIS = 5_000;
  /** A detector that fails for good (a configuration error) is restarted this much later. */
  static final Duration DETECTOR_FAILED_PAUSE = Duration.ofSeconds(10);
  /** The version marker of detection in the workers (version 1) instead of a detector activity (default). */
  static final String WORKER_DETECTION = "worker-detection";
  /** The workers an alert asks to probe: the latest that reported. */
  static final int MAX_WORKERS = 16;
  /** A worker that does not take the request to probe this soon is gone, and is not asked again. */
  static final Duration WORKER_PROBE_TIMEOUT = Duration.ofSeconds(2);

  private final List<String> events = new ArrayList<>();
  private final Set<InstanceKey> fenced = new LinkedHashSet<>();
  private String cluster;
  private WatchRequest request;
  private boolean stopped;
  private boolean maintenance;
  private long blockedUntil;
  private long retryNotBefore;
  private int failedAttempts;
  private InstanceKey unfence;
  private long unfenceEpoch;
  private long semiSyncDegradedSince;
  private int recoveries;
  private String lastRecovery;
  private AnalysisCode lastAnalysis;
  private String lastDetail;
  private int alerts;
  private boolean wakeUp;
  /** When set and past, the detector is restarted to report the current analysis afresh (a repair retry). */
  private long reportAgainAt;

  private Promise<RunbookProgress> recovery;
  private InstanceKey recoveringFrom;
  private long recoveringEpoch;

  private DetectionActivities actions;
  /** Reports of the workers' detectors not yet handled, oldest first. */
  private final List<DetectionReport> reports = new ArrayList<>();
  /** The watch looks at the cluster itself at its next turn (a recovery ended, a dead primary to confirm). */
  private boolean lookAgain;
  /** The workers whose detectors reported here, the latest last; an alert asks each to probe at once. */
  private final Set<String> workers = new LinkedHashSet<>();
  /** An alert asked for a probe: every known worker is asked at the next turn. */
  private boolean askWorkers;

  /**
   * Restores the carried state before any signal handler runs: signals that arrive with the start (an
   * alert's signal-with-start, a stop sent at once) are handled after this, so none of them is overwritten.
   */
  @WorkflowInit
  public ClusterWatchWorkflowImpl(WatchRequest req) {
    restore(req);
  }

  @Override
  public void watch(WatchRequest req) {
    actions = Workflow.newActivityStub(DetectionActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(200))
            .setMaximumAttempts(3).build())
        .build());
    int version = Workflow.getVersion(WORKER_DETECTION, Workflow.DEFAULT_VERSION, 1);
    if (version == Workflow.DEFAULT_VERSION || req.detection() == DetectionMode.ACTIVITY) {
      watchWithDetectorActivity(req);
    } else {
      watchReports(req);
    }
  }

  /**
   * The watch of this version: waits for the workers' reports, the operators' signals, a finished recovery
   * or the next deadline (a block's end, a repair to retry), and only then runs anything. It looks at the
   * cluster itself (a probe activity, a second one to confirm a dead primary) when an operator or an alert
   * asks, when a recovery ended, and when a deadline passed: the moments the workers' reports do not cover.
   */
  private void watchReports(WatchRequest req) {
    long lastWake = Workflow.currentTimeMillis();
    while (true) {
      if (Workflow.getInfo().getHistoryLength() > req.settings().historyLimitOrDefault() && recovery == null
          && reports.isEmpty()) {
        Workflow.continueAsNew(req.carrying(state()));
      }
      Supplier<Boolean> ready = () -> !reports.isEmpty() || wakeUp || recoveryDone();
      long now = Workflow.currentTimeMillis();
      long next = nextWake(now);
      if (next > 0) {
        awaitAtMost(Duration.ofMillis(Math.max(1, next - now)), ready);
      } else {
        Workflow.await(ready);
      }
      boolean asked = wakeUp;
      wakeUp = false;
      finishRecoveryIfDone();
      now = Workflow.currentTimeMillis();
      boolean deadlinePassed = deadlinePassed(lastWake, now);
      lastWake = now;
      if (reportAgainAt > 0 && now >= reportAgainAt) {
        reportAgainAt = 0;
      }
      if (stopped) {
        reports.clear();
        continue;
      }
      while (!reports.isEmpty()) {
        onResult(reports.remove(0).result(), true);
      }
      if (askWorkers) {
        askWorkers = false;
        askWorkersToProbe();
      }
      if (asked || lookAgain || deadlinePassed) {
        lookAgain = false;
        look(req.settings());
      }
    }
  }

  /**
   * Asks every worker that reported here to probe the cluster at once, each on its own task queue, without
   * waiting for them; one that does not take the request within {@link #WORKER_PROBE_TIMEOUT} is forgotten.
   */
  private void askWorkersToProbe() {
    for (String w : List.copyOf(workers)) {
      Async.procedure(onWorker(w)::probeHere, new LocalProbeActivities.ProbeHere(cluster)).exceptionally(e -> {
        if (workers.remove(w)) {
          note("worker " + w + " did not take a request to probe within " + WORKER_PROBE_TIMEOUT.toSeconds()
              + " s: no longer asked");
        }
        return null;
      });
    }
  }

  /** The activities of one worker, on its own task queue: one attempt, taken within the timeout or not at all. */
  private static LocalProbeActivities onWorker(String worker) {
    return Workflow.newActivityStub(LocalProbeActivities.class, ActivityOptions.newBuilder()
        .setTaskQueue(WorkflowIds.workerQueue(Workflow.getInfo().getTaskQueue(), worker))
        .setScheduleToStartTimeout(WORKER_PROBE_TIMEOUT)
        .setStartToCloseTimeout(WORKER_PROBE_TIMEOUT)
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  @Override
  public WorkerAnalyses workerAnalyses() {
    List<String> asked = List.copyOf(workers);
    List<Promise<LocalProbeActivities.Latest>> answers = new ArrayList<>();
    for (String w : asked) {
      answers.add(Async.function(onWorker(w)::latestHere, new LocalProbeActivities.LatestHere(cluster)));
    }
    List<WorkerAnalysis> out = new ArrayList<>();
    for (int i = 0; i < asked.size(); i++) {
      try {
        LocalProbeActivities.Latest l = answers.get(i).get();
        out.add(new WorkerAnalysis(asked.get(i), l.code(), l.detail(), l.ageMillis()));
      } catch (TemporalFailure e) {
        out.add(new WorkerAnalysis(asked.get(i), null, "no answer within " + WORKER_PROBE_TIMEOUT.toSeconds()
            + " s (the worker is gone or busy)", 0));
      }
    }
    return new WorkerAnalyses(out);
  }

  /** Whether a block, a back-off or a retry ended after {@code since} and by {@code now}. */
  private boolean deadlinePassed(long since, long now) {
    for (long t : deadlines()) {
      if (t > since && t <= now) {
        return true;
      }
    }
    return false;
  }

  /** The watch's own look: a probe, and while recovery is armed, more to confirm a dead primary. */
  private void look(WatchSettings settings) {
    DetectionResult r;
    try {
      r = actions.watchProbe(new DetectionActivities.WatchProbe(cluster));
      boolean confirming = r.code() == AnalysisCode.DEAD_PRIMARY && armed(Workflow.currentTimeMillis());
      for (int seen = 1; confirming && seen < settings.confirmations() && r.code() == AnalysisCode.DEAD_PRIMARY;
          seen++) {
        Workflow.sleep(Duration.ofMillis(ProbePacing.CONFIRM_PAUSE_MILLIS));
        r = actions.watchProbe(new DetectionActivities.WatchProbe(cluster));
      }
      onResult(r, confirming && r.code() == AnalysisCode.DEAD_PRIMARY);
    } catch (TemporalFailure e) {
      note("probe failed [" + RunbookSteps.failureType(e) + "]: " + RunbookSteps.message(e));
    }
  }

  /**
   * The watch of the first design: a detector activity that heartbeats every probe and returns on news. Run
   * by watches started before detection moved into the workers (until their next continue-as-new, which
   * moves them to {@link #watchReports}) and by those configured so ({@link DetectionMode#ACTIVITY}).
   */
  private void watchWithDetectorActivity(WatchRequest req) {
    DetectionActivities detector = Workflow.newActivityStub(DetectionActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMillis(req.settings().maxRunMillis()).plusSeconds(30))
        .setHeartbeatTimeout(DETECTOR_HEARTBEAT_TIMEOUT)
        .setCancellationType(ActivityCancellationType.TRY_CANCEL)
        .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1))
            .setMaximumInterval(Duration.ofSeconds(5)).setMaximumAttempts(0).build())
        .build());
    while (true) {
      if (Workflow.getInfo().getHistoryLength() > req.settings().historyLimitOrDefault() && recovery == null) {
        Workflow.continueAsNew(req.carrying(state()));
      }
      if (stopped) {
        // Every signal comes back through the history check above: a stopped watch that keeps receiving
        // alerts continues as new like a running one.
        wakeUp = false;
        Workflow.await(() -> !stopped || wakeUp || recoveryDone());
        finishRecoveryIfDone();
        continue;
      }
      wakeUp = false;
      long now = Workflow.currentTimeMillis();
      AnalysisCode reported = lastAnalysis;
      if (reportAgainAt > 0 && now >= reportAgainAt) {
        reportAgainAt = 0;
        reported = null;
      }
      boolean armed = armed(now);
      AnalysisCode reportedNow = reported;
      Promise<DetectionResult>[] result = new Promise[1];
      CancellationScope scope = Workflow.newCancellationScope(() -> result[0] =
          Async.function(detector::watchCluster,
              new DetectionActivities.WatchCluster(cluster, req.settings(), reportedNow, armed)));
      scope.run();
      Supplier<Boolean> done = () -> result[0].isCompleted() || stopped || wakeUp || recoveryDone();
      long next = nextWake(now);
      if (next > 0) {
        awaitAtMost(Duration.ofMillis(Math.max(1, next - now)), done);
      } else {
        Workflow.await(done);
      }
      finishRecoveryIfDone();
      if (!result[0].isCompleted()) {
        scope.cancel();
        try {
          result[0].get();
        } catch (CanceledFailure | ActivityFailure ignored) {
          // cancelled on purpose: a mode change, an alert, a timer or a finished recovery asked for a fresh probe
        }
        continue;
      }
      DetectionResult r;
      try {
        r = result[0].get();
      } catch (TemporalFailure e) {
        note("detector failed [" + RunbookSteps.failureType(e) + "]: " + RunbookSteps.message(e));
        awaitAtMost(DETECTOR_FAILED_PAUSE, () -> stopped || wakeUp);
        continue;
      }
      onResult(r, armed);
    }
  }

  /**
   * Waits until {@code condition} holds or {@code timeout} passes, and cancels the timer when the condition
   * wins ({@code Workflow.await(Duration, ...)} would leave it to fire later, one empty task per wait).
   */
  private static void awaitAtMost(Duration timeout, Supplier<Boolean> condition) {
    Promise<Void>[] timer = new Promise[1];
    CancellationScope scope = Workflow.newCancellationScope(() -> timer[0] = Workflow.newTimer(timeout));
    scope.run();
    Workflow.await(() -> condition.get() || timer[0].isCompleted());
    if (!timer[0].isCompleted()) {
      scope.cancel();
    }
  }

  private void restore(WatchRequest req) {
    request = req;
    cluster = req.cluster();
    WatchState s = req.state() == null ? WatchState.initial() : req.state();
    stopped = s.stopped();
    maintenance = s.maintenance();
    restoreGates(s);
    restoreFences(s);
    restoreReport(s);
  }

  /** What holds automatic recovery and repairs back: the cooldown, the back-off, a repair to retry. */
  private void restoreGates(WatchState s) {
    blockedUntil = s.blockedUntilMillis();
    retryNotBefore = s.retryNotBeforeMillis();
    reportAgainAt = s.reportAgainAtMillis();
    failedAttempts = s.failedAttempts();
  }

  /** The old primaries recoveries fenced, and a fence still to undo. */
  private void restoreFences(WatchState s) {
    fenced.addAll(s.fenced());
    unfence = s.unfence();
    unfenceEpoch = s.unfenceEpoch();
  }

  /** What the watch reports: analyses, recoveries, alerts, events, and the workers it heard from. */
  private void restoreReport(WatchState s) {
    semiSyncDegradedSince = s.semiSyncDegradedSinceMillis();
    recoveries = s.recoveries();
    lastRecovery = s.lastRecovery();
    lastAnalysis = s.lastAnalysis();
    lastDetail = s.lastDetail();
    alerts = s.alertsReceived();
    events.addAll(s.events());
    workers.addAll(s.workers());
  }

  /** Whether a confirmed dead primary would be recovered now. */
  private boolean armed(long now) {
    return recovery == null && !maintenance && now >= blockedUntil && now >= retryNotBefore;
  }

  /** The next moment the detector must be restarted with other arguments (a block ends, a repair retry); 0 none. */
  private long nextWake(long now) {
    long next = 0;
    for (long t : deadlines()) {
      if (t > now && (next == 0 || t < next)) {
        next = t;
      }
    }
    return next;
  }

  /** The moments the watch must act at by itself: a cooldown's end, a back-off's end, a repair's retry (0: none). */
  private long[] deadlines() {
    return new long[] {blockedUntil, retryNotBefore, reportAgainAt};
  }

  private boolean recoveryDone() {
    return recovery != null && recovery.isCompleted();
  }

  /** Handles one detector answer; {@code armedRun}: that detector run confirmed dead primaries before answering. */
  private void onResult(DetectionResult r, boolean armedRun) {
    boolean changed = r.code() != lastAnalysis;
    lastAnalysis = r.code();
    lastDetail = r.detail();
    trackSemiSync(r);
    String action = switch (r.code()) {
      case DEAD_PRIMARY -> onDeadPrimary(r, armedRun);
      case NO_WRITABLE_PRIMARY, MULTIPLE_WRITABLE -> repair(r);
      default -> null;
    };
    String undone = maybeUnfence(r);
    if (undone != null) {
      action = action == null ? undone : action + "; " + undone;
    }
    if (changed || action != null) {
      note(r.code().wireName() + ": " + r.detail() + (action == null ? "" : " -> action: " + action));
    }
  }

  private void trackSemiSync(DetectionResult r) {
    boolean primaryAnswered = r.code() != AnalysisCode.DEAD_PRIMARY && r.code() != AnalysisCode.UNREACHABLE_PRIMARY
        && r.code() != AnalysisCode.DETECTION_BLIND;
    if (r.semiSyncDegraded() && semiSyncDegradedSince == 0) {
      semiSyncDegradedSince = Workflow.currentTimeMillis();
    } else if (primaryAnswered && !r.semiSyncDegraded() && semiSyncDegradedSince != 0) {
      semiSyncDegradedSince = 0;
      note("semi-sync is active again on the primary of " + cluster);
    }
  }

  private String onDeadPrimary(DetectionResult r, boolean armedRun) {
    long now = Workflow.currentTimeMillis();
    if (recovery != null) {
      return "none: a recovery is already running";
    }
    if (maintenance) {
      return "none: maintenance mode is on for " + cluster;
    }
    if (now < blockedUntil) {
      return "none: automatic recovery is blocked until " + Instant.ofEpochMilli(blockedUntil)
          + " after the last one; acknowledge with ./handoff recovery ack --cluster " + cluster;
    }
    if (now < retryNotBefore) {
      return "none: the last attempt promoted nothing; the next one is not before " + Instant.ofEpochMilli(retryNotBefore)
          + " (./handoff recovery ack --cluster " + cluster + " to try at once)";
    }
    if (!armedRun) {
      // Seen by a run that was not confirming (a block ended meanwhile): confirm it again before acting.
      reportAgainAt = now;
      lookAgain = true;
      return "none yet: recovery is armed again, confirming the dead primary first";
    }
    RecoveryWorkflow child = Workflow.newChildWorkflowStub(RecoveryWorkflow.class,
        ChildWorkflowOptions.newBuilder()
            .setWorkflowId(WorkflowIds.failover(cluster))
            .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
            .setWorkflowExecutionTimeout(dev.handoff.runbook.RunbookOptions.EXECUTION_TIMEOUT)
            .setWorkflowTaskTimeout(dev.handoff.runbook.RunbookOptions.WORKFLOW_TASK_TIMEOUT)
            .build());
    Promise<RunbookProgress> p = Async.function(child::recover,
        new RecoveryRequest(cluster, false, "watch: " + r.detail(), semiSyncDegradedSince));
    try {
      Workflow.getWorkflowExecution(child).get();
    } catch (RuntimeException notStarted) {
      // Another runbook holds the cluster: this was no recovery attempt, so it counts for nothing.
      retryNotBefore = now + NOT_STARTED_RETRY_MILLIS;
      return "none: the recovery could not start (" + RunbookSteps.message(notStarted) + "); "
          + WorkflowIds.failover(cluster) + " is held by another runbook, not counted as an attempt";
    }
    recovery = p;
    recoveringFrom = r.affected().isEmpty() ? null : r.affected().get(0);
    recoveringEpoch = r.epoch();
    return "recovery started: " + WorkflowIds.failover(cluster);
  }

  private void finishRecoveryIfDone() {
    if (!recoveryDone()) {
      return;
    }
    Promise<RunbookProgress> p = recovery;
    recovery = null;
    long now = Workflow.currentTimeMillis();
    boolean promoted;
    try {
      RunbookProgress done = p.get();
      promoted = true;
      lastRecovery = "recovered " + done.oldPrimary() + " -> " + done.newPrimary() + " at " + Instant.ofEpochMilli(now);
      if (done.oldPrimary() != null) {
        fenced.add(InstanceKey.parse(done.oldPrimary()));
      }
      recoveries++;
    } catch (TemporalFailure e) {
      RunbookState state = RunbookSteps.finalState(e);
      // Unknown (a timeout, a termination): it may have promoted, so it is treated as if it had.
      promoted = state == null || !(state == RunbookState.REFUSED || state == RunbookState.FENCE_FAILED
          || state == RunbookState.FAILED_BEFORE_PROMOTION);
      lastRecovery = "recovery " + (state == null ? "failed" : state) + " at " + Instant.ofEpochMilli(now) + " ["
          + RunbookSteps.failureType(e) + "]: " + RunbookSteps.message(e);
      if (promoted && recoveringFrom != null) {
        fenced.add(recoveringFrom);
      }
    }
    if (promoted) {
      // Anti-flapping: after a recovery that promoted, wait for the cooldown or an acknowledgement.
      blockedUntil = now + request.cooldownSeconds() * 1000;
      failedAttempts = 0;
      retryNotBefore = 0;
      unfence = null;
      semiSyncDegradedSince = 0;
      note(lastRecovery + "; automatic recovery blocked until " + Instant.ofEpochMilli(blockedUntil));
    } else {
      failedAttempts++;
      retryNotBefore = now + Math.min(RETRY_MAX_MILLIS, RETRY_BASE_MILLIS << Math.min(10, failedAttempts - 1));
      unfence = recoveringFrom;
      unfenceEpoch = recoveringEpoch;
      note(lastRecovery + "; nothing was promoted, so no cooldown: next automatic attempt not before "
          + Instant.ofEpochMilli(retryNotBefore) + (unfence == null ? "" : "; " + unfence
              + " is routed to again as soon as it answers"));
    }
    lastAnalysis = null; // report the current analysis afresh
    lookAgain = true;
  }

  private String repair(DetectionResult r) {
    if (recovery != null) {
      return "none: a recovery is running";
    }
    if (maintenance) {
      return "none: maintenance mode is on for " + cluster;
    }
    DetectionActivities.ActionResult did;
    try {
      did = actions.repair(new DetectionActivities.Repair(cluster, r.code(), r.epoch()));
    } catch (TemporalFailure e) {
      did = DetectionActivities.ActionResult.none("the repair failed [" + RunbookSteps.failureType(e) + "]: "
          + RunbookSteps.message(e));
    }
    if (!did.acted()) {
      reportAgainAt = Workflow.currentTimeMillis() + REPAIR_RETRY_MILLIS;
    }
    return did.detail();
  }

  /** Routes writes to a primary a recovery fenced without promoting anything, once it answers again. */
  private String maybeUnfence(DetectionResult r) {
    if (unfence == null || recovery != null) {
      return null;
    }
    if (r.epoch() >= 0 && r.epoch() != unfenceEpoch) {
      InstanceKey was = unfence;
      unfence = null;
      return "fence of " + was + " left as it is: the topology moved to epoch " + r.epoch();
    }
    boolean answers = r.code() != AnalysisCode.DEAD_PRIMARY && r.code() != AnalysisCode.UNREACHABLE_PRIMARY
        && r.code() != AnalysisCode.DETECTION_BLIND;
    if (!answers) {
      return null;
    }
    DetectionActivities.ActionResult did;
    try {
      did = actions.restoreWriter(new DetectionActivities.RestoreWriter(cluster, unfence, unfenceEpoch));
    } catch (TemporalFailure e) {
      did = DetectionActivities.ActionResult.none("undoing the fence of " + unfence + " failed ["
          + RunbookSteps.failureType(e) + "]: " + RunbookSteps.message(e));
    }
    if (!did.acted()) {
      reportAgainAt = Workflow.currentTimeMillis() + REPAIR_RETRY_MILLIS;
      return did.detail();
    }
    String undone = "fence of " + unfence + " undone (it answers and nothing was promoted): " + did.detail();
    unfence = null;
    return undone;
  }

  private void note(String event) {
    events.add(Instant.ofEpochMilli(Workflow.currentTimeMillis()) + " " + event);
    while (events.size() > MAX_EVENTS) {
      events.remove(0);
    }
  }

  private WatchState state() {
    return new WatchState(stopped, maintenance, blockedUntil, retryNotBefore, reportAgainAt, failedAttempts,
        List.copyOf(fenced), unfence, unfenceEpoch, semiSyncDegradedSince, recoveries, lastRecovery, lastAnalysis,
        lastDetail, alerts, List.copyOf(events), List.copyOf(workers));
  }

  private WatchMode mode() {
    if (stopped) {
      return WatchMode.STOPPED;
    }
    if (recovery != null) {
      return WatchMode.RECOVERING;
    }
    return maintenance ? WatchMode.MAINTENANCE : WatchMode.WATCHING;
  }

  @Override
  public void report(DetectionReport report) {
    if (report != null && report.result() != null) {
      reports.add(report);
      if (report.worker() != null) {
        workers.remove(report.worker());
        workers.add(report.worker());
        while (workers.size() > MAX_WORKERS) {
          workers.remove(workers.iterator().next());
        }
      }
    }
  }

  @Override
  public void probeNow(String reason) {
    alerts++;
    if (stopped) {
      note("probe requested (" + reason + ") but the watch is stopped: ./handoff watch start --cluster " + cluster);
    } else {
      note("probe requested: " + reason);
      askWorkers = true;
    }
    wakeUp = true;
  }

  @Override
  public void acknowledge(String by) {
    blockedUntil = 0;
    retryNotBefore = 0;
    failedAttempts = 0;
    lastAnalysis = null; // report the current analysis afresh, so a primary still dead is acted on now
    note("recovery acknowledged by " + by + ": automatic recovery is armed again");
    wakeUp = true;
  }

  @Override
  public void recovered(String summary) {
    long cooldownSeconds = request == null ? WatchRequest.DEFAULT_COOLDOWN_SECONDS : request.cooldownSeconds();
    blockedUntil = Workflow.currentTimeMillis() + cooldownSeconds * 1000;
    note(summary + "; automatic recovery blocked until " + Instant.ofEpochMilli(blockedUntil));
  }

  @Override
  public void setMaintenance(boolean on) {
    maintenance = on;
    lastAnalysis = null;
    note("maintenance " + (on ? "on: no automatic recovery or repair" : "off"));
    wakeUp = true;
  }

  @Override
  public void stop(String by) {
    if (!stopped) {
      stopped = true;
      note("stopped by " + by + ": no probes and no automatic action until ./handoff watch start --cluster " + cluster);
    }
    wakeUp = true;
  }

  @Override
  public void resume(String by) {
    if (stopped) {
      stopped = false;
      lastAnalysis = null;
      note("started again by " + by);
    }
    wakeUp = true;
  }

  @Override
  public WatchStatus status() {
    return new WatchStatus(cluster, mode(), lastAnalysis, lastDetail, blockedUntil, retryNotBefore,
        semiSyncDegradedSince, fenced.stream().map(InstanceKey::toString).toList(),
        unfence == null ? null : unfence.toString(), recoveries, lastRecovery, alerts, List.copyOf(events));
  }
}
