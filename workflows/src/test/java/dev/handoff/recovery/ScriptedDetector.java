package dev.handoff.recovery;

import static org.mockito.Mockito.doAnswer;
import static org.mockito.AdditionalAnswers.answer;
import dev.handoff.detection.DetectionActivities;
import dev.handoff.detection.LocalProbeActivities;
import static org.mockito.ArgumentMatchers.argThat;
import static dev.handoff.recovery.RecoveryFixture.CLUSTER;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.planning.ReportPolicy;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.client.WorkflowClient;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The workers' detection of a cluster, scripted on {@link RecoveryFixture}'s mocks: a reporter thread looks
 * at {@link #world} every few milliseconds and reports to the cluster's watch what a worker's detector
 * would ({@link ReportPolicy}: a change, or a dead primary once confirmed), and the watch's own probe
 * ({@code watchProbe}, counted in {@link #runs}) and the failover's ({@code probeCluster}) answer from the
 * same world. Repairs and undone fences succeed unless a test says otherwise.
 */
final class ScriptedDetector {
  /** How long a test waits for the watch to reach a state. */
  private static final long AWAIT_SECONDS = 20;
  private static final long REPORT_EVERY_MILLIS = 10;

  /** What the cluster looks like right now, to the reporter and to every probe. */
  final AtomicReference<AnalysisCode> world = new AtomicReference<>(AnalysisCode.NO_PROBLEM);
  /** The topology epoch the probes read. */
  final AtomicLong epoch = new AtomicLong(RecoveryFixture.EPOCH);
  /** The watch's own probes. */
  final AtomicInteger runs = new AtomicInteger();
  /** Requests to probe now that reached the scripted worker's own queue. */
  final AtomicInteger probesAsked = new AtomicInteger();
  /** The scripted worker's identity, in its reports. */
  static final String WORKER = "scripted";
  /** Reports the watch accepted. */
  final AtomicInteger reports = new AtomicInteger();
  private final AtomicReference<AnalysisCode> lastSent = new AtomicReference<>();
  private volatile boolean closing;
  private Thread reporter;

  ScriptedDetector(RecoveryFixture fixture) {
    when(fixture.detection.watchProbe(new DetectionActivities.WatchProbe(CLUSTER))).thenAnswer(inv -> {
      runs.incrementAndGet();
      return RecoveryFixture.analysis(world.get(), epoch.get());
    });
    when(fixture.detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER))).thenAnswer(inv -> RecoveryFixture.analysis(world.get()));
    doAnswer(answer((DetectionActivities.Repair req) ->
        new DetectionActivities.ActionResult(true, req.code() + " repaired at epoch " + req.epoch()))).when(fixture.detection).repair(argThat(r -> Objects.equals(r.cluster(), CLUSTER)));
    doAnswer(answer((DetectionActivities.RestoreWriter req) ->
        new DetectionActivities.ActionResult(true, "remote1, remote2: writes go to " + req.primary() + " again"))).when(fixture.detection).restoreWriter(argThat(r -> Objects.equals(r.cluster(), CLUSTER)));
  }

  /**
   * Starts reporting to the cluster's watch, as a worker does from its start: until the watch runs, every
   * report fails and is tried again.
   */
  void reportTo(WorkflowClient client, int confirmations) {
    ClusterWatchWorkflow watch = client.newWorkflowStub(ClusterWatchWorkflow.class, WorkflowIds.watch(CLUSTER));
    ReportPolicy policy = new ReportPolicy(confirmations, 0);
    reporter = new Thread(() -> {
      while (!closing) {
        AnalysisCode now = world.get();
        long at = System.currentTimeMillis();
        int confirmed = policy.observe(now, at);
        if (confirmed > 0) {
          try {
            watch.report(new DetectionReport(WORKER, RecoveryFixture.analysis(now, epoch.get()), confirmed));
            policy.sent(now, at);
            lastSent.set(now);
            reports.incrementAndGet();
          } catch (RuntimeException noWatchYet) {
            // the watch is not started yet (or the test ended): the next look tries again
          }
        }
        try {
          Thread.sleep(REPORT_EVERY_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "scripted-detector");
    reporter.setDaemon(true);
    reporter.start();
  }

  /** The scripted worker's answer on its own queue to a request to probe now. */
  LocalProbeActivities localProbes() {
    return new LocalProbeActivities() {
      @Override
      public void probeHere(ProbeHere request) {
        probesAsked.incrementAndGet();
      }

      @Override
      public Latest latestHere(LatestHere request) {
        return new Latest(world.get(), "scripted: " + world.get().wireName(), 7);
      }
    };
  }

  /** Stops reporting: a test ends. */
  void close() throws InterruptedException {
    closing = true;
    if (reporter != null) {
      reporter.interrupt();
      reporter.join(5000);
    }
  }

  /**
   * Waits until {@code condition} holds and the reporter has nothing left to say about the world: the
   * watch has heard of every change so far.
   */
  WatchStatus awaitQuiet(ClusterWatchWorkflow watch, String what, Predicate<WatchStatus> condition)
      throws InterruptedException {
    return awaitStatus(watch, what + " (detector reported the world)",
        s -> world.get() == lastSent.get() && condition.test(s));
  }

  /** Polls the status query until {@code condition} holds; fails naming what it waited for. */
  static WatchStatus awaitStatus(ClusterWatchWorkflow watch, String what, Predicate<WatchStatus> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    WatchStatus last = null;
    while (System.nanoTime() < deadline) {
      last = watch.status();
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("timed out waiting until " + what + "; last status: " + last);
  }

  static boolean hasEvent(WatchStatus s, String text) {
    return count(s, text) > 0;
  }

  static long count(WatchStatus s, String text) {
    return s.events() == null ? 0 : s.events().stream().filter(e -> e.contains(text)).count();
  }
}
