package dev.handoff.runbook;

import dev.handoff.cluster.ClusterActivities;
import dev.handoff.detection.DetectionActivities;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.heartbeat.HeartbeatActivities;
import dev.handoff.kv.TopologyActivities;
import dev.handoff.mysql.MysqlActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;

/**
 * A stub of every activity interface a runbook calls, all with one set of {@link RunbookOptions}: a runbook
 * holds one of these per kind of step (a probe, a change, a step after the point of no return, ...) and calls
 * each activity through the one its step is. Making a stub sends nothing: only the calls become commands.
 */
public final class RunbookStubs {
  public final ClusterActivities cluster;
  public final MysqlActivities mysql;
  public final TopologyActivities kv;
  public final HaproxyActivities haproxy;
  public final HeartbeatActivities heartbeat;
  public final DetectionActivities detection;

  /** Must be made in workflow code (a runbook's fields), as every activity stub. */
  public RunbookStubs(ActivityOptions options) {
    this(options, false);
  }

  /**
   * With {@code local}, the calls run as local activities in the worker that runs the workflow task, with
   * the same bounds and retries ({@link RunbookOptions#local}): no task-queue round trip per step.
   */
  public RunbookStubs(ActivityOptions options, boolean local) {
    cluster = stub(ClusterActivities.class, options, local);
    mysql = stub(MysqlActivities.class, options, local);
    kv = stub(TopologyActivities.class, options, local);
    haproxy = stub(HaproxyActivities.class, options, local);
    heartbeat = stub(HeartbeatActivities.class, options, local);
    detection = stub(DetectionActivities.class, options, local);
  }

  /** One activity interface's stub, local or not. */
  public static <T> T stub(Class<T> activities, ActivityOptions options, boolean local) {
    return local ? Workflow.newLocalActivityStub(activities, RunbookOptions.local(options))
        : Workflow.newActivityStub(activities, options);
  }
}
