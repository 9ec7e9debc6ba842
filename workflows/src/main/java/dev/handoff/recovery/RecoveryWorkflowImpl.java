package dev.handoff.recovery;

import dev.handoff.heartbeat.HeartbeatActivities;
import dev.handoff.cluster.ClusterActivities;
import dev.handoff.runbook.StepOutcome;
import dev.handoff.runbook.RunbookState;
import dev.handoff.cluster.ClusterDescription;
import dev.handoff.detection.DetectionActivities;
import dev.handoff.domain.StepDone;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.GtidSet;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.Topology;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.kv.TopologyActivities;
import dev.handoff.mysql.MysqlActivities;
import dev.handoff.planning.CandidateSelector;
import dev.handoff.planning.DetectionResult;
import dev.handoff.planning.RunbookPlan;
import dev.handoff.planning.RecoveryChoice;
import dev.handoff.planning.RecoveryReplicas;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.RunbookWorkflow;
import dev.handoff.runbook.RunbookOptions;
import dev.handoff.runbook.RunbookSteps;
import dev.handoff.runbook.RunbookStubs;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.SignalExternalWorkflowException;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Recovery of a dead primary. Nothing is promoted until the death is confirmed (the worker cannot reach
 * the primary and every reachable replica agrees) and the dead primary is fenced out of every HAProxy
 * writer backend; a failure up to then stops the runbook with nothing promoted. A candidate that cannot
 * catch up is replaced by the next best. Route first, tidy after: right after the promotion every writer
 * frontend is repointed and the topology published, side by side, and those retry until done (or wait for
 * the operator); only then are the other replicas moved, and a replica that cannot be moved is reported as
 * left behind, never waited on.
 */
public class RecoveryWorkflowImpl extends RunbookWorkflow implements RecoveryWorkflow {
  /** Courtesy steps (setting the dead primary read-only): one short try. */
  private RunbookStubs bestEffortStubs;

  /** The signal that starts the watch's cooldown after a forced recovery promoted; null when not forced. */
  private Promise<Void> cooldown;

  /**
   * How long the candidate's executed position may stand still before it is given up on. There is no limit
   * on the whole wait: it goes on while the position advances (a long backlog), so this only has to cover
   * the longest single transaction a replica applies.
   */
  static final int CATCH_UP_STALL_SECONDS = 20;




  /**
   * How long a recovery waits, before promoting, for a KV store that does not take a write. Writes are down
   * already (the primary is dead), and a primary the KV store cannot publish is one HAProxy never routes to
   * once consul-template renders the topology again: waiting for the store costs nothing a promotion would
   * win back, and a promotion into a topology nobody can publish makes a second writer for later.
   */
  static final int KV_WAIT_SECONDS = 120;

  /** The KV wait: long (it holds its own bound), heartbeating what it waits for, one more try if its worker dies. */
  private static final ActivityOptions KV_WAIT = ActivityOptions.newBuilder(RunbookOptions.KV_CHECK)
      .setStartToCloseTimeout(Duration.ofSeconds(KV_WAIT_SECONDS + 30)).build();
  /** The catch-up wait has no overall limit of its own (it gives up when progress stops): only a generous bound. */
  private static final ActivityOptions CATCH_UP = ActivityOptions.newBuilder(RunbookOptions.CATCH_UP_WAIT)
      .setStartToCloseTimeout(Duration.ofMinutes(30)).build();
  /**
   * Stopping and resuming a replica's IO thread: one try (it only saves time), heartbeating while it waits.
   * Task-queue activities in every version: with local steps, the stops are the recovery's durable point (see
   * {@link #recover}).
   */
  private final MysqlActivities mysqlReceiving = Workflow.newActivityStub(MysqlActivities.class,
      ActivityOptions.newBuilder(RunbookOptions.BEST_EFFORT).setHeartbeatTimeout(RunbookOptions.HEARTBEAT_TIMEOUT)
          .build());

  private TopologyActivities kvWait;
  private MysqlActivities mysqlCatchUp;
  /** The replicas asked to stop receiving from the dead primary, with the answers; empty before that. */
  private final Map<InstanceKey, Promise<String>> receiving = new LinkedHashMap<>();

  /** The request, kept for the phases that report on it. */
  private RecoveryRequest request;
  /** The plan's step names, for the steps an operator is told are left. */
  private List<String> planned;

  /** What the recovery read first: the configuration and the KV topology. */
  private record Facts(ClusterDescription desc, Topology topology) {}

  /**
   * The promoted candidate's situation: the instances as inspected, the replicas given up on (with why), and
   * the GTID set it was promoted with (what it received, and what a replica ahead of it had).
   */
  private record Chosen(List<InstanceSnapshot> states, Map<String, String> gaveUp, String target) {}

  @Override
  public RunbookProgress recover(RecoveryRequest request) {
    this.request = request;
    cluster = request.cluster();
    pickSteps();
    bestEffortStubs = new RunbookStubs(RunbookOptions.BEST_EFFORT, localSteps);
    kvWait = RunbookStubs.stub(TopologyActivities.class, KV_WAIT, localSteps);
    mysqlCatchUp = RunbookStubs.stub(MysqlActivities.class, CATCH_UP, localSteps);
    // The confirming probe waits out a frozen primary's read timeout: it starts first, beside the reads.
    Promise<DetectionResult> probe = Async.function(probeStubs.detection::probeCluster, new DetectionActivities.ProbeCluster(cluster));
    if (request.handover() != null) {
      steps.continueFrom(request.handover().steps());
    }
    Facts facts = readFacts();
    long stopsStarted = Workflow.currentTimeMillis();
    // Runs recorded before the local steps stopped the replicas' IO threads beside the confirmation when it
    // had been confirmed before, else right after it. With local steps they stop right before the promotion
    // (see below).
    boolean stopBeside = confirmedBefore() && !localSteps;
    if (stopBeside) {
      stopReceiving(facts.desc());
    }
    confirmDeath(probe, facts.topology());
    if (!stopBeside && !localSteps) {
      stopsStarted = Workflow.currentTimeMillis();
      stopReceiving(facts.desc());
    }
    // Reads that need no fence start beside it: the cluster's state (the fenced old primary left out) and the
    // KV store's writability, which is waited for only right before the promotion.
    Promise<List<InstanceSnapshot>> inspect = Async.function(probeStubs.mysql::inspectClusterExcept, new MysqlActivities.InspectClusterExcept(cluster,
        List.of(oldPrimary))).thenApply(MysqlActivities.Inspection::instances);
    Promise<String> kvWritable = Async.function(kvWait::checkWritable, new TopologyActivities.CheckWritable(cluster, facts.topology().epoch(),
        KV_WAIT_SECONDS)).thenApply(StepDone::detail);
    fence(facts.desc());
    Chosen chosen = chooseAndCatchUp(inspect, facts.topology());
    RecoveryReplicas replicas = RecoveryReplicas.of(chosen.states(), oldPrimary, newPrimary);
    awaitKvWritable(kvWritable);
    if (localSteps) {
      // The recovery's durable point: the stops are task-queue activities, so scheduling them records every
      // step so far (the confirmation, the fence, the choice, the catch-up) before anything that a successor
      // could not decide again on: stopped replicas no longer vouch for the death, and a promoted candidate
      // is no replica to choose. Stopping here rather than beside the confirmation also keeps a recovery that
      // refuses from changing the replicas at all.
      stopsStarted = Workflow.currentTimeMillis();
      stopReceiving(facts.desc());
    }
    steps.record(RunbookPlan.STOP_RECEIVING, StepOutcome.DONE, joinEach(receiving, "(not stopped: the promotion stops it)"),
        Workflow.currentTimeMillis() - stopsStarted);
    List<InstanceKey> moved = promoteAndRoute(facts, replicas);
    String tidyNote = publishMoved(facts, replicas, moved);
    forwardOrEnd(RunbookPlan.RESTART_HEARTBEAT, () -> forwardStubs.heartbeat.restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(cluster, newPrimary)).detail());
    detail = handedOver() + settleOldPrimary(chosen) + reportOf(chosen, replicas, tidyNote) + cooldownNote(cooldown);
    steps.done(RunbookPlan.OLD_PRIMARY, detail);
    return finish(RunbookState.COMPLETED);
  }

  /** The configuration and the topology; a failure refuses the recovery with nothing changed. */
  private Facts readFacts() {
    try {
      ClusterDescription desc = steps.run(RunbookPlan.CONFIRM_DEAD + ":config", () -> probeStubs.cluster.describeCluster(new ClusterActivities.DescribeCluster(cluster)),
          d -> d.instances().size() + " instances");
      Topology topology = steps.run(RunbookPlan.CONFIRM_DEAD + ":topology", () -> probeStubs.kv.readTopology(new TopologyActivities.ReadTopology(cluster)),
          t -> "KV primary " + t.primary() + " at epoch " + t.epoch());
      oldPrimary = topology.primary();
      RunbookPlan runbook = RunbookPlan.recovery(topology, null);
      plan = runbook.render();
      planned = runbook.stepNames();
      return new Facts(desc, topology);
    } catch (TemporalFailure e) {
      throw end(RunbookState.REFUSED, RunbookSteps.failureType(e), RunbookSteps.message(e));
    }
  }

  /**
   * Whether the death was confirmed on two probes before this recovery started: by the watch that started it,
   * or the switchover that handed over. The replicas then stop receiving beside this recovery's own
   * confirmation (a change undone if it disagrees); a recovery anyone else started confirms first.
   */
  private boolean confirmedBefore() {
    return request.handover() != null
        || WorkflowIds.watch(cluster).equals(Workflow.getInfo().getParentWorkflowId().orElse(null));
  }

  /** Refuses (promoting nothing) unless the probe finds the primary of this topology dead. */
  private void confirmDeath(Promise<DetectionResult> probe, Topology topology) {
    DetectionResult analysis;
    try {
      analysis = steps.run(RunbookPlan.CONFIRM_DEAD, probe::get, r -> r.code() + ": " + r.detail());
    } catch (TemporalFailure e) {
      throw endUnpromoted(RunbookState.REFUSED, RunbookSteps.failureType(e), RunbookSteps.message(e));
    }
    RecoveryRequest.Handover handover = request.handover();
    if (analysis.code() != AnalysisCode.DEAD_PRIMARY) {
      throw endUnpromoted(RunbookState.REFUSED, FailureType.PRIMARY_NOT_DEAD, "not recovering " + cluster + ": the analysis is "
          + analysis.code() + " (" + analysis.detail() + "); an unplanned failover needs a confirmed dead primary"
          + (handover != null ? "; the planned switchover to " + handover.candidate() + " that handed over had stopped"
              + " before promotion (" + handover.why() + "): check that " + oldPrimary + " is writable (the watch"
              + " makes it so when no runbook runs) and that its replicas replicate, then switch over again"
              : analysis.code() == AnalysisCode.NO_PROBLEM ? "; use a planned switchover to move a live primary" : ""));
    }
    if (analysis.epoch() >= 0 && analysis.epoch() != topology.epoch()) {
      throw endUnpromoted(RunbookState.REFUSED, FailureType.STALE_EPOCH, "not recovering " + cluster + ": the topology"
          + " moved from epoch " + topology.epoch() + " to " + analysis.epoch() + " while the death of " + oldPrimary
          + " was being confirmed; another runbook changed it: check ./handoff watch status --cluster " + cluster);
    }
  }

  /** Fences before choosing: from here on no client write can reach the old primary. */
  private void fence(ClusterDescription desc) {
    try {
      steps.run(RunbookPlan.FENCE_OLD_PRIMARY, () -> onEach(desc.remoteHaproxies(),
          h -> Async.function(mutationStubs.haproxy::fenceWriter, new HaproxyActivities.FenceWriter(h, cluster, oldPrimary)).thenApply(StepDone::detail)), d -> d);
    } catch (TemporalFailure e) {
      throw endUnpromoted(RunbookState.FENCE_FAILED, RunbookSteps.failureType(e), "could not fence " + oldPrimary
          + " out of every HAProxy writer backend (" + RunbookSteps.message(e) + "); nothing was promoted."
          + " Fence it by hand (set its server to maint in every writer backend), then run"
          + " ./handoff recovery start --cluster " + cluster);
    }
  }

  /**
   * Chooses the candidate and lets it catch up; one that cannot is replaced by the next best. The fenced old
   * primary is not inspected: frozen, it would hold the step for a read timeout and say nothing.
   */
  private Chosen chooseAndCatchUp(Promise<List<InstanceSnapshot>> firstInspect, Topology topology) {
    Map<String, String> gaveUp = new LinkedHashMap<>();
    FailureType lastCatchUpType = null;
    while (true) {
      Map<String, String> tried = Map.copyOf(gaveUp);
      List<InstanceSnapshot> states;
      RecoveryChoice choice;
      try {
        Promise<List<InstanceSnapshot>> started = gaveUp.isEmpty() ? firstInspect : null;
        states = steps.run(RunbookPlan.CHOOSE_CANDIDATE + ":inspect", () -> started != null ? started.get()
            : probeStubs.mysql.inspectClusterExcept(new MysqlActivities.InspectClusterExcept(cluster, List.of(oldPrimary))).instances(), RunbookSteps::describeStates);
        List<InstanceSnapshot> replicas = replicasOf(states);
        choice = steps.run(RunbookPlan.CHOOSE_CANDIDATE,
            () -> CandidateSelector.chooseUnplanned(replicas, null, tried), RecoveryChoice::detail);
      } catch (TemporalFailure e) {
        throw endUnpromoted(RunbookState.FAILED_BEFORE_PROMOTION, RunbookSteps.failureType(e),
            RunbookSteps.message(e) + "; " + oldPrimary + " is fenced and nothing was promoted");
      }
      if (!choice.found()) {
        newPrimary = null;
        throw endUnpromoted(RunbookState.FAILED_BEFORE_PROMOTION,
            gaveUp.isEmpty() ? choice.failureType() : lastCatchUpType,
            (gaveUp.isEmpty() ? "" : "no candidate could catch up: " + describe(gaveUp) + "; ") + choice.detail()
            + "; " + oldPrimary + " is fenced and nothing was promoted: repair a replica, then run"
            + " ./handoff recovery start --cluster " + cluster);
      }
      newPrimary = choice.candidate();
      plan = RunbookPlan.recovery(topology, newPrimary).render();
      InstanceSnapshot chosen = stateOf(states, newPrimary);
      RecoveryChoice picked = choice;
      String received = chosen.replication() == null ? chosen.gtidExecuted() : chosen.receivedSet().toString();
      String target = java.util.stream.Stream.of(received, picked.aheadGtids()).filter(g -> !g.isEmpty())
          .collect(Collectors.joining(","));
      try {
        steps.run(RunbookPlan.CATCH_UP, () -> catchUp(picked, received), d -> d);
        return new Chosen(states, gaveUp, target);
      } catch (TemporalFailure e) {
        // Given up on: the next pass inspects again (its SQL thread may have moved on) and takes the next best.
        gaveUp.put(newPrimary.toString(), RunbookSteps.message(e));
        lastCatchUpType = RunbookSteps.failureType(e);
      }
    }
  }

  /** Waits for the KV store to take a write (started beside the fence); without it nothing is promoted. */
  private void awaitKvWritable(Promise<String> kvWritable) {
    try {
      steps.run(KV_WRITABLE + ":before-promote", kvWritable::get, d -> d);
    } catch (TemporalFailure e) {
      throw endUnpromoted(RunbookState.FAILED_BEFORE_PROMOTION, RunbookSteps.failureType(e),
          RunbookSteps.message(e) + "; nothing was promoted: " + oldPrimary + " is fenced and " + newPrimary + " has caught up, but a"
          + " primary the KV store cannot publish is one HAProxy (following the KV store) never routes to."
          + " Bring the KV store back, then run ./handoff recovery start --cluster " + cluster);
    }
  }

  /**
   * Promotes, then repoints every writer frontend and publishes the topology side by side: the critical path
   * ends there. The replicas move beside the routing, never before it: a replica attached at once acknowledges
   * the new primary's first semi-sync writes, which would otherwise wait out its semi-sync timeout. Returns the
   * replicas moved, once the moves are done.
   */
  private List<InstanceKey> promoteAndRoute(Facts facts, RecoveryReplicas replicas) {
    String promoted = newPrimary + " is the primary";
    try {
      forward(RunbookPlan.PROMOTE, () -> forwardStubs.mysql.promote(new MysqlActivities.Promote(cluster, newPrimary)).detail(), "promoting " + newPrimary, planned);
      long movesStarted = Workflow.currentTimeMillis();
      Map<InstanceKey, Promise<String>> moves = startMoves(replicas.toMove());
      Promise<List<InstanceKey>> moved = Async.function(() -> joinMoves(moves, replicas.leftBehind(), movesStarted));
      // Not started by the watch (an operator's, or a switchover's handover): tell the watch, for its cooldown.
      cooldown = request.forced() || request.handover() != null ? startWatchCooldown(request.handover() != null) : null;
      Promise<String> routed = Async.function(() -> forward(RunbookPlan.REPOINT_HAPROXY, () -> onEach(
          facts.desc().remoteHaproxies(), h -> Async.function(forwardStubs.haproxy::repointRoutes,
              new HaproxyActivities.RepointRoutes(h, cluster, newPrimary, replicas.listed())).thenApply(StepDone::detail)),
          promoted, planned));
      Promise<String> published = Async.function(() -> forward(RunbookPlan.PUBLISH_TOPOLOGY, () -> forwardStubs.kv.publishTopology(
          new TopologyActivities.PublishTopology(cluster, newPrimary, replicas.listed(), facts.topology().epoch())).detail(),
          promoted, planned));
      routed.get();
      published.get();
      return moved.get();
    } catch (RunbookSteps.Stopped stopped) {
      throw end(stopped.state, stopped.failureType, stopped.getMessage());
    }
  }

  /**
   * Tidy after, writes already flow: when the moves left some replica behind (or moved one not listed), the
   * replica pool and the reader backends are set to the ones moved. Returns a note when that failed.
   */
  private String publishMoved(Facts facts, RecoveryReplicas replicas, List<InstanceKey> moved) {
    if (moved.equals(replicas.listed())) {
      return "";
    }
    try {
      // Task-queue activities with local steps too: the routing is recorded before this publication at the next
      // epoch, which a successor re-running the routing would take for a newer change.
      steps.run(RunbookPlan.PUBLISH_TOPOLOGY + ":replicas", () -> tidyTasks.kv.publishTopology(new TopologyActivities.PublishTopology(cluster, newPrimary, moved,
          facts.topology().epoch() + 1)).detail() + "; " + onEach(facts.desc().remoteHaproxies(),
          h -> Async.function(tidyTasks.haproxy::repointRoutes, new HaproxyActivities.RepointRoutes(h, cluster, newPrimary, moved)).thenApply(StepDone::detail)), d -> "replicas " + moved
          + ": " + d);
      return "";
    } catch (TemporalFailure e) {
      return ". The replica pool in the KV store and the HAProxy readers could not be set to " + moved + " ("
          + RunbookSteps.message(e) + "): set them by hand";
    }
  }

  private void forwardOrEnd(String name, java.util.function.Supplier<String> body) {
    try {
      forward(name, body, newPrimary + " is the primary", planned);
    } catch (RunbookSteps.Stopped stopped) {
      throw end(stopped.state, stopped.failureType, stopped.getMessage());
    }
  }

  /** Sets the old primary read-only if it answers, and says what it has that the new primary lacks. */
  private String settleOldPrimary(Chosen chosen) {
    try {
      String position = bestEffortStubs.mysql.setReadOnly(new MysqlActivities.SetReadOnly(cluster, oldPrimary, true)).gtidPosition();
      String errantOld = errantOnOldPrimary(position, stateOf(chosen.states(), newPrimary), chosen.target());
      return oldPrimary + " answered and is now read-only" + (errantOld.isEmpty() ? stays() : errantOld);
    } catch (TemporalFailure e) {
      return oldPrimary + " does not answer; the cluster's watch sets it read-only if it comes back writable,"
          + " and reports as ErrantGtid any transaction it has that " + newPrimary + " lacks" + stays();
    }
  }

  private String stays() {
    return ". It stays out of the cluster: check it for transactions " + newPrimary + " lacks, then make it a"
        + " replica (CHANGE MASTER TO " + newPrimary + " with MASTER_USE_GTID=slave_pos) or re-clone it, and add it"
        + " back to the replica pool";
  }

  private String handedOver() {
    RecoveryRequest.Handover handover = request.handover();
    return handover == null ? ""
        : "Recovered in place of a planned switchover to " + handover.candidate() + ": " + handover.why() + ". ";
  }

  /** What the operator needs to know besides: replicas left behind or given up on, the tidy step, semi-sync. */
  private String reportOf(Chosen chosen, RecoveryReplicas replicas, String tidyNote) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<InstanceKey, String> e : replicas.leftBehind().entrySet()) {
      b.append(". ").append(leftBehind(e.getKey(), e.getValue()));
    }
    if (!chosen.gaveUp().isEmpty()) {
      b.append(". ").append(replaced(chosen.gaveUp(), chosen.states(), chosen.target()));
    }
    b.append(tidyNote);
    if (request.semiSyncDegradedSinceMillis() > 0) {
      b.append(". Semi-sync had fallen back to asynchronous replication at ")
          .append(java.time.Instant.ofEpochMilli(request.semiSyncDegradedSinceMillis()))
          .append(": acknowledged writes since then may be lost");
    }
    return b.toString();
  }

  /** Asks every instance but the old primary to stop receiving from it, side by side (see {@link #receiving}). */
  private void stopReceiving(ClusterDescription desc) {
    for (InstanceKey i : desc.instances()) {
      if (!i.equals(oldPrimary)) {
        receiving.put(i, Async.function(mysqlReceiving::stopReceiving, new MysqlActivities.StopReceiving(cluster, i)).thenApply(StepDone::detail));
      }
    }
  }

  /**
   * Waits for calls made side by side and says what each answered; one that failed is named with
   * {@code failedNote} (they only save time: what they did not do, a later step does).
   */
  private static String joinEach(Map<InstanceKey, Promise<String>> calls, String failedNote) {
    List<String> said = new ArrayList<>();
    for (Map.Entry<InstanceKey, Promise<String>> c : calls.entrySet()) {
      try {
        said.add(c.getValue().get());
      } catch (TemporalFailure e) {
        said.add(c.getKey() + " " + failedNote + ": " + RunbookSteps.message(e));
      }
    }
    return said.isEmpty() ? "no replica" : String.join("; ", said);
  }

  /**
   * Waits for {@code replica}'s stop (if one was asked) and says whether it stopped; one that failed leaves
   * its IO thread to the step that needs it stopped.
   */
  private boolean stoppedReceiving(InstanceKey replica) {
    Promise<String> stop = receiving.get(replica);
    if (stop == null) {
      return false;
    }
    try {
      stop.get();
      return true;
    } catch (TemporalFailure notStopped) {
      return false;
    }
  }

  /**
   * Ends a recovery that promoted nothing: the replicas told to stop receiving from the old primary receive
   * again (best effort), so the cluster is as the failure found it but for the fence.
   */
  private io.temporal.failure.ApplicationFailure endUnpromoted(RunbookState finalState, FailureType type, String message) {
    Map<InstanceKey, Promise<String>> resumed = new LinkedHashMap<>();
    for (InstanceKey r : receiving.keySet()) {
      if (stoppedReceiving(r)) {
        resumed.put(r, Async.function(mysqlReceiving::resumeReceiving, new MysqlActivities.ResumeReceiving(cluster, r)).thenApply(StepDone::detail));
      }
    }
    if (!resumed.isEmpty()) {
      steps.done("resume-receiving", joinEach(resumed, "(still stopped: START SLAVE IO_THREAD on it)"));
    }
    return end(finalState, type, message);
  }

  /**
   * A recovery the watch did not start (an operator's forced one, or one a planned switchover handed over) that promoted starts the watch's cooldown, as an
   * automatic one does: signalled beside the steps that follow, never holding writes down.
   */
  private Promise<Void> startWatchCooldown(boolean handedOver) {
    ClusterWatchWorkflow watch = Workflow.newExternalWorkflowStub(ClusterWatchWorkflow.class,
        WorkflowIds.watch(cluster));
    return Async.procedure(watch::recovered, (handedOver ? "recovery handed over by a planned switchover "
        : "forced recovery ") + Workflow.getInfo().getWorkflowId() + " promoted " + newPrimary + " in place of "
        + oldPrimary);
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

  /** Lets the candidate apply what it received, then what a replica ahead of it has; returns what it did. */
  private String catchUp(RecoveryChoice choice, String received) {
    String done = mysqlCatchUp.catchUp(new MysqlActivities.CatchUp(cluster, newPrimary, received, CATCH_UP_STALL_SECONDS)).detail();
    if (choice.anotherReplicaAhead()) {
      // Its IO thread is stopped first: the detour replaces its source, and two stops must not overlap.
      stoppedReceiving(newPrimary);
      mutationStubs.mysql.moveReplica(new MysqlActivities.MoveReplica(cluster, newPrimary, choice.aheadReplica())).detail();
      // What the ahead replica can serve (its relay log too, unless its SQL thread is broken), not only
      // what it had executed when inspected: its unapplied events may be the last acknowledged writes.
      done += "; caught up from " + choice.aheadReplica() + ": "
          + mysqlCatchUp.catchUp(new MysqlActivities.CatchUp(cluster, newPrimary, choice.aheadGtids(), CATCH_UP_STALL_SECONDS)).detail();
    }
    return done;
  }

  /** Starts moving the replicas under the new primary, side by side, each on its own. */
  private Map<InstanceKey, Promise<String>> startMoves(List<InstanceKey> toMove) {
    Map<InstanceKey, Promise<String>> moves = new LinkedHashMap<>();
    for (InstanceKey r : toMove) {
      moves.put(r, Async.function(tidyStubs.mysql::moveReplica, new MysqlActivities.MoveReplica(cluster, r, newPrimary)).thenApply(StepDone::detail));
    }
    return moves;
  }

  /**
   * Waits for the moves: one that failed goes to {@code leftBehind} with the reason, the others go on.
   * Returns the ones moved, in order.
   */
  private List<InstanceKey> joinMoves(Map<InstanceKey, Promise<String>> moves, Map<InstanceKey, String> leftBehind,
      long t0) {
    List<InstanceKey> moved = new ArrayList<>();
    List<String> said = new ArrayList<>();
    for (Map.Entry<InstanceKey, Promise<String>> m : moves.entrySet()) {
      try {
        said.add(m.getValue().get());
        moved.add(m.getKey());
      } catch (TemporalFailure e) {
        leftBehind.put(m.getKey(), RunbookSteps.failureType(e) + ": " + RunbookSteps.message(e));
      }
    }
    String did = (said.isEmpty() ? "no replica moved" : String.join("; ", said))
        + leftBehind.entrySet().stream().map(e -> "; left behind: " + e.getKey() + " (" + e.getValue() + ")")
            .collect(Collectors.joining());
    steps.record(RunbookPlan.MOVE_REPLICAS, leftBehind.isEmpty() ? StepOutcome.DONE : StepOutcome.FAILED, did,
        Workflow.currentTimeMillis() - t0);
    return moved;
  }

  /**
   * What the old primary executed beyond what the new primary was promoted with ({@code target}): transactions
   * it committed and never passed on (a frozen primary commits the statement in its socket buffer as it thaws).
   * Empty when there are none, or when the positions cannot be compared.
   */
  private String errantOnOldPrimary(String position, InstanceSnapshot promoted, String target) {
    GtidSet extra;
    try {
      extra = GtidSet.parse(promoted.flavor(), position).subtract(GtidSet.parse(promoted.flavor(), target));
    } catch (RuntimeException unreadable) {
      return "";
    }
    if (extra.isEmpty()) {
      return "";
    }
    return ". It stays out of the cluster: it has transactions " + extra + " that " + newPrimary + " lacks (errant:"
        + " committed on it and never replicated, no client was told of them or they were lost from the new"
        + " primary); to do: save what is needed of them, then rebuild it from " + newPrimary + " (re-clone), or"
        + " discard them, then make it a replica (CHANGE MASTER TO " + newPrimary + " with MASTER_USE_GTID=slave_pos)"
        + " and add it back to the replica pool";
  }

  /** Candidates given up on, and what only they had received: acknowledged writes among those may be lost. */
  private String replaced(Map<String, String> gaveUp, List<InstanceSnapshot> states, String target) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : gaveUp.entrySet()) {
      b.append(e.getKey()).append(" could not catch up (").append(e.getValue()).append(")");
      InstanceSnapshot s = states.stream().filter(x -> x.key().toString().equals(e.getKey())).findFirst().orElse(null);
      try {
        GtidSet lost = s == null ? null : s.receivedSet().subtract(GtidSet.parse(s.flavor(), target));
        if (lost != null && !lost.isEmpty()) {
          b.append(": it had received ").append(lost).append(", which ").append(newPrimary)
              .append(" lacks (acknowledged writes among them may be lost)");
        }
      } catch (RuntimeException unreadable) {
        // the sets were read once already; a set that does not parse only means less is said
      }
      b.append("; ");
    }
    return b.append(newPrimary).append(" was promoted instead").toString();
  }

  private List<InstanceSnapshot> replicasOf(List<InstanceSnapshot> states) {
    return states.stream().filter(s -> !s.key().equals(oldPrimary)).toList();
  }

  private static InstanceSnapshot stateOf(List<InstanceSnapshot> states, InstanceKey key) {
    return states.stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow();
  }

  private static String describe(Map<String, String> gaveUp) {
    return gaveUp.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining("; "));
  }
}
