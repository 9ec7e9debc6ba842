package dev.handoff.recovery;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import dev.handoff.domain.AnalysisCode;
import java.util.List;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The single watch of one cluster (workflow ID {@code watch-<cluster>}): the durable half of detection.
 * Every worker probes every configured cluster by itself and reports here only what calls for action or
 * changed ({@link #report}); the watch starts a recovery on a confirmed dead primary (beside its own loop,
 * which keeps taking reports), repairs a read-only primary or a second writable instance when no runbook
 * runs, and after a recovery that promoted blocks further automatic recoveries for the cooldown unless
 * acknowledged. While nothing happens it waits and costs nothing. It never ends by itself: a stop is a mode.
 */
@WorkflowInterface
public interface ClusterWatchWorkflow {

  @WorkflowMethod
  void watch(WatchRequest request);

  /**
   * A worker's detector saw an analysis change, or one that calls for action (a dead primary it confirmed,
   * a writer problem). The watch decides and acts; a healthy cluster sends none.
   */
  @SignalMethod
  void report(DetectionReport report);

  /** An alert (or an operator) asks for a probe now. An alert alone never promotes anything. */
  @SignalMethod
  void probeNow(String reason);

  /** Lifts the cooldown after a recovery: the next confirmed dead primary is recovered again. */
  @SignalMethod
  void acknowledge(String by);

  /**
   * A recovery started outside the watch ({@code ./handoff recovery start}) promoted a replica: the
   * cooldown starts now, as after an automatic recovery that promoted.
   */
  @SignalMethod
  void recovered(String summary);

  /** Maintenance on: no automatic recovery at all (detection keeps reporting). */
  @SignalMethod
  void setMaintenance(boolean on);

  /**
   * Stops watching: no probes, no automatic action, until {@link #resume}. The workflow keeps running (and
   * keeps its state), so an alert or a worker restart cannot start a fresh watch that forgets the stop.
   */
  @SignalMethod
  void stop(String by);

  /** Starts watching again after {@link #stop}; a no-op on a watch that runs. */
  @SignalMethod
  void resume(String by);

  @QueryMethod
  WatchStatus status();

  /**
   * Asks every worker that reported here for its latest analysis of the cluster, each on its own task
   * queue, and waits for the answers (a worker that does not answer within 2 s is named with no answer).
   * Costs an update and one activity per worker, so it is for an operator's {@code watch status}, not for
   * polling.
   */
  @UpdateMethod
  WorkerAnalyses workerAnalyses();

  /** The answers of {@link #workerAnalyses}, in the order the workers last reported. */
  record WorkerAnalyses(List<WorkerAnalysis> workers) {
    public WorkerAnalyses {
      workers = workers == null ? List.of() : List.copyOf(workers);
    }
  }

  /** One worker's latest analysis; {@code code} null when it gave none (see {@code detail}). */
  record WorkerAnalysis(String worker, AnalysisCode code, String detail, long ageMillis) {
  }
}
