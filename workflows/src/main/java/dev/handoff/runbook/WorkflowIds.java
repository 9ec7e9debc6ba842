package dev.handoff.runbook;

/** Workflow IDs and the default task queue, in one place. */
public final class WorkflowIds {
  private WorkflowIds() {}

  public static final String DEFAULT_TASK_QUEUE = "handoff";

  /** One failover per cluster at a time: planned and unplanned share this ID. */
  public static String failover(String cluster) {
    return "failover-" + cluster;
  }

  /** The single watch of a cluster. */
  public static String watch(String cluster) {
    return "watch-" + cluster;
  }

  /**
   * The task queue only {@code worker} polls (its identity), beside the shared {@code taskQueue}: what the
   * watch asks of every worker (probe this cluster now) goes to each one's own.
   */
  public static String workerQueue(String taskQueue, String worker) {
    return taskQueue + "/" + worker;
  }

  /** A dry run (pre-checks and plan only) runs beside a failover, never instead of one. */
  public static String dryRun(String cluster) {
    return "precheck-" + cluster;
  }
}
