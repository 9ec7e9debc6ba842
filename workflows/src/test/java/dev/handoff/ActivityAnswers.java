package dev.handoff;

import static org.mockito.AdditionalAnswers.answer;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.when;

import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.StepDone;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.heartbeat.HeartbeatActivities;
import dev.handoff.kv.TopologyActivities;
import dev.handoff.mysql.MysqlActivities;
import java.util.List;
import java.util.function.Supplier;

/** What the runbook fixtures' activity mocks share: every change succeeds and says what it did. */
public final class ActivityAnswers {
  private ActivityAnswers() {
  }

  /**
   * Inspections of {@code cluster} answer {@code states} as they are at the call; the instances an inspection
   * skips (the old primary a recovery fenced) are reported unreachable, skipped.
   */
  public static void inspections(MysqlActivities mysql, String cluster, Supplier<List<InstanceSnapshot>> states) {
    when(mysql.inspectCluster(new MysqlActivities.InspectCluster(cluster)))
        .thenAnswer(inv -> new MysqlActivities.Inspection(states.get()));
    when(mysql.inspectClusterExcept(argThat(r -> r.cluster().equals(cluster))))
        .thenAnswer(answer((MysqlActivities.InspectClusterExcept req) -> new MysqlActivities.Inspection(
            states.get().stream().map(s -> req.skipped().contains(s.key())
                ? InstanceSnapshot.unreachable(s.key(), s.promotionRule(), "skipped: fenced by this runbook as dead")
                : s).toList())));
  }

  /** Stubs every change of the four mocks as done; {@code position} is what setReadOnly reads after the change. */
  public static void changesSucceed(MysqlActivities mysql, TopologyActivities kv, HaproxyActivities haproxy,
      HeartbeatActivities heartbeat, String position) {
    when(mysql.moveReplica(any())).thenAnswer(answer((MysqlActivities.MoveReplica req) ->
        new StepDone(req.replica() + " replicates from " + req.source())));
    when(mysql.setReadOnly(any())).thenAnswer(answer((MysqlActivities.SetReadOnly req) ->
        new MysqlActivities.ReadOnlyResult(req.instance(), req.readOnly(), position,
            req.instance() + " set read_only=" + req.readOnly())));
    when(mysql.waitForGtid(any())).thenAnswer(answer((MysqlActivities.WaitForGtid req) ->
        new StepDone(req.instance() + " executed " + req.gtid())));
    when(mysql.catchUp(any())).thenAnswer(answer((MysqlActivities.CatchUp req) ->
        new StepDone(req.instance() + " executed " + req.gtid())));
    when(mysql.promote(any())).thenAnswer(answer((MysqlActivities.Promote req) ->
        new StepDone(req.instance() + " is writable")));
    when(mysql.rejoinAsReplica(any())).thenAnswer(answer((MysqlActivities.RejoinAsReplica req) ->
        new StepDone(req.instance() + " replicates from " + req.source())));
    when(mysql.stopReceiving(any())).thenAnswer(answer((MysqlActivities.StopReceiving req) ->
        new StepDone(req.replica() + " stopped receiving")));
    when(mysql.resumeReceiving(any())).thenAnswer(answer((MysqlActivities.ResumeReceiving req) ->
        new StepDone(req.replica() + " receives again")));
    when(kv.checkWritable(any())).thenAnswer(answer((TopologyActivities.CheckWritable req) ->
        new StepDone("etcd took a write at epoch " + req.expectedEpoch())));
    when(kv.publishTopology(any())).thenAnswer(answer((TopologyActivities.PublishTopology req) ->
        new StepDone("epoch " + (req.expectedEpoch() + 1))));
    when(haproxy.repointWriter(any())).thenAnswer(answer((HaproxyActivities.RepointWriter req) ->
        new StepDone(req.haproxy() + " writes to " + req.primary())));
    when(haproxy.repointRoutes(any())).thenAnswer(answer((HaproxyActivities.RepointRoutes req) ->
        new StepDone(req.haproxy() + " writes to " + req.primary() + ", reads from " + req.readers())));
    when(haproxy.fenceWriter(any())).thenAnswer(answer((HaproxyActivities.FenceWriter req) ->
        new StepDone(req.haproxy() + ": " + req.instance() + " out of every writer backend")));
    when(heartbeat.restartHeartbeat(any())).thenAnswer(answer((HeartbeatActivities.RestartHeartbeat req) ->
        new StepDone("heartbeat on " + req.primary())));
  }
}
