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
    cluster = Workflow.newActivityStub(ClusterActivities.class, options);
    mysql = Workflow.newActivityStub(MysqlActivities.class, options);
    kv = Workflow.newActivityStub(TopologyActivities.class, options);
    haproxy = Workflow.newActivityStub(HaproxyActivities.class, options);
    heartbeat = Workflow.newActivityStub(HeartbeatActivities.class, options);
    detection = Workflow.newActivityStub(DetectionActivities.class, options);
  }
}
