package dev.handoff.recovery;

import dev.handoff.cluster.ClusterDescription;
import dev.handoff.detection.DetectionActivities;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceState;
import dev.handoff.domain.Topology;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.mysql.MysqlActivities;
import dev.handoff.planning.CandidateSelector;
import dev.handoff.planning.DetectionResult;
import dev.handoff.planning.FailoverPlan;
import dev.handoff.planning.UnplannedChoice;
import dev.handoff.runbook.FailoverProgress;
import dev.handoff.runbook.FailoverRunbook;
import dev.handoff.runbook.RunbookOptions;
import dev.handoff.runbook.RunbookSteps;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.SignalExternalWorkflowException;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * Recovery of a dead primary. Nothing is promoted until the death is confirmed (the worker cannot reach
 * the primary and every reachable replica agrees) and the dead primary is fenced out of every HAProxy
 * writer backend; a failure up to then stops the runbook with nothing promoted. From promotion on, every
 * step retries until done.
 */
public class UnplannedFailoverWorkflowImpl extends FailoverRunbook implements UnplannedFailoverWorkflow {
  private final DetectionActivities detection =
      Workflow.newActivityStub(DetectionActivities.class, RunbookOptions.PROBE);
  private final MysqlActivities mysqlBestEffort =
      Workflow.newActivityStub(MysqlActivities.class, RunbookOptions.BEST_EFFORT);
  private final HaproxyActivities haproxyFence =
      Workflow.newActivityStub(HaproxyActivities.class, RunbookOptions.MUTATION);

  /** The signal that starts the watch's cooldown after a forced recovery promoted; null when not forced. */
  private Promise<Void> cooldown;

  /** How long the candidate may take to apply its relay log (and what a more advanced replica has). */
  static final int CATCH_UP_SECONDS = 60;

  @Override
  public FailoverProgress recover(UnplannedRequest request) {
    cluster = request.cluster();
    ClusterDescription desc;
    Topology topology;
    try {
      desc = steps.run(FailoverPlan.CONFIRM_DEAD + ":config", () -> clusterConfig.describeCluster(cluster),
          d -> d.instances().size() + " instances");
      topology = steps.run(FailoverPlan.CONFIRM_DEAD + ":topology", () -> kvProbe.readTopology(cluster),
          t -> "KV primary " + t.primary() + " at epoch " + t.epoch());
    } catch (TemporalFailure e) {
      throw end(FailoverProgress.REFUSED, RunbookSteps.failureType(e), RunbookSteps.message(e));
    }
    oldPrimary = topology.primary();
    plan = FailoverPlan.unplannedFailover(topology, null).render();

    DetectionResult analysis;
    try {
      analysis = steps.run(FailoverPlan.CONFIRM_DEAD, () -> detection.probeCluster(cluster),
          r -> r.code() + ": " + r.detail());
    } catch (TemporalFailure e) {
      throw end(FailoverProgress.REFUSED, RunbookSteps.failureType(e), RunbookSteps.message(e));
    }
    if (analysis.code() != AnalysisCode.DEAD_PRIMARY) {
      throw end(FailoverProgress.REFUSED, FailureType.PRIMARY_NOT_DEAD, "not recovering " + cluster + ": the analysis is "
          + analysis.code() + " (" + analysis.detail() + "); an unplanned failover needs a confirmed dead primary"
          + (analysis.code() == AnalysisCode.NO_PROBLEM ? "; use a planned switchover to move a live primary" : ""));
    }

    // Fence before choosing: from here on no client write can reach the old primary.
    try {
      steps.run(FailoverPlan.FENCE_OLD_PRIMARY, () -> onEach(desc.remoteHaproxies(),
          h -> Async.function(haproxyFence::fenceWriter, h, cluster, oldPrimary)), d -> d);
    } catch (TemporalFailure e) {
      throw end(FailoverProgress.FENCE_FAILED, RunbookSteps.failureType(e), "could not fence " + oldPrimary
          + " out of every HAProxy writer backend (" + RunbookSteps.message(e) + "); nothing was promoted."
          + " Fence it by hand (set its server to maint in every writer backend), then run"
          + " ./handoff failover unplanned --cluster " + cluster);
    }

    List<InstanceState> states;
    UnplannedChoice choice;
    try {
      states = steps.run(FailoverPlan.CHOOSE_CANDIDATE + ":inspect", () -> mysqlProbe.inspectCluster(cluster),
          RunbookSteps::describeStates);
      List<InstanceState> replicas = states.stream().filter(s -> !s.key().equals(oldPrimary)).toList();
      choice = steps.run(FailoverPlan.CHOOSE_CANDIDATE, () -> CandidateSelector.chooseUnplanned(replicas, null),
          UnplannedChoice::detail);
    } catch (TemporalFailure e) {
      throw end(FailoverProgress.FAILED_BEFORE_PROMOTION, RunbookSteps.failureType(e), RunbookSteps.message(e)
          + "; " + oldPrimary + " is fenced and nothing was promoted");
    }
    if (!choice.found()) {
      throw end(FailoverProgress.FAILED_BEFORE_PROMOTION, choice.failureType(), choice.detail() + "; " + oldPrimary
          + " is fenced and nothing was promoted: repair a replica, then run ./handoff failover unplanned --cluster "
          + cluster);
    }
    newPrimary = choice.candidate();
    plan = FailoverPlan.unplannedFailover(topology, newPrimary).render();
    InstanceState chosen = states.stream().filter(s -> s.key().equals(newPrimary)).findFirst().orElseThrow();

    try {
      steps.run(FailoverPlan.CATCH_UP, () -> {
        String received = chosen.replication() == null ? chosen.gtidExecuted() : chosen.receivedSet().toString();
        String done = mysqlWait.waitForGtid(cluster, newPrimary, received, CATCH_UP_SECONDS);
        if (choice.anotherReplicaAhead()) {
          mysqlChange.moveReplica(cluster, newPrimary, choice.aheadReplica());
          // What the ahead replica can serve (its relay log too, unless its SQL thread is broken), not only
          // what it had executed when inspected: its unapplied events may be the last acknowledged writes.
          done += "; caught up from " + choice.aheadReplica() + ": "
              + mysqlWait.waitForGtid(cluster, newPrimary, choice.aheadGtids(), CATCH_UP_SECONDS);
        }
        return done;
      }, d -> d);
    } catch (TemporalFailure e) {
      throw end(FailoverProgress.FAILED_BEFORE_PROMOTION, RunbookSteps.failureType(e), RunbookSteps.message(e)
          + "; " + oldPrimary + " is fenced and nothing was promoted");
    }

    List<InstanceKey> others = new ArrayList<>();
    for (InstanceState s : states) {
      if (!s.key().equals(oldPrimary) && !s.key().equals(newPrimary) && s.reachable()) {
        others.add(s.key());
      }
    }
    String situation = "promoting " + newPrimary;
    List<String> planned = FailoverPlan.unplannedFailover(topology, newPrimary).stepNames().stream()
        .filter(n -> !n.equals(FailoverPlan.COOLDOWN)).toList();
    try {
      forward(FailoverPlan.PROMOTE, () -> mysqlForward.promote(cluster, newPrimary), situation, planned);
      cooldown = request.forced() ? startWatchCooldown() : null;
      situation = newPrimary + " is the primary";
      forward(FailoverPlan.MOVE_REPLICAS, () -> {
        List<String> moved = new ArrayList<>();
        for (InstanceKey r : others) {
          moved.add(mysqlForward.moveReplica(cluster, r, newPrimary));
        }
        return moved.isEmpty() ? "no other reachable replica" : String.join("; ", moved);
      }, situation, planned);
      forward(FailoverPlan.PUBLISH_TOPOLOGY,
          () -> kvForward.publishTopology(cluster, newPrimary, others, topology.epoch()), situation, planned);
      steps.done(FailoverPlan.REMOVE_DEAD_PRIMARY, oldPrimary + " left out of the replica pool in the same transaction");
      forward(FailoverPlan.REPOINT_HAPROXY, () -> onEach(desc.remoteHaproxies(),
          h -> Async.function(haproxyForward::repointRoutes, h, cluster, newPrimary, others)), situation, planned);
      forward(FailoverPlan.RESTART_HEARTBEAT, () -> heartbeatForward.restartHeartbeat(cluster, newPrimary), situation,
          planned);
    } catch (RunbookSteps.Stopped stopped) {
      throw end(stopped.state, stopped.failureType, stopped.getMessage());
    }
    String oldState;
    try {
      mysqlBestEffort.setReadOnly(cluster, oldPrimary, true);
      oldState = oldPrimary + " answered and is now read-only";
    } catch (TemporalFailure e) {
      oldState = oldPrimary + " does not answer; the cluster's watch sets it read-only if it comes back writable";
    }
    state = FailoverProgress.COMPLETED;
    detail = oldState + ". It stays out of the cluster: check it for transactions " + newPrimary
        + " lacks, then make it a replica (CHANGE MASTER TO " + newPrimary + " with MASTER_USE_GTID=slave_pos) or"
        + " re-clone it, and add it back to the replica pool";
    if (request.semiSyncDegradedSinceMillis() > 0) {
      detail += ". Semi-sync had fallen back to asynchronous replication at "
          + java.time.Instant.ofEpochMilli(request.semiSyncDegradedSinceMillis())
          + ": acknowledged writes since then may be lost";
    }
    detail += cooldownNote(cooldown);
    steps.done("old-primary", detail);
    steps.finished();
    return progress();
  }

  /**
   * A forced recovery (an operator's, outside the watch) that promoted starts the watch's cooldown, as an
   * automatic one does: signalled beside the steps that follow, never holding writes down.
   */
  private Promise<Void> startWatchCooldown() {
    ClusterWatchWorkflow watch = Workflow.newExternalWorkflowStub(ClusterWatchWorkflow.class,
        WorkflowIds.watch(cluster));
    return Async.procedure(watch::recovered, "forced recovery " + Workflow.getInfo().getWorkflowId() + " promoted "
        + newPrimary + " in place of " + oldPrimary);
  }

  private String cooldownNote(Promise<Void> signal) {
    if (signal == null) {
      return "";
    }
    try {
      signal.get();
      return ". The watch of " + cluster + " blocks automatic recoveries for its cooldown from the promotion on"
          + " (./handoff recovery ack --cluster " + cluster + " re-arms it)";
    } catch (SignalExternalWorkflowException | TemporalFailure noWatch) {
      return ". No watch of " + cluster + " runs (" + WorkflowIds.watch(cluster) + "), so no cooldown was started";
    }
  }
}
