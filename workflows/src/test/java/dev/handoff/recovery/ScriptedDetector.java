package dev.handoff.recovery;

import static org.mockito.Mockito.doAnswer;
import static org.mockito.AdditionalAnswers.answer;
import dev.handoff.detection.DetectionActivities;
import static org.mockito.ArgumentMatchers.argThat;
import static dev.handoff.recovery.RecoveryFixture.CLUSTER;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;

import dev.handoff.domain.AnalysisCode;
import io.temporal.activity.Activity;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The detector of a cluster's watch, scripted on {@link RecoveryFixture}'s mocks: it answers from
 * {@link #world} as the real one does, at once when the verdict differs from what the watch last reported
 * or when a dead primary is to be acted on, else it waits, heartbeating, until the world changes (or the
 * watch cancels it). The failover's own probe answers from the same world; repairs and undone fences
 * succeed unless a test says otherwise.
 *
 * <p>So a detector only ever completes when the test changes the world, never while the test signals the
 * watch: the SDK's test server wedges a workflow whose cancel command races its activity's completion.
 * Activities in flight also stop the test server from skipping time, so the watch runs in real time, and
 * every wait polls the status query ({@link #awaitQuiet} before any signal).
 */
final class ScriptedDetector {
  /** One detector run waits at most this long for news: longer than any test, so none outlives one. */
  private static final long MAX_RUN_SECONDS = 45;
  /** How long a test waits for the watch to reach a state. */
  private static final long AWAIT_SECONDS = 20;

  /** What the cluster looks like right now, to the detector and to the failover's own probe. */
  final AtomicReference<AnalysisCode> world = new AtomicReference<>(AnalysisCode.NO_PROBLEM);
  /** The topology epoch the detector reads. */
  final AtomicLong epoch = new AtomicLong(RecoveryFixture.EPOCH);
  /** Detector runs started. */
  final AtomicInteger runs = new AtomicInteger();
  /** The latest run that waits for news, and the verdict it was told the watch had reported. */
  private final AtomicInteger waitingRun = new AtomicInteger();
  private final AtomicReference<String> waitingOn = new AtomicReference<>();
  /** Set when a test ends: waiting detector runs return. */
  private volatile boolean closing;

  ScriptedDetector(RecoveryFixture fixture) {
    doAnswer(answer((DetectionActivities.WatchCluster req) -> {
      int run = runs.incrementAndGet();
      String reported = req.lastReported() == null ? null : req.lastReported().wireName();
      boolean actOnDeadPrimary = req.actOnDeadPrimary();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_RUN_SECONDS);
      AnalysisCode now = world.get();
      if (!news(now, reported, actOnDeadPrimary)) {
        waitingOn.set(reported);
        waitingRun.accumulateAndGet(run, Math::max);
        while (!news(now, reported, actOnDeadPrimary) && !closing && System.nanoTime() < deadline) {
          Activity.getExecutionContext().heartbeat(run); // throws once the watch cancelled this run
          Thread.sleep(10);
          now = world.get();
        }
      }
      return RecoveryFixture.analysis(now, epoch.get());
    })).when(fixture.detection).watchCluster(argThat(r -> Objects.equals(r.cluster(), CLUSTER)));
    when(fixture.detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER))).thenAnswer(inv -> RecoveryFixture.analysis(world.get()));
    doAnswer(answer((DetectionActivities.Repair req) ->
        new DetectionActivities.ActionResult(true, req.code() + " repaired at epoch " + req.epoch()))).when(fixture.detection).repair(argThat(r -> Objects.equals(r.cluster(), CLUSTER)));
    doAnswer(answer((DetectionActivities.RestoreWriter req) ->
        new DetectionActivities.ActionResult(true, "remote1, remote2: writes go to " + req.primary() + " again"))).when(fixture.detection).restoreWriter(argThat(r -> Objects.equals(r.cluster(), CLUSTER)));
  }

  /** What the real detector returns on: a changed verdict, or a dead primary it is to act on. */
  private static boolean news(AnalysisCode now, String reported, boolean actOnDeadPrimary) {
    return !now.wireName().equals(reported) || (actOnDeadPrimary && now == AnalysisCode.DEAD_PRIMARY);
  }

  /** Lets every waiting run return: a test ends. */
  void close() {
    closing = true;
  }

  /**
   * Waits until {@code condition} holds and the latest detector run waits for news about the verdict the
   * status shows: the watch has handled every verdict so far, and a signal now cannot race a detector's
   * completion.
   */
  WatchStatus awaitQuiet(ClusterWatchWorkflow watch, String what, Predicate<WatchStatus> condition)
      throws InterruptedException {
    return awaitStatus(watch, what + " (detector waiting)",
        s -> condition.test(s) && waitingRun.get() == runs.get() && Objects.equals(waitingOn.get(), s.lastAnalysis() == null ? null : s.lastAnalysis().wireName()));
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
